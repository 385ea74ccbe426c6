"""The class results as an Excel workbook (the house style of training/xlsx_export.py): one
sheet «Kết quả lớp», a row per learner, a column per session, then the share and whether the
threshold is met."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from opentemis.classes.models import AttendanceStatus
from opentemis.classes.selectors import Results

SHEET = "Kết quả lớp"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_WRAP = Alignment(wrap_text=True, vertical="top")
_MARK = {
    AttendanceStatus.PRESENT: "x",
    AttendanceStatus.EXCUSED: "P",
    AttendanceStatus.ABSENT: "v",
}


def results_workbook(title: str, data: Results) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([title])
    sheet.append(
        [
            _("Attendance threshold: %(share)s %%; present (x), excused (P), absent (v).")
            % {"share": f"{data.threshold * 100:.0f}"}
        ]
    )
    header = [
        _("No."),
        _("Full name"),
        _("Staff code"),
        *[
            f"{s.date:%d/%m/%Y}" + (f" ({_('cancelled')})" if s.cancelled else "")
            for s in data.sessions
        ],
        _("Sessions present"),
        _("Sessions held"),
        _("Share (%)"),
        _("Periods attended"),
        _("Threshold met"),
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for number, row in enumerate(data.rows, start=1):
        person = row.member.enrolment.person
        sheet.append(
            [
                number,
                person.full_name,
                person.staff_code,
                *[_MARK.get(m, "") for m in row.marks],  # type: ignore[call-overload]
                row.present,
                row.held,
                float(round(row.share * 100, 1)),
                float(row.periods),
                _("Yes") if row.met else _("No"),
            ]
        )
    widths = {1: 6, 2: 30, 3: 14}
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(index, 12)
    sheet.freeze_panes = "D4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
