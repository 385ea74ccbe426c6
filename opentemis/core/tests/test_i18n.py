"""The Vietnamese catalogue is complete and its compiled .mo is the one in the repository."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
TEMPLATES = Path(settings.BASE_DIR) / "opentemis" / "templates"


def test_catalogue_is_fully_translated():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_committed_mo_matches_po():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0)) for e in mo}
    expected = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0)) for e in po if e.msgid}
    assert {k: v for k, v in expected.items() if compiled.get(k) != v} == {}


def test_every_template_string_is_in_catalogue():
    po = polib.pofile(str(PO))
    known = {e.msgid for e in po}
    pattern = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1""")
    missing = set()
    for path in TEMPLATES.rglob("*.html"):
        for _quote, text in pattern.findall(path.read_text(encoding="utf-8")):
            if text not in known:
                missing.add(text)
    assert missing == set()


@pytest.mark.parametrize(
    ("english", "vietnamese"), [("Staff", "Cán bộ, giáo viên"), ("Sign in", "Đăng nhập")]
)
def test_vietnamese_is_active(english, vietnamese):
    with translation.override("vi"):
        assert translation.gettext(english) == vietnamese
