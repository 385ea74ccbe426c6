"""Every message of the app has a Vietnamese translation in the main catalogue (django.po), with
the same placeholders, and Django serves it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

APP = Path(__file__).resolve().parents[1]
TEMPLATES = Path(settings.BASE_DIR) / "opentemis" / "templates" / "evidence"
MAIN = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
GETTEXT = {"_", "gettext", "gettext_lazy"}
_STRING = r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_CALL = re.compile(rf"\bn?gettext\({_STRING}(?:, {_STRING})?")


def _python_msgids() -> set[str]:
    found = set()
    for path in APP.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def _template_msgids() -> set[str]:
    found = set()
    for path in TEMPLATES.glob("*.html"):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in _CALL.finditer(code):
            found.add(ast.literal_eval(match[1]))
    return found


def _used() -> set[str]:
    return _python_msgids() | _template_msgids()


def _catalogue() -> dict[str, polib.POEntry]:
    return {
        e.msgid: e
        for e in polib.pofile(str(MAIN))
        if not e.obsolete and "fuzzy" not in e.flags and not e.msgid_plural
    }


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
