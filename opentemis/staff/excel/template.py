"""The import template: the data sheet with dropdowns and the instructions sheet."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from opentemis.accounts.models import User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.core.scoping import actor_scope
from opentemis.orgs.models import Unit
from opentemis.staff.ethnicities import ETHNICITIES
from opentemis.staff.excel.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    GENDER_LABELS,
    HELP_SHEET,
    QUALIFICATION_LABELS,
    STATUS_LABELS,
    TEXT_COLUMNS,
)
from opentemis.staff.excel.export import _HEADER_FILL, _HEADER_FONT
from opentemis.staff.models import Position, Subject


def _column_help() -> dict[str, tuple[str, str]]:
    """Per column: (required?, what to enter). Shown in the instructions and as cell prompts."""
    yes, new, no = _("Yes"), _("For new people"), _("No")
    return {
        "staff_code": (yes, _("The person's staff code. It identifies the person: an existing "
                              "code updates that person, a new code adds one.")),
        "full_name": (new, _("Full name with accents, e.g. Nguyễn Văn An.")),
        "gender": (new, _("Nam or Nữ.")),
        "date_of_birth": (no, _("Date as dd/mm/yyyy, e.g. 17/05/1985.")),
        "ethnicity": (no, _("Name or code of the ethnic group, e.g. Kinh or 01. Empty for a "
                            "new person means Kinh.")),
        "phone": (no, _("Phone number with its leading 0, e.g. 0912345678.")),
        "email": (no, _("Email address, e.g. an@truong.edu.vn.")),
        "qualification": (no, _("Highest qualification, chosen from the list.")),
        "positions": (no, _("Position codes or names, several separated by commas, "
                            "e.g. GV, TTCM.")),
        "subjects": (no, _("Subject codes or names taught, several separated by commas, "
                           "e.g. TOAN, TIN.")),
        "subject_group": (no, _("Name of the subject group in the person's school; a new name "
                                "creates the group.")),
        "unit_code": (no, _("Code of the person's school or unit. Empty means the unit you "
                            "import into; another code moves the person there.")),
        "status": (no, _("Employment status, chosen from the list. Empty for a new person "
                         "means Đang công tác.")),
    }  # fmt: skip


def staff_template_xlsx(*, actor: User | None = None, unit: Unit | None = None) -> bytes:
    """The import template: the data sheet with dropdowns and the instructions sheet.

    With ``actor`` and ``unit``, the instructions also list the codes of the units of the
    unit's subtree (the actor must be allowed to import there).
    """
    if unit is None:
        return _template(None)
    require_perm_on(actor, Perm.IMPORT_STAFF, unit.path)
    with actor_scope(actor):
        return _template(unit)


def _template(unit: Unit | None) -> bytes:
    workbook = Workbook()
    data = workbook.active
    assert isinstance(data, Worksheet)  # a new workbook opens on its one worksheet
    data.title = DATA_SHEET
    help_sheet = workbook.create_sheet(HELP_SHEET)
    column_help = _column_help()
    last_row = settings.IMPORT_MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        data.column_dimensions[letter].width = column.width
        if column.key in TEXT_COLUMNS:
            # Text cells keep leading zeros and stop Excel turning 05/06 into 6 May.
            data.column_dimensions[letter].number_format = "@"
    data.freeze_panes = "A2"

    lists = _write_help(help_sheet, column_help, unit)
    letters = {c.key: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    for key, (_required, prompt) in column_help.items():
        strict = key in {"gender", "qualification", "status"}
        source = lists.get(key)
        validation = DataValidation(
            type="list" if source else None,
            formula1=source,
            allow_blank=True,
            showErrorMessage=strict,
            showInputMessage=True,
            promptTitle=COLUMN_BY_KEY[key].header,
            prompt=prompt[:255],
        )
        if strict:
            validation.errorTitle = COLUMN_BY_KEY[key].header
            validation.error = _("Choose a value from the list.")
        validation.add(f"{letters[key]}2:{letters[key]}{last_row}")
        data.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_help(
    ws: Worksheet, column_help: dict[str, tuple[str, str]], unit: Unit | None
) -> dict[str, str]:
    """Fill the instructions sheet; returns the list ranges used by the dropdowns."""
    bold = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 90
    ws.append([_("How to fill in the staff list")])
    ws["A1"].font = Font(bold=True, size=14)
    steps = [
        _("Fill in one row per person in the sheet «%(sheet)s», under the header row. Do not "
          "rename the header cells.") % {"sheet": DATA_SHEET},
        _("An empty cell keeps the value already recorded; the import never removes people "
          "who are not in the file."),
        _("Type values, not formulas: cells with formulas are refused."),
        _("Dates are written dd/mm/yyyy. Phone numbers keep their leading 0."),
        _("If any row has an error, nothing is imported: the page lists every error with its "
          "row and column, so you can correct them all and upload the file again."),
        _("Importing the same file again changes nothing; an exported list can be edited and "
          "imported back."),
    ]  # fmt: skip
    for number, step in enumerate(steps, start=1):
        ws.append([f"{number}.", None, step])
    ws.append([])
    ws.append([_("Column"), _("Required"), _("What to enter")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for column in COLUMNS:
        required, text = column_help[column.key]
        ws.append([column.header, required, text])
        ws.cell(row=ws.max_row, column=3).alignment = Alignment(wrap_text=True)

    ranges: dict[str, str] = {}
    title = f"'{HELP_SHEET}'"

    def table(heading: str, rows: list[tuple[str, str]], key: str | None, use_code: bool) -> None:
        ws.append([])
        ws.append([heading])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.append([_("Code"), _("Name")])
        for cell in ws[ws.max_row]:
            cell.font = bold
        first = ws.max_row + 1
        for code, name in rows:
            ws.append([code, name])
        if key is not None and rows:
            letter = "A" if use_code else "B"
            ranges[key] = f"{title}!${letter}${first}:${letter}${ws.max_row}"

    table(_("Genders"), [(label, label) for label in GENDER_LABELS.values()], "gender", True)
    table(
        _("Qualifications"),
        [(str(c), label) for c, label in QUALIFICATION_LABELS.items()],
        "qualification",
        False,
    )
    table(
        _("Employment statuses"),
        [(str(c), label) for c, label in STATUS_LABELS.items()],
        "status",
        False,
    )
    table(_("Positions"), list(Position.objects.values_list("code", "name")), "positions", True)
    table(_("Subjects"), list(Subject.objects.values_list("code", "name")), "subjects", True)
    table(_("Ethnic groups"), list(ETHNICITIES), "ethnicity", False)
    if unit is not None:
        units = list(
            Unit.objects.filter(path__startswith=unit.path)
            .order_by("path")
            .values_list("code", "name")[:5000]
        )
        table(_("Units"), units, "unit_code", True)
    return ranges
