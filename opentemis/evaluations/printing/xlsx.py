"""The forms as spreadsheets (openpyxl): the same :class:`Form` data as the PDFs, laid out on a
grid whose columns are the table's columns, printable on one A4 page width.

User text never becomes a formula: every text cell is written as a string, and text starting
with ``= + - @`` gets Excel's quote prefix, so editing the cell later keeps it text too
(spreadsheet formula injection).
"""

from __future__ import annotations

import io
import math
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from opentemis.core.pdf import nfc
from opentemis.evaluations.printing.layout import DOTS, MOTTO, Column, Form, Paragraph, Table

FONT = "Times New Roman"
MM_PER_WIDTH_UNIT = 1.85  # one Excel column width unit is about 7 px, 1.85 mm
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="EBEBEB")
_FORMULA_START = ("=", "+", "-", "@")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def render(form: Form) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on its one worksheet
    ws.title = _SHEET_NAME_BAD.sub("-", form.code)[:31]
    sheet = _Sheet(ws, form)
    sheet.write()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Sheet:
    def __init__(self, ws: Worksheet, form: Form) -> None:
        self.ws = ws
        self.form = form
        self.columns = form.table.columns if form.table else [Column("", form.page_width)]
        self.n = len(self.columns)
        self.row = 1

    # --- cells -----------------------------------------------------------------------------

    def put(
        self,
        row: int,
        first: int,
        last: int,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float = 11,
        align: str = "left",
        border: bool = False,
        fill: PatternFill | None = None,
    ) -> None:
        cell = self.ws.cell(row=row, column=first)
        text = nfc(text)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True
        cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if fill is not None:
            cell.fill = fill
        if last > first:
            self.ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        if border:
            for column in range(first, last + 1):
                self.ws.cell(row=row, column=column).border = _BOX

    def head(self, row: int, first: int, last: int, text: str) -> None:
        """A cell of the table's head."""
        self.put(row, first, last, text, bold=True, align="center", border=True, fill=_HEAD_FILL)

    def width_units(self, first: int, last: int) -> float:
        return sum(c.width for c in self.columns[first - 1 : last]) / MM_PER_WIDTH_UNIT

    def fit_height(self, row: int, first: int, last: int, text: str, size: float = 11) -> None:
        """Excel does not grow merged or wrapped rows on opening: estimate the height."""
        per_line = max(1.0, self.width_units(first, last) * 1.15 * 11 / size)
        lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        height = max(15.0, lines * size * 1.35)
        current = self.ws.row_dimensions[row].height or 0
        self.ws.row_dimensions[row].height = max(current, height)

    def split(self, parts: int, share: float | None = None) -> list[tuple[int, int]]:
        """Column ranges dividing the width into ``parts`` (or a left ``share`` and the rest)."""
        total = sum(c.width for c in self.columns)
        bounds = (
            [total * share] if share is not None else [total * i / parts for i in range(1, parts)]
        )
        ranges, first, acc = [], 1, 0.0
        for i, column in enumerate(self.columns, 1):
            acc += column.width
            if bounds and acc >= bounds[0] - 0.01 and i < self.n:
                ranges.append((first, i))
                first = i + 1
                bounds.pop(0)
        ranges.append((first, self.n))
        while len(ranges) < (parts if share is None else 2):
            ranges.append(ranges[-1])
        return ranges

    def paragraph(self, paragraph: Paragraph) -> None:
        text = ("    " if paragraph.indent else "") + paragraph.text
        align = {"C": "center", "R": "right"}.get(paragraph.align, "left")
        self.put(
            self.row, 1, self.n, text, bold=paragraph.bold, italic=paragraph.italic, align=align
        )
        self.fit_height(self.row, 1, self.n, text)
        self.row += 1

    # --- the form --------------------------------------------------------------------------

    def write(self) -> None:
        self.header()
        for line in self.form.fields:
            for (first, last), (label, value) in zip(self.split(len(line)), line, strict=False):
                text = f"{label}: {value or DOTS}"
                self.put(self.row, first, last, text)
                self.fit_height(self.row, first, last, text)
            self.row += 1
        for paragraph in self.form.intro:
            self.paragraph(paragraph)
        table_rows = None
        if self.form.table is not None:
            self.row += 1
            table_rows = self.table(self.form.table)
            self.row += 1
        for paragraph in self.form.after:
            self.paragraph(paragraph)
        self.signatures()
        self.page_setup(table_rows)

    def header(self) -> None:
        form = self.form
        self.put(self.row, 1, self.n, form.code, italic=True, size=9, align="right")
        self.row += 1
        motto = (1, self.n)
        if form.agency:
            left, motto = self.split(2, share=0.42)
            self.put(self.row, *left, form.agency[0], size=11, align="center")
            self.put(self.row + 1, *left, form.agency[1], bold=True, size=11, align="center")
        self.put(self.row, *motto, MOTTO[0], bold=True, size=11, align="center")
        self.put(self.row + 1, *motto, MOTTO[1], bold=True, size=12, align="center")
        self.row += 3
        self.put(self.row, 1, self.n, form.title.upper(), bold=True, size=13, align="center")
        self.fit_height(self.row, 1, self.n, form.title, size=13)
        self.row += 1
        for line in form.subtitle:
            self.put(self.row, 1, self.n, line, italic=True, align="center")
            self.row += 1
        self.row += 1

    def table(self, table: Table) -> tuple[int, int]:
        head_top = self.row
        spans = {first: (title, span) for title, first, span in table.group_spans()}
        for i, column in enumerate(table.columns, 1):
            if column.group:
                if i - 1 in spans:
                    title, span = spans[i - 1]
                    self.head(self.row, i, i + span - 1, title)
                self.head(self.row + 1, i, i, column.title)
            else:
                self.head(self.row, i, i, column.title)
                if spans:
                    self.head(self.row + 1, i, i, "")
                    self.ws.merge_cells(
                        start_row=self.row, start_column=i, end_row=self.row + 1, end_column=i
                    )
            self.fit_height(self.row, i, i, column.title if not column.group else "")
        self.row += 2 if spans else 1
        head_bottom = self.row - 1
        for row in table.rows:
            if row.heading:
                self.put(self.row, 1, self.n, row.cells[0], bold=True, border=True)
                self.fit_height(self.row, 1, self.n, row.cells[0])
            else:
                for i, (column, text) in enumerate(zip(table.columns, row.cells, strict=True), 1):
                    align = "center" if column.align == "C" else "left"
                    self.put(self.row, i, i, text, bold=row.bold, align=align, border=True)
                    self.fit_height(self.row, i, i, text)
            self.row += 1
        return head_top, head_bottom

    def signatures(self) -> None:
        form = self.form
        count = max(1, len(form.signatures))
        self.row += 1
        right = self.split(2)[1]
        self.put(self.row, *right, form.place_date, italic=True, align="center")
        self.row += 1
        blocks = [right] if count == 1 else self.split(count)
        for (first, last), signature in zip(blocks, form.signatures, strict=False):
            self.put(self.row, first, last, signature.title, bold=True, align="center")
            self.put(self.row + 1, first, last, signature.note, italic=True, align="center")
            self.put(self.row + 5, first, last, signature.name, bold=True, align="center")
        self.row += 6

    def page_setup(self, table_rows: tuple[int, int] | None) -> None:
        ws = self.ws
        for i, column in enumerate(self.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(
                3.5, round(column.width / MM_PER_WIDTH_UNIT, 1)
            )
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait" if self.form.orientation == "P" else "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        fit = ws.sheet_properties.pageSetUpPr
        if fit is None:
            fit = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
        fit.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_options.horizontalCentered = True
        if table_rows is not None:
            ws.print_title_rows = f"{table_rows[0]}:{table_rows[1]}"
        ws.sheet_view.showGridLines = False
