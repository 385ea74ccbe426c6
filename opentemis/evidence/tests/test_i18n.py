"""Every message of the app has a Vietnamese translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings

PART = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "vi_evidence.po.part"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_part_file_is_complete_and_keeps_placeholders():
    po = polib.pofile(str(PART))
    assert po.percent_translated() == 100
    for entry in po:
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
            PLACEHOLDER.findall(entry.msgstr)
        ), entry.msgid


def test_refusal_messages_are_translated():
    msgids = {e.msgid for e in polib.pofile(str(PART))}
    source = (Path(__file__).resolve().parents[1] / "validation.py").read_text(encoding="utf-8")
    for needle in ("is not a real", "not accepted as evidence", "containing macros", "is empty"):
        assert needle in source
        assert any(needle in m for m in msgids), needle
