"""Caseloads uploaded from Excel (issue 14 item 2), on the project's import framework
(decision 0015, :func:`opentemis.core.imports.flow.run_import`): the check reads and validates
every row, the write saves all of them in one transaction, or nothing.

The sheet «Phân công» has two columns: «Mã cán bộ (đồng nghiệp)», the staff code of a mass
teacher of the unit's subtree, and «Mã cán bộ cốt cán», the staff code of a core teacher of the
year within the officer's units. Each row gives (or changes) that colleague's core teacher; no
core teacher may end past the maximum (``data/caseload.yaml``).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.cascade import balancing, services
from opentemis.cascade.models import Caseload
from opentemis.core.imports.flow import ImportRun, run_import
from opentemis.core.imports.issues import Issue
from opentemis.core.imports.reader import (
    DuplicateColumn,
    FileRejected,
    Limits,
    cell_text,
    column_letter,
    find_header,
    formula_problem,
    header_key,
    open_workbook,
)
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.staff.models import CoreDesignation, CoreKind, Person

SHEET = "Phân công"
HELP_SHEET = "Hướng dẫn"
LEARNER = "Mã cán bộ (đồng nghiệp)"
CORE = "Mã cán bộ cốt cán"
COLUMNS = {header_key(LEARNER): "learner", header_key(CORE): "core"}
LIMITS = Limits(max_rows=50_000, max_columns=20)


@dataclass
class CaseloadImport:
    rows: int = 0
    changes: int = 0
    errors: list[Issue] = field(default_factory=list)
    errors_truncated: bool = False
    written: bool = False

    @property
    def to_save(self) -> bool:
        return not self.errors and self.changes > 0


def caseload_import(
    *, actor: User, unit: Unit, school_year: SchoolYear, file: Any, dry_run: bool
) -> CaseloadImport:
    """Check an uploaded caseload sheet for ``unit`` and ``school_year`` and, unless
    ``dry_run``, save it (all rows or none)."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, unit.path)
    result = CaseloadImport()

    def check(run: ImportRun) -> list[tuple[Person, Person]]:
        issues = run.issues
        rows: list[tuple[int, str, str]] = []
        with open_workbook(run.source, document=_("caseload sheet"), limits=LIMITS) as book:
            name = book.find(SHEET) or (book.sheet_names[0] if book.sheet_names else None)
            if name is None:
                raise FileRejected(_("The workbook needs a sheet «%(s)s».") % {"s": SHEET})
            lines = book.rows(name)
            try:
                header = find_header(
                    lines, lambda v: COLUMNS.get(header_key(v)), required=("learner", "core")
                )
            except DuplicateColumn:
                raise FileRejected(_("A column is named twice in the header row.")) from None
            if header is None:
                raise FileRejected(
                    _("No header row with «%(a)s» and «%(b)s» was found.")
                    % {"a": LEARNER, "b": CORE}
                )
            issues.columns_at(
                {LEARNER: column_letter(header["learner"]), CORE: column_letter(header["core"])}
            )
            for number, cells in lines:
                values = {}
                for key, title in (("learner", LEARNER), ("core", CORE)):
                    cell = cells.get(header[key])
                    if cell is not None and cell.formula:
                        issues.add(
                            formula_problem(f"{column_letter(header[key])}{number}"),
                            row=number,
                            column=title,
                        )
                    values[key] = cell_text(cell.value if cell else None).strip()
                if not values["learner"] and not values["core"]:
                    continue
                rows.append((number, values["learner"], values["core"]))
        result.rows = len(rows)
        return _validate(rows, run, actor=actor, unit=unit, school_year=school_year, result=result)

    def write(pairs: list[tuple[Person, Person]]) -> bool:
        if not result.to_save:
            return False
        services.caseload_write(actor=actor, unit=unit, school_year=school_year, pairs=pairs)
        return True

    outcome = run_import(file=file, check=check, write=write, dry_run=dry_run)
    result.errors = outcome.issues
    result.errors_truncated = outcome.truncated
    result.written = outcome.written
    return result


def _validate(
    rows: list[tuple[int, str, str]],
    run: ImportRun,
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    result: CaseloadImport,
) -> list[tuple[Person, Person]]:
    issues = run.issues
    codes = {code for _n, a, b in rows for code in (a, b) if code}
    people = {p.staff_code: p for p in Person.objects.filter(staff_code__in=codes)}
    core_ids = set(
        CoreDesignation.objects.filter(
            school_year=school_year, kind=CoreKind.TEACHER, person__staff_code__in=codes
        ).values_list("person_id", flat=True)
    )
    any_core = set(
        CoreDesignation.objects.filter(
            school_year=school_year, person__staff_code__in=codes
        ).values_list("person_id", flat=True)
    )
    current = dict(
        Caseload.objects.filter(school_year=school_year, learner__staff_code__in=codes).values_list(
            "learner_id", "core_id"
        )
    )
    seen: dict[str, int] = {}
    pairs: list[tuple[Person, Person]] = []
    for number, learner_code, core_code in rows:
        learner = people.get(learner_code)
        core = people.get(core_code)
        if not learner_code:
            issues.add(_("the colleague's staff code is missing."), row=number, column=LEARNER)
        elif learner is None or not learner.unit_path.startswith(unit.path):
            issues.add(
                _("no staff member with this code in %(unit)s.") % {"unit": unit.name},
                row=number,
                column=LEARNER,
                value=learner_code,
            )
            learner = None
        elif learner.pk in any_core:
            issues.add(
                _("this person is core staff this year: they have no core teacher."),
                row=number,
                column=LEARNER,
                value=learner_code,
            )
            learner = None
        elif learner_code in seen:
            issues.add(
                _("this colleague is already on row %(row)s.") % {"row": seen[learner_code]},
                row=number,
                column=LEARNER,
                value=learner_code,
            )
            learner = None
        else:
            seen[learner_code] = number
        if not core_code:
            issues.add(_("the core teacher's staff code is missing."), row=number, column=CORE)
        elif (
            core is None
            or core.pk not in core_ids
            or not has_perm_on(actor, Perm.MANAGE_CASCADE, core.unit_path)
        ):
            issues.add(
                _("no core teacher of %(year)s with this code in your units.")
                % {"year": school_year.code},
                row=number,
                column=CORE,
                value=core_code,
            )
            core = None
        if learner is not None and core is not None:
            pairs.append((learner, core))
    # The loads after the file: the current ones, less who leaves, plus who comes.
    moved = {learner.pk for learner, _core in pairs}
    loads = Counter(
        dict(
            Caseload.objects.filter(school_year=school_year, core_id__in=core_ids)
            .exclude(learner_id__in=moved)
            .order_by()
            .values("core_id")
            .annotate(n=Count("pk"))
            .values_list("core_id", "n")
        )
    )
    loads.update(core.pk for _learner, core in pairs)
    limit = balancing.settings().max_per_core
    for core_id, n in sorted(loads.items()):
        if n > limit and core_id in {core.pk for _l, core in pairs}:
            found = next(core for _l, core in pairs if core.pk == core_id)
            issues.add(
                _("%(name)s would support %(n)s colleagues, more than the maximum of %(max)s.")
                % {"name": found, "n": n, "max": limit},
                column=CORE,
                value=found.staff_code,
            )
    result.changes = sum(1 for learner, core in pairs if current.get(learner.pk) != core.pk)
    return pairs


def template_xlsx(*, unit: Unit | None = None, school_year: SchoolYear | None = None) -> bytes:
    """The upload template: the sheet «Phân công» (with the unit's current assignments, if a
    unit is given, so the file doubles as an export) and the instructions."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET
    sheet.append([LEARNER, CORE, "Họ và tên đồng nghiệp", "Họ và tên cốt cán"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (26, 22, 32, 32), strict=True):
        sheet.column_dimensions[letter].width = width
        sheet.column_dimensions[letter].number_format = "@"
    if unit is not None and school_year is not None:
        for learner_code, core_code, learner_name, core_name in (
            Caseload.objects.filter(school_year=school_year, unit_path__startswith=unit.path)
            .order_by("unit_path", "learner__search_text")
            .values_list(
                "learner__staff_code", "core__staff_code", "learner__full_name", "core__full_name"
            )
            .iterator()
        ):
            sheet.append([learner_code, core_code, learner_name, core_name])
    help_sheet = workbook.create_sheet(HELP_SHEET)
    for line in (
        _("One row per colleague: their staff code and their core teacher's staff code."),
        _("The names are only there to read; they are not imported."),
        _("A colleague already assigned gets the core teacher of the file."),
        _("Nobody may support more than %(max)s colleagues.")
        % {"max": balancing.settings().max_per_core},
        _(
            "The file is checked first; nothing is saved until you confirm, and then all "
            "rows or none."
        ),
    ):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
