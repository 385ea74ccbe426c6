"""Every message of the app has a Vietnamese translation with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.template import templatize

from opentemis.standards.tests.conftest import PART

APP = Path(__file__).resolve().parents[1]
TEMPLATES = Path(settings.BASE_DIR) / "opentemis" / "templates" / "standards"
MAIN = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
GETTEXT = {"_", "gettext", "gettext_lazy"}


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
        for match in re.finditer(r"\bgettext\('((?:[^'\\]|\\.)*)'", code):
            found.add(ast.literal_eval(f"'{match[1]}'"))
    return found


def test_part_file_is_complete_and_keeps_placeholders():
    po = polib.pofile(str(PART))
    assert po.percent_translated() == 100
    for entry in po:
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
            PLACEHOLDER.findall(entry.msgstr)
        ), entry.msgid


def test_every_message_of_the_app_is_translated():
    translated = {e.msgid for e in polib.pofile(str(MAIN)) if e.msgstr}
    translated |= {e.msgid for e in polib.pofile(str(PART)) if e.msgstr}
    used = _python_msgids() | _template_msgids()
    assert len(used) > 100
    assert sorted(used - translated) == []
