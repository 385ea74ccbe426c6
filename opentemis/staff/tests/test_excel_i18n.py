"""Every message of the staff spreadsheet feature has a Vietnamese translation in the main
catalogue (locale/vi/LC_MESSAGES/django.po), and Django serves it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
MAIN = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
SOURCES = [
    *sorted((ROOT / "opentemis/staff/excel").glob("*.py")),
    # The import framework: refusals and issue locations.
    *sorted((ROOT / "opentemis/core/imports").glob("*.py")),
    ROOT / "opentemis/staff/views_excel.py",
]
TEMPLATES = [ROOT / "opentemis/templates/staff/import.html"]
_STRING = r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_CALL = re.compile(rf"\b(n?gettext)\({_STRING}(?:, {_STRING})?")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def python_msgids(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_", "gettext", "gettext_lazy"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(node.args[0].value)
    return found


def template_msgids(path: Path) -> set[str]:
    code = templatize(path.read_text(), origin=str(path))
    found = set()
    for match in _CALL.finditer(code):
        found.add(ast.literal_eval(match.group(2)))
        if match.group(3):
            found.add(ast.literal_eval(match.group(3)))
    return found


def po_entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(MAIN.read_text(encoding="utf-8")) if not e.obsolete]


def catalogue() -> dict[str, polib.POEntry]:
    entries = {}
    for entry in po_entries():
        if "fuzzy" in entry.flags:
            continue
        entries[entry.msgid] = entry
        if entry.msgid_plural:
            entries[entry.msgid_plural] = entry
    return entries


def translations(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())


def test_every_message_has_a_vietnamese_translation():
    msgids = set().union(*map(python_msgids, SOURCES), *map(template_msgids, TEMPLATES))
    assert len(msgids) > 80  # the extraction itself works
    entries = catalogue()
    missing = sorted(m for m in msgids if m not in entries)
    assert not missing, missing
    # Empty, or the English text copied as a placeholder, is not a translation.
    untranslated = [
        m for m in msgids if not any(text and text != m for text in translations(entries[m]))
    ]
    assert not untranslated, untranslated


def test_django_serves_the_translations():
    msgids = set().union(*map(python_msgids, SOURCES), *map(template_msgids, TEMPLATES))
    entries = catalogue()
    assert len(msgids) > 20  # the reading of the sources found them
    with translation.override("vi"):
        for m in sorted(msgids):
            if not entries[m].msgid_plural:
                assert translation.gettext(m) == entries[m].msgstr, m


def test_translations_keep_their_placeholders():
    entries = catalogue()
    assert sum(bool(_PLACEHOLDER.search(e.msgid)) for e in entries.values()) > 20
    for entry in entries.values():
        wanted = set(_PLACEHOLDER.findall(entry.msgid))
        for text in translations(entry):
            if text:
                assert set(_PLACEHOLDER.findall(text)) == wanted, entry.msgid


def test_the_example_from_the_issue_reads_as_expected():
    entries = catalogue()
    row = entries["Row %(row)s, column «%(column)s»: %(problem)s"].msgstr
    problem = entries["«%(value)s» is not a valid date; enter it as dd/mm/yyyy."].msgstr
    text = row % {"row": 12, "column": "Ngày sinh", "problem": problem % {"value": "31/02/1990"}}
    assert text.startswith("Dòng 12, cột «Ngày sinh»: «31/02/1990» không phải")
    assert "ngày hợp lệ" in text and text.endswith("dd/mm/yyyy.")
