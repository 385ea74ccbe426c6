"""Every message of the app has a Vietnamese translation in the main catalogue (django.po), with
the same placeholders, and Django serves it."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from tests.i18n import PLACEHOLDER, ROOT, catalogue, python_msgids, template_msgids

APP = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "opentemis" / "templates" / "evidence"


def _python_msgids() -> set[str]:
    return python_msgids(APP)


def _template_msgids() -> set[str]:
    return template_msgids(TEMPLATES)


def _catalogue() -> dict:
    return catalogue()


def _used() -> set[str]:
    return _python_msgids() | _template_msgids()


def test_every_message_of_the_app_is_translated_and_keeps_placeholders():
    used = _used()
    assert len(used) > 40  # the extraction itself works
    catalogue = _catalogue()
    assert sorted(used - catalogue.keys()) == []
    # An English text copied as the translation is a placeholder, not a translation.
    assert sorted(m for m in used if catalogue[m].msgstr in ("", m)) == []
    for msgid in used:
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(
            PLACEHOLDER.findall(catalogue[msgid].msgstr)
        ), msgid


def test_refusal_messages_are_translated():
    used = _used()
    catalogue = _catalogue()
    source = (APP / "validation.py").read_text(encoding="utf-8")
    for needle in ("is not a real", "not accepted as evidence", "containing macros", "is empty"):
        assert needle in source
        msgids = [m for m in used if needle in m]
        assert msgids, needle
        with translation.override("vi"):
            for msgid in msgids:
                assert translation.gettext(msgid) == catalogue[msgid].msgstr != msgid, msgid
