"""The paper template: one sheet per framework prefilled with the school's people, and help."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from opentemis.accounts.models import User
from opentemis.core.scoping import actor_scope
from opentemis.evaluations import access
from opentemis.evaluations.models import LOCKED_STATUSES, Cycle, Evaluation
from opentemis.evaluations.paper.common import (
    is_evaluated,
    require_importer,
    school_people,
)
from opentemis.evaluations.paper.sheets import (
    CODE_HEADER,
    HELP_SHEET,
    LEVEL_LABELS,
    NAME_HEADER,
    OVERALL_HEADER,
    FrameworkResolver,
    PaperSheet,
    criterion_header,
    sheets_for,
)
from opentemis.orgs.models import Unit
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.standards.models import Criterion

HEADER_ROW = 2
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_READ_ONLY_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
# Room under the prefilled rows for people the registry missed (typed in by the school).
SPARE_ROWS = 100


def paper_template_xlsx(*, actor: User, unit: Unit, cycle: Cycle) -> bytes:
    """The template for ``unit`` in ``cycle``: a sheet per framework with the working staff the
    actor evaluates and whose result is not final yet, dropdowns for the levels, and help."""
    require_importer(actor, unit, cycle)
    with actor_scope(actor):
        people = [p for p in school_people(unit) if p.employment_status == EmploymentStatus.WORKING]
        people = [p for p in people if is_evaluated(p)]
        evaluations = {
            e.person_id: e
            for e in Evaluation.objects.filter(cycle=cycle, person__in=people).select_related(
                "framework"
            )
        }
        resolve = FrameworkResolver(cycle)
        rows: dict[int, list[Person]] = {}
        extra = []
        for person in people:
            evaluation = evaluations.get(person.pk)
            if evaluation is not None and evaluation.status in LOCKED_STATUSES:
                continue  # already final: nothing to record on paper
            if evaluation is not None:
                framework, kind = evaluation.framework, evaluation.kind
            else:
                try:
                    framework, kind = resolve(person)
                except ValidationError:  # no standard applies: the person cannot be rated
                    continue
            if not access.can_review_person(actor, person, kind=kind):
                continue
            extra.append((framework, kind))
            rows.setdefault(framework.pk, []).append(person)
        sheets = sheets_for(unit=unit, cycle=cycle, extra=extra)
        workbook = Workbook()
        help_sheet = workbook.active
        if not isinstance(help_sheet, Worksheet):  # never: a new workbook has one worksheet
            raise TypeError("a new workbook starts with a worksheet")
        help_sheet.title = HELP_SHEET
        for sheet in sheets:
            _write_sheet(workbook.create_sheet(sheet.name), sheet, unit, cycle, rows)
        _write_help(help_sheet, sheets, unit, cycle)
        # Open on the first data sheet: that is where the work is.
        if sheets:
            workbook.active = 1
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _criteria(sheet: PaperSheet) -> dict[int, str]:
    return dict(Criterion.objects.filter(framework=sheet.framework).values_list("number", "name"))


def _write_sheet(
    ws: Worksheet, sheet: PaperSheet, unit: Unit, cycle: Cycle, rows: dict[int, list[Person]]
) -> None:
    names = _criteria(sheet)
    headers = [CODE_HEADER, NAME_HEADER, *(criterion_header(n) for n in sheet.criteria)]
    headers.append(OVERALL_HEADER)
    ws.cell(row=1, column=1, value=f"{sheet.framework.title_vi} · {unit.name} · {cycle.name}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for index, header in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=header)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["A"].number_format = "@"
    ws.column_dimensions["B"].width = 30
    for index in range(3, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 10
    ws.column_dimensions[get_column_letter(len(headers))].width = 14
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3).coordinate

    people = rows.get(sheet.framework.pk, [])
    for offset, person in enumerate(people):
        row = HEADER_ROW + 1 + offset
        for column, value in ((1, person.staff_code), (2, person.full_name)):
            cell = ws.cell(row=row, column=column, value=value)
            cell.fill = _READ_ONLY_FILL
            if column == 1:
                cell.number_format = "@"

    last = HEADER_ROW + len(people) + SPARE_ROWS
    choices = '"' + ",".join(LEVEL_LABELS.values()) + '"'
    for index, number in enumerate(sheet.criteria, start=3):
        letter = get_column_letter(index)
        ws.add_data_validation(
            _level_validation(
                f"{letter}{HEADER_ROW + 1}:{letter}{last}",
                choices,
                criterion_header(number),
                names.get(number, ""),
            )
        )
    letter = get_column_letter(len(headers))
    ws.add_data_validation(
        _level_validation(
            f"{letter}{HEADER_ROW + 1}:{letter}{last}",
            choices,
            OVERALL_HEADER,
            _("The overall rating written on the paper form. The import recomputes it from "
              "the levels and shows any difference before saving."),
        )
    )  # fmt: skip


def _level_validation(cells: str, choices: str, title: str, prompt: str) -> DataValidation:
    # A warning, not a stop: "T" or "K" as written on the paper form BM1 are accepted too.
    validation = DataValidation(
        type="list",
        formula1=choices,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        showInputMessage=bool(prompt),
        promptTitle=title[:32],
        prompt=prompt[:255],
        errorTitle=title[:32],
        error=_("Choose Chưa đạt, Đạt, Khá or Tốt."),
    )
    validation.add(cells)
    return validation


def _write_help(ws: Worksheet, sheets: list[PaperSheet], unit: Unit, cycle: Cycle) -> None:
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 100
    ws.append([_("Entering the results of a paper evaluation")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([unit.name, cycle.name])
    sheet_names = ", ".join(f"«{s.name}»" for s in sheets)
    steps = [
        _("Each sheet (%(sheets)s) is one professional standard; it lists the staff you "
          "evaluate whose result is not final yet. Do not change the staff codes and names.")
        % {"sheets": sheet_names},
        _("For each person, copy from the paper form the level of every criterion and the "
          "overall rating: Chưa đạt, Đạt, Khá or Tốt (CĐ, Đ, K, T are accepted too)."),
        _("Leave a person's row empty if they were not evaluated on paper: the row is skipped. "
          "A row with some levels must have all of them."),
        _("To add someone missing from the list, type their staff code and name in an empty "
          "row of the sheet of their standard."),
        _("Type values, not formulas: cells with formulas are refused."),
        _("The overall rating is recomputed from the levels, as the regulation says. Before "
          "anything is saved, the import lists the rows where the written rating differs and "
          "why."),
        _("If any row has an error, nothing is saved: correct the file and upload it again. "
          "Results already finalised online are never overwritten. Importing the same file "
          "again changes nothing."),
    ]  # fmt: skip
    ws.append([])
    for number, step in enumerate(steps, start=1):
        ws.append([f"{number}.", step])
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True)
    for sheet in sheets:
        ws.append([])
        ws.append([sheet.name, sheet.framework.title_vi])
        ws.cell(row=ws.max_row, column=1).font = _BOLD
        ws.cell(row=ws.max_row, column=2).font = _BOLD
        for number, name in sorted(_criteria(sheet).items()):
            ws.append([criterion_header(number), name])
            ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True)
