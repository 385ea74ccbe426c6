"""A form as data: what to print, independent of the file format.

Each official form has ONE builder (:mod:`.official_forms`) that reads the records and returns a
:class:`Form`; :mod:`.pdf` and :mod:`.xlsx` render any :class:`Form`. The layout of a form is
decided once, so the PDF and the spreadsheet cannot drift apart (the same split as pretix's
exporters: one row generator, several renderers).

The layout follows the official forms: national motto top centre (or right, when an issuing
unit is named top left), the form code top right, the title, header fields, the table, then
comments and plan, the rating, the place and date and the signature blocks. Labels are
Vietnamese literal text (the forms are official documents), never translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opentemis.standards.rules import LEVEL_CODES, Level

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
# Level codes as printed in the form tables (CĐ/Đ/K/T) and in full, from their declaration.
LEVEL_ORDER = LEVEL_CODES
LEVEL_SHORT = {level.code: level.short for level in Level}
LEVEL_FULL = {level.code: level.legal_name for level in Level}
MARK = "X"
DOTS = "…………………"


@dataclass(frozen=True)
class Column:
    """A table column. ``width`` is in mm on the page (portrait A4 content: 180 mm, landscape:
    267 mm); the spreadsheet derives its column widths from it. Columns with the same ``group``
    get one merged title above theirs ("Kết quả xếp loại" over CĐ, Đ, K, T)."""

    title: str
    width: float
    align: str = "L"
    group: str = ""


@dataclass
class Row:
    """A table row; a ``heading`` row is one full-width bold cell (a standard's name)."""

    cells: list[str]
    heading: bool = False
    bold: bool = False


@dataclass
class Table:
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)

    def group_spans(self) -> list[tuple[str, int, int]]:
        """(group title, first column index, span) for each run of grouped columns."""
        spans: list[tuple[str, int, int]] = []
        for i, col in enumerate(self.columns):
            if col.group and spans and spans[-1][0] == col.group and sum(spans[-1][1:]) == i:
                title, first, span = spans[-1]
                spans[-1] = (title, first, span + 1)
            elif col.group:
                spans.append((col.group, i, 1))
        return spans


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    indent: bool = False
    align: str = "L"


@dataclass
class Signature:
    title: str
    name: str = ""
    note: str = "(Ký và ghi rõ họ tên)"


@dataclass
class Form:
    """One printed form. ``fields`` holds lines of (label, value) pairs, one or two a line."""

    code: str
    title: str
    filename: str
    orientation: str = "P"
    agency: list[str] = field(default_factory=list)
    subtitle: list[str] = field(default_factory=list)
    fields: list[list[tuple[str, str]]] = field(default_factory=list)
    intro: list[Paragraph] = field(default_factory=list)
    table: Table | None = None
    after: list[Paragraph] = field(default_factory=list)
    place_date: str = ""
    signatures: list[Signature] = field(default_factory=list)

    @property
    def page_width(self) -> float:
        """Content width in mm of an A4 page with 15 mm margins."""
        return 180.0 if self.orientation == "P" else 267.0


def level_marks(code: str | None) -> list[str]:
    """The four level cells CĐ, Đ, K, T with an X in the one for ``code``."""
    return [MARK if code == level else "" for level in LEVEL_ORDER]


def level_columns(width: float = 10, group: str = "Kết quả xếp loại") -> list[Column]:
    return [Column(LEVEL_SHORT[code], width, "C", group) for code in LEVEL_ORDER]


def full_level(code: str | None) -> str:
    return LEVEL_FULL.get(code or "", "")
