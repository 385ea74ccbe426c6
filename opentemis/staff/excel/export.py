"""The staff list exported as an .xlsx in the import format."""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from opentemis.accounts.models import User
from opentemis.accounts.read_audit import audit_read
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
from opentemis.staff.sensitive import sees_sensitive_throughout

# Columns of sensitive personal data (staff/sensitive.py): left out for those who may not see it.
SENSITIVE_COLUMNS = {"ethnicity"}

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


def export_staff_xlsx(*, actor: User, filters: StaffFilter | None = None) -> IO[bytes]:
    """The actor's filtered staff list as an .xlsx in the import format; a temp file at 0.

    Streams with openpyxl's write-only mode over ``staff_list`` in chunks, so memory stays flat
    for a whole province. The caller closes the file (``FileResponse`` does).

    Sensitive data (decision 0012): the ethnicity column is there only when the actor may see
    it for everyone the list can hold; otherwise it is left out (a re-import of the file then
    leaves ethnicities as they are). The export is recorded in the audit log: one row with the
    number of rows and the filters.
    """
    filters = filters or StaffFilter()
    sensitive = sees_sensitive_throughout(actor, filters.unit)
    columns = [c for c in COLUMNS if sensitive or c.key not in SENSITIVE_COLUMNS]
    keep = [i for i, c in enumerate(COLUMNS) if sensitive or c.key not in SENSITIVE_COLUMNS]
    rows = 0
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
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, column.header)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            header.append(cell)
        ws.append(header)
        for person in qs.iterator(chunk_size=BATCH):
            values = _export_values(person)
            ws.append([_safe(ws, values[i]) for i in keep])
            rows += 1
        out = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who closes it)
        workbook.save(out)
        audit_read(
            actor=actor,
            action="reads.staff_export",
            unit=filters.unit,
            count=rows,
            filters={**filters.described(), "sensitive": sensitive},
        )
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
