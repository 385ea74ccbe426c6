"""PDF documents on fpdf2 with a bundled font that covers Vietnamese completely.

The fonts (DejaVu Sans regular, bold, oblique; licence in ``fonts/LICENSE.txt``) ship inside
the package, so a PDF looks the same on every server and no system font is needed. DejaVu has
a precomposed glyph for every Vietnamese letter (Latin-1, Latin Extended-A/B and Latin Extended
Additional: ằ, ẵ, ự, ỹ ...).

Every string is NFC-normalised on its way into the document (:meth:`Document.normalize_text`
is the single funnel fpdf2 passes text through): text pasted from old documents or typed on
some phones arrives decomposed (a base letter then combining marks), which would be drawn as
stacked glyphs with misplaced marks and could not be searched or copied back as typed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


def nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", "" if text is None else str(text))


class Document(FPDF):
    """An A4 document in the bundled font; ``to_bytes()`` gives the finished file."""

    def __init__(
        self, *, orientation: str = "P", title: str = "", margin: float = 15, size: float = 10
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, filename in _FONT_FILES.items():
            self.add_font(FAMILY, style, str(FONT_DIR / filename))
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(True, margin)
        self.set_font(FAMILY, size=size)
        self.set_creator("OpenTEMIS")
        self.set_lang("vi")
        if title:
            self.set_title(nfc(title))

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(nfc(text))

    @property
    def content_width(self) -> float:
        return float(self.w - self.l_margin - self.r_margin)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def grouped_heading(
    pdf_table: Any, columns: Sequence[Any], spans: dict[int, tuple[str, int]]
) -> None:
    """The heading rows of an fpdf2 table whose columns may sit under a spanning group title.

    ``columns`` have ``title`` and ``group`` (empty: not grouped); ``spans`` maps the index of
    a group's first column to (group title, number of columns). Ungrouped columns span both
    heading rows.
    """
    head = pdf_table.row()
    for i, column in enumerate(columns):
        if column.group:
            if i in spans:
                title, span = spans[i]
                head.cell(title, align="C", colspan=span)
        else:
            head.cell(column.title, align="C", rowspan=2 if spans else 1)
    if spans:
        sub = pdf_table.row()
        for column in columns:
            if column.group:
                sub.cell(column.title, align="C")
