"""The BDTX part of the TEMIS report (issue 12 item 7): plans submitted and approved, confirmed
periods per programme, the year's results (Hoàn thành / Không hoàn thành kế hoạch BDTX), the
most wanted programme-03 modules with the ministry's sub-columns, and the child units ranked by
plan submission and by completion.

Figures come from ``plans.rollup`` (one GROUP BY per table); the people breakdowns of the needs
get the report's small-cell protection (``protection.protect_table``: rules 1 and 2, the forms
adding up to the module's total). Shown to those who read the unit's plans (``plans.view`` or
``plans.manage``); ``None`` for anyone else, who sees the rest of the report as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans.models import StudyForm
from opentemis.plans.rollup import Counts, UnitFigures, children_read, needs_read
from opentemis.reports import protection
from opentemis.reports.data import Breakdown

TOP_MODULES = 10


@dataclass
class NeedLine:
    code: str
    label: str
    people: Breakdown
    by_form: dict[str, Breakdown]


@dataclass
class BdtxPart:
    min_cell: int
    total: UnitFigures
    needs: list[NeedLine] = field(default_factory=list)
    modules: int = 0  # modules in the plans, of which ``needs`` shows the first TOP_MODULES
    plans_counted: int = 0
    by_submission: list[UnitFigures] = field(default_factory=list)
    by_completion: list[UnitFigures] = field(default_factory=list)
    forms: list[tuple[str, str]] = field(default_factory=list)

    @property
    def hours(self) -> dict[str, Decimal]:
        return self.total.hours

    @property
    def suppressed(self) -> bool:
        """Some sub-column of the needs is hidden (the page explains the "<k")."""
        return any(
            None in b.values() for line in self.needs for b in (line.people, *line.by_form.values())
        )


def _breakdown(counts: Counts) -> Breakdown:
    return Breakdown(*counts.values())


def can_read_plans(actor: User, unit: Unit) -> bool:
    return has_perm_on(actor, Perm.VIEW_PLANS, unit.path) or has_perm_on(
        actor, Perm.MANAGE_PLANS, unit.path
    )


def bdtx_part(
    *, actor: User, unit: Unit, school_year: SchoolYear, top: int = TOP_MODULES
) -> BdtxPart | None:
    """The BDTX figures of ``unit`` for the report, protected; None if the actor may not read
    the unit's plans."""
    if not can_read_plans(actor, unit):
        return None
    k = settings.REPORT_MIN_CELL
    figures = children_read(unit=unit, school_year=school_year)
    needs = needs_read(unit=unit, school_year=school_year)
    lines = []
    for row in needs.modules[:top]:
        line = NeedLine(
            row.code,
            row.label,
            _breakdown(row.people),
            {form: _breakdown(c) for form, c in row.by_form.items()},
        )
        protection.protect_table(line.people, list(line.by_form.values()), k)
        lines.append(line)
    return BdtxPart(
        min_cell=k,
        total=figures.total,
        needs=lines,
        modules=len(needs.modules),
        plans_counted=needs.plans,
        by_submission=figures.by_submission,
        by_completion=figures.by_completion,
        forms=[(code, str(label)) for code, label in StudyForm.choices],
    )
