"""The random sample as an Excel workbook (the house style of classes/xlsx_export.py): one sheet
«Mẫu kiểm đếm», a row per final product of each learner drawn (one row for a learner without a
product), in the order drawn. The first rows say which draw it is (unit, year, course, seed,
size, population), so the file can be checked against the audit log and drawn again.

Columns (stable, see :data:`COLUMNS`): who, unit, course, completed on, which product, which
submission, handed in on, status, score, graded by, graded on, best test score, survey handed
in, then the module certificate of the completion (appended after the first layout, so earlier
columns keep their places): its code, its state (valid, revoked, replaced), its date of issue
and the address of its public verification page (``selectors.certificates_of``).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from opentemis.accounts.audit_text import person_name
from opentemis.audits.selectors import Certificate
from opentemis.audits.services import Sample
from opentemis.products.models import Submission

SHEET = "Mẫu kiểm đếm"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_WRAP = Alignment(wrap_text=True, vertical="top")


def columns() -> list[str]:
    """The header row, in the interface's language (the layout is fixed)."""
    return [
        _("No."),
        _("Full name"),
        _("Staff code"),
        _("Unit"),
        _("Course"),
        _("Completed on"),
        _("Final product"),
        _("Submission"),
        _("Handed in on"),
        _("Status"),
        _("Score"),
        _("Graded by"),
        _("Graded on"),
        _("Best test score"),
        _("Survey handed in on"),
        _("Certificate code"),
        _("Certificate state"),
        _("Certificate issued on"),
        _("Verification page"),
    ]


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _number(value: Decimal | None) -> float | str:
    return float(value) if value is not None else ""


def _product_cells(s: Submission | None) -> list[Any]:
    if s is None:
        return ["", "", "", "", "", "", ""]
    return [
        s.product.activity.title,
        s.number,
        _when(s.submitted_at),
        s.get_status_display(),
        _number(s.score),
        person_name(s.grader) if s.grader is not None else "",
        _when(s.graded_at),
    ]


def _certificate_cells(c: Certificate | None) -> list[str]:
    if c is None:
        return ["", "", "", ""]
    issued = timezone.localtime(c.issued_at).strftime("%d/%m/%Y") if c.issued_at else ""
    return [c.code, c.status_label, issued, c.url]


def sample_workbook(sample: Sample) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    course = str(sample.course) if sample.course is not None else _("All courses")
    asked = (
        _("%(n)s people") % {"n": sample.size}
        if sample.size is not None
        else _("%(share)s %% of the completions") % {"share": sample.share}
    )
    sheet.append([_("Random sample of completions")])
    sheet.append([_("Unit"), sample.unit.name, _("School year"), sample.school_year.code])
    sheet.append([_("Course"), course, _("Seed"), sample.seed])
    sheet.append([_("Asked"), asked, _("Completions in all"), sample.population])
    header = columns()
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for number, row in enumerate(sample.rows, start=1):
        enrolment = row.enrolment
        person = enrolment.person
        who = [
            number,
            person.full_name,
            person.staff_code,
            person.unit.name,
            str(enrolment.course),
            _when(enrolment.completed_at),
        ]
        tail = [
            _number(row.best_score),
            _when(row.survey_at) if row.surveyed else "",
            *_certificate_cells(row.certificate),
        ]
        products: list[Submission | None] = [*row.latest_submissions] or [None]
        for submission in products:
            sheet.append([*who, *_product_cells(submission), *tail])
    widths = {1: 6, 2: 28, 3: 14, 4: 28, 5: 34, 7: 28, 19: 48}
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(index, 14)
    sheet.freeze_panes = f"C{header_row + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
