"""The TEMIS report as a workbook (openpyxl): one sheet per section of :func:`report_sheets`.

Figures stay figures: counts are numbers, percentages are numbers (a fraction with a ``0.0%``
format), so officers can sum, sort and chart them in Excel; a suppressed figure is the text
"<k" and "nothing to count" a dash. Each sheet opens with the section title and a line naming
the unit, the school year and when the figures were computed; the table's header rows stay
frozen while scrolling.

Text never becomes a formula: every text cell is written as a string, and text starting with
``= + - @`` gets Excel's quote prefix (spreadsheet formula injection; unit names are user text).
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from opentemis.core.pdf import nfc
from opentemis.reports.data import ReportData
from opentemis.reports.exports import (
    Cell,
    Column,
    Sheet,
    Table,
    as_of_text,
    report_sheets,
    report_title,
    suppressed_text,
    suppression_note,
)

FONT = "Times New Roman"
MM_PER_WIDTH_UNIT = 1.85  # one Excel column width unit is about 7 px, 1.85 mm
INT_FORMAT = "#,##0"
PCT_FORMAT = "0.0%"
DEC_FORMAT = "0.00"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="EBEBEB")
_LEVEL_FILL = PatternFill("solid", fgColor="F6F6F6")
_FORMULA_START = ("=", "+", "-", "@")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def report_xlsx(data: ReportData) -> bytes:
    """The whole report as one workbook, a sheet per section."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the default sheet: every sheet is named below
    workbook.properties.title = nfc(report_title())
    workbook.properties.subject = nfc(f"{data.unit_name}, {data.school_year}")
    workbook.properties.creator = "OpenTEMIS"
    names: set[str] = set()
    for sheet in report_sheets(data):
        name = _SHEET_NAME_BAD.sub("-", nfc(sheet.name))[:31]
        while name in names:  # a translation could make two names equal
            name = f"{name[:28]}-{len(names)}"
        names.add(name)
        _SheetWriter(workbook.create_sheet(name), sheet, data).write()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _SheetWriter:
    def __init__(self, ws: Worksheet, sheet: Sheet, data: ReportData) -> None:
        self.ws = ws
        self.sheet = sheet
        self.data = data
        self.suppressed = suppressed_text(data.min_cell)
        self.row = 1
        self.widths: dict[int, float] = {}

    def cell(self, row: int, column: int) -> XlCell:
        """The cell at ``row``, ``column``: a plain cell, since every cell is written before a
        merge covers it."""
        cell = self.ws.cell(row=row, column=column)
        assert isinstance(cell, XlCell)
        return cell

    def text(self, row: int, column: int, value: str, **style: Any) -> XlCell:
        cell = self.cell(row, column)
        value = nfc(value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
        self.style(cell, **style)
        return cell

    @staticmethod
    def style(
        cell: XlCell,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float = 11,
        align: str = "left",
        border: bool = False,
        fill: PatternFill | None = None,
        wrap: bool = False,
    ) -> None:
        cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
        if border:
            cell.border = _BOX
        if fill is not None:
            cell.fill = fill

    def value(self, row: int, column: int, value: Cell, spec: Column, bold: bool) -> None:
        if value is None:
            self.text(row, column, self.suppressed, bold=bold, align="right", border=True)
            return
        if isinstance(value, str):
            align = "left" if spec.kind == "text" else "center"
            self.text(row, column, value, bold=bold, align=align, border=True)
            return
        cell = self.cell(row, column)
        if spec.kind == "pct":
            cell.value = round(value / 100, 4)
            cell.number_format = PCT_FORMAT
        elif spec.kind == "dec":
            cell.value = value
            cell.number_format = DEC_FORMAT
        else:
            cell.value = value
            cell.number_format = INT_FORMAT
        self.style(cell, bold=bold, align="center" if spec.kind == "code" else "right", border=True)

    def write(self) -> None:
        ws, data, sheet = self.ws, self.data, self.sheet
        self.text(1, 1, sheet.title, bold=True, size=13)
        line = f"{data.unit_name} · {_('School year')} {data.school_year} · {as_of_text(data)}"
        self.text(2, 1, line, italic=True)
        self.row = 4
        frozen = 3
        for i, table in enumerate(sheet.tables):
            first_data = self.table(table)
            if i == 0 and len(sheet.tables) == 1:
                frozen = first_data
        ws.freeze_panes = f"A{frozen}"
        for column, width in self.widths.items():
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait" if sheet.orientation == "P" else "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.page_setup.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.print_options.horizontalCentered = True

    def table(self, table: Table) -> int:
        """Write ``table`` from ``self.row``; the number of its first data row."""
        n = len(table.columns)
        for i, column in enumerate(table.columns, 1):
            width = max(4.0, round(column.width / MM_PER_WIDTH_UNIT * 1.1, 1))
            self.widths[i] = max(self.widths.get(i, 0.0), width)
        self.text(self.row, 1, table.title, bold=True, size=12)
        self.row += 1
        spans = {first: (title, span) for title, first, span in table.group_spans()}
        head = {"bold": True, "align": "center", "border": True, "fill": _HEAD_FILL, "wrap": True}
        top = self.row
        for i, column in enumerate(table.columns, 1):
            if column.group:
                if i - 1 in spans:
                    title, span = spans[i - 1]
                    self.text(top, i, title, **head)
                    for j in range(i + 1, i + span):
                        self.text(top, j, "", **head)
                    if span > 1:
                        self.ws.merge_cells(
                            start_row=top, start_column=i, end_row=top, end_column=i + span - 1
                        )
                self.text(top + 1, i, column.title, **head)
            else:
                self.text(top, i, column.title, **head)
                if spans:
                    self.text(top + 1, i, "", **head)
                    self.ws.merge_cells(
                        start_row=top, start_column=i, end_row=top + 1, end_column=i
                    )
        self.ws.row_dimensions[top].height = 30 if not spans else 18
        self.row = top + (2 if spans else 1)
        first_data = self.row
        for row in table.rows:
            if row.heading:
                self.text(self.row, 1, str(row.cells[0]), bold=True, border=True, fill=_LEVEL_FILL)
                for j in range(2, n + 1):
                    self.text(self.row, j, "", border=True, fill=_LEVEL_FILL)
                if n > 1:
                    self.ws.merge_cells(
                        start_row=self.row, start_column=1, end_row=self.row, end_column=n
                    )
            else:
                for i, (column, value) in enumerate(zip(table.columns, row.cells, strict=True), 1):
                    self.value(self.row, i, value, column, row.bold)
            self.row += 1
        if not table.rows:
            self.text(self.row, 1, _("No figures yet."), italic=True)
            self.row += 1
        notes = [suppression_note(self.data.min_cell)] if table.has_suppressed else []
        for note in [*notes, *table.notes]:
            self.text(self.row, 1, note, italic=True, size=10)
            self.row += 1
        self.row += 1
        return first_data
