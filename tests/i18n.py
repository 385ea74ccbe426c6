"""Finding an app's translatable messages (code and templates) and checking them against the
Vietnamese catalogue. Used by the per-app i18n tests and the check over every app."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
MAIN = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
GETTEXT = {"_", "gettext", "gettext_lazy"}
_STRING = r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_CALL = re.compile(rf"\bn?gettext\({_STRING}(?:, {_STRING})?")
# Loanwords written the same in Vietnamese.
SAME_IN_VIETNAMESE = {
    "Email",
    "email",
    "Menu",
    "PDF",
    "Excel",
    "API",
    "BDTX",
    "Video",
    "SCORM",
    "H5P",
}


def python_msgids(app: Path) -> set[str]:
    """Literal first arguments of gettext calls in the app's code (tests, migrations aside)."""
    found = set()
    for path in app.rglob("*.py"):
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


def template_msgids(templates: Path) -> set[str]:
    """Messages of ``{% translate %}`` / ``{% blocktranslate %}`` in a template folder."""
    found = set()
    for path in templates.rglob("*.html"):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in _CALL.finditer(code):
            found.add(ast.literal_eval(match[1]))
    return found


def catalogue() -> dict[str, polib.POEntry]:
    """Translated entries by msgid (a plural entry's singular form counts, with its first
    translated form, Vietnamese having one)."""
    entries = {}
    for e in polib.pofile(str(MAIN)):
        if e.obsolete or "fuzzy" in e.flags:
            continue
        if e.msgid_plural:
            e.msgstr = e.msgstr_plural.get(0, "")
        entries[e.msgid] = e
    return entries


def problems(used: set[str]) -> list[str]:
    """What is wrong with ``used`` messages in the catalogue: missing, English copied as the
    translation, placeholders changed."""
    entries = catalogue()
    found = [f"missing: {m}" for m in sorted(used - entries.keys())]
    for msgid in sorted(used & entries.keys()):
        msgstr = entries[msgid].msgstr
        if msgstr == "" or (msgstr == msgid and msgid not in SAME_IN_VIETNAMESE):
            found.append(f"untranslated: {msgid}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
            found.append(f"placeholders: {msgid}")
    return found
