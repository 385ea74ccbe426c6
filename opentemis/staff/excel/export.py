"""The staff list exported as an .xlsx in the import format."""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from opentemis.core.scoping import actor_scope
from opentemis.staff.ethnicities import NAMES
from opentemis.staff.excel.columns import (
    BATCH,
    COLUMNS,
    DATA_SHEET,
    GENDER_LABELS,
    QUALIFICATION_LABELS,
    STATUS_LABELS,
)
from opentemis.staff.models import Person, Position, Subject
from opentemis.staff.selectors import StaffFilter, staff_list

# ---------------------------------------------------------------------------------------------
# Export and template
# ---------------------------------------------------------------------------------------------

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def _safe(ws: Any, value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is stored as a plain string, explicitly.

    The cell keeps the exact text (so an export re-imports unchanged) but is typed as a string
    with Excel's quote prefix, so neither Excel nor LibreOffice evaluates it.
    """
    if isinstance(value, str) and value.startswith(_RISKY_START):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def export_staff_xlsx(*, actor: Any, filters: StaffFilter | None = None) -> IO[bytes]:
    """The actor's filtered staff list as an .xlsx in the import format; a temp file at 0.

    Streams with openpyxl's write-only mode over ``staff_list`` in chunks, so memory stays flat
    for a whole province. The caller closes the file (``FileResponse`` does).
    """
    with actor_scope(actor):
        qs = (
            staff_list(actor=actor, filters=filters)
            .select_related("unit", "subject_group")
            .prefetch_related(
                Prefetch("positions", queryset=Position.objects.only("id", "code", "order")),
                Prefetch("subjects", queryset=Subject.objects.only("id", "code", "order")),
            )
        )
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(DATA_SHEET)
        for index, column in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in COLUMNS:
            cell = WriteOnlyCell(ws, column.header)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            header.append(cell)
        ws.append(header)
        for person in qs.iterator(chunk_size=BATCH):
            ws.append([_safe(ws, value) for value in _export_values(person)])
        out = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who closes it)
        workbook.save(out)
    out.seek(0)
    return out


def _export_values(person: Person) -> list[Any]:
    born = person.date_of_birth
    return [
        person.staff_code,
        person.full_name,
        GENDER_LABELS.get(person.gender, person.gender),
        born.strftime("%d/%m/%Y") if born else None,
        NAMES.get(person.ethnicity, person.ethnicity),
        person.phone or None,
        person.email or None,
        QUALIFICATION_LABELS.get(person.qualification, person.qualification) or None,
        ", ".join(p.code for p in person.positions.all()) or None,
        ", ".join(s.code for s in person.subjects.all()) or None,
        person.subject_group.name if person.subject_group else None,
        person.unit.code,
        STATUS_LABELS.get(person.employment_status, person.employment_status),
    ]
