"""Every message of the app has a Vietnamese translation in the main catalogue (django.po), with
the same placeholders, and Django serves it."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from tests.i18n import PLACEHOLDER, ROOT, catalogue, python_msgids, template_msgids

APP = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "opentemis" / "templates" / "standards"


def _python_msgids() -> set[str]:
    return python_msgids(APP)


def _template_msgids() -> set[str]:
    return template_msgids(TEMPLATES)


def _catalogue() -> dict:
    return catalogue()


def test_every_message_of_the_app_is_translated():
    used = _python_msgids() | _template_msgids()
    assert len(used) > 100  # the extraction itself works
    catalogue = _catalogue()
    assert sorted(used - catalogue.keys()) == []
    # An English text copied as the translation is a placeholder, not a translation.
    untranslated = sorted(m for m in used if catalogue[m].msgstr in ("", m))
    assert untranslated == []


def test_translations_keep_their_placeholders():
    catalogue = _catalogue()
    msgids = _python_msgids() | _template_msgids()
    assert len(msgids) > 20  # the reading of the sources found them
    for msgid in msgids:
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(
            PLACEHOLDER.findall(catalogue[msgid].msgstr)
        ), msgid


def test_django_serves_the_translations(vi):
    catalogue = _catalogue()
    msgids = _python_msgids() | _template_msgids()
    assert len(msgids) > 20
    for msgid in sorted(msgids):
        assert translation.gettext(msgid) == catalogue[msgid].msgstr, msgid
