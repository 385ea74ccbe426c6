"""The weekly progress of a unit's children as a workbook, in a stable layout (decision 0022,
docs/tracking-export.md): sheet «Tiến độ», header on row 1 (:data:`EXPORT_COLUMNS`, always the
same labels in the same order, whatever the page's language), then one row per child unit
ranked, then the unit itself (rank and group empty). Sheet «Thông tin» says what the figures
are (unit, week, course, as of, k).

Counts are numbers; rates are percentages (numbers with one decimal); a withheld sub-column
(fewer than k people, ``reports.protection``) is the text ``<k``, exactly as on the page. Text
never becomes a formula (a leading ``= + - @`` gets Excel's quote prefix).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from opentemis.core.text import nfc
from opentemis.tracking.models import COLUMNS, MEASURES
from opentemis.tracking.selectors import Figures, UnitWeek

SHEET = "Tiến độ"
INFO_SHEET = "Thông tin"
_MEASURE_LABELS = {
    "enrolled": "Đăng ký",
    "started": "Đã bắt đầu",
    "completed": "Hoàn thành",
    "passed": "Đạt",
}
_COLUMN_LABELS = {
    "total": "tổng",
    "women": "nữ",
    "dtts": "DTTS",
    "women_dtts": "nữ DTTS",
    "disadvantaged": "vùng khó khăn",
}
#: (key, header label) of every column, in order: the documented layout.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("rank", "Xếp hạng"),
    ("group", "Nhóm"),
    ("completion_rate", "Tỷ lệ hoàn thành (%)"),
    ("start_rate", "Tỷ lệ đã bắt đầu (%)"),
    ("pass_rate", "Tỷ lệ đạt (%)"),
    *(
        (f"{m}_{c}", f"{_MEASURE_LABELS[m]} - {_COLUMN_LABELS[c]}")
        for m in MEASURES
        for c in COLUMNS
    ),
)
_FORMULA_START = ("=", "+", "-", "@")


def row_values(row: Figures, k: int, *, ranked: bool = True) -> list[Any]:
    """One unit's cells in :data:`EXPORT_COLUMNS` order (``None``: an empty cell)."""
    values: list[Any] = [
        row.code,
        row.name,
        row.rank if ranked else None,
        row.group if ranked else None,
        row.completion_rate,
        row.start_rate,
        row.pass_rate,
    ]
    for measure in MEASURES:
        b = getattr(row, measure)
        for column in COLUMNS:
            value = getattr(b, column)
            values.append(f"<{k}" if value is None else value)
    return values


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        value = nfc(value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value


def workbook(view: UnitWeek) -> bytes:
    """The export of ``view`` (already protected by the selector)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    for column, (_key, label) in enumerate(EXPORT_COLUMNS, start=1):
        _put(ws, 1, column, label)
        ws.cell(row=1, column=column).font = Font(bold=True)
    ws.freeze_panes = "C2"
    line = 2
    for child in view.children:
        for column, value in enumerate(row_values(child, view.min_cell), start=1):
            _put(ws, line, column, value)
        line += 1
    for column, value in enumerate(row_values(view.own, view.min_cell, ranked=False), start=1):
        _put(ws, line, column, value)
        ws.cell(row=line, column=column).font = Font(bold=True)
    info = wb.create_sheet(INFO_SHEET)
    run = view.run
    facts = [
        ("Đơn vị", f"{view.unit.name} ({view.unit.code})"),
        ("Năm học", view.school_year.code),
        ("Tuần (thứ Hai)", view.week.isoformat()),
        ("Khóa học", f"{view.course.code} {view.course.title}" if view.course else "Tất cả"),
        ("Số liệu tính đến", run.as_of.isoformat(timespec="minutes") if run else ""),
        ("Ngưỡng bảo vệ ô nhỏ (k)", view.min_cell),
        ("Nhóm", ", ".join(f"{g.name} ≥ {g.min_rate:g}%" for g in view.groups.groups)),
    ]
    for line, (label, value) in enumerate(facts, start=1):
        _put(info, line, 1, label)
        _put(info, line, 2, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(view: UnitWeek) -> str:
    course = view.course.code if view.course else "tat-ca"
    return f"tien-do-{view.unit.code}-{course}-{view.week.isoformat()}.xlsx"
