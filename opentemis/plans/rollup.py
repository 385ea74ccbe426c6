"""Roll-ups of BDTX plans over a unit's subtree (issue 12 items 4 and 7): reads only.

* :func:`needs_for` — the training needs of a unit: how many people study each programme-03
  module and each programme-01/02 content, from the approved plans (optionally the submitted
  ones too), per form and per title (the school level of the programme texts), each figure with
  the ministry's sub-columns women, DTTS, women DTTS and disadvantaged area (bdtx.md R16). One
  GROUP BY over plan items joined to their plan, person and unit; labels in two more queries.
* :func:`children_for` — each child unit's plans per status (the ranking by submission), the
  confirmed hours per programme from the ledger and the year's results (the ranking by
  completion): one GROUP BY per table on the child's path prefix, whatever the depth.

The figures are raw counts: the TEMIS report applies its small-cell protection
(``reports.bdtx``), the roll-up page shows them to people who may read the plans themselves.
Every entry point takes the actor first and answers 404 for a unit outside their reach.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans.access import reads_plans_on
from opentemis.plans.models import (
    EntryStatus,
    LedgerEntry,
    Outcome,
    Plan,
    PlanItem,
    PlanStatus,
    StudyForm,
    YearResult,
)
from opentemis.plans.rules import PROGRAMMES
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.training.models import Module, ProgrammeContent, Title

BREAKDOWN = ("total", "women", "dtts", "women_dtts", "disadvantaged")
TITLES = tuple(Title.values)
FORMS = tuple(StudyForm.values)
SUBMITTED = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)


def require_view(actor: User, unit: Unit) -> None:
    """404 unless the actor reads plans of ``unit`` (``plans.view`` or ``plans.manage``)."""
    if not reads_plans_on(actor, unit.path):
        raise Http404


@dataclass
class Counts:
    """People with the ministry's sub-columns (bdtx.md R16)."""

    total: int = 0
    women: int = 0
    dtts: int = 0
    women_dtts: int = 0
    disadvantaged: int = 0

    def add(self, n: int, *, woman: bool, dtts: bool, disadvantaged: bool) -> None:
        self.total += n
        if woman:
            self.women += n
        if dtts:
            self.dtts += n
            if woman:
                self.women_dtts += n
        if disadvantaged:
            self.disadvantaged += n

    def values(self) -> list[int]:
        return [getattr(self, k) for k in BREAKDOWN]


# --- needs by module ------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedCell:
    """One group of the needs query: people taking one module or content in one form, of one
    title, one gender, DTTS or not, in a disadvantaged area or not."""

    programme: str
    module_id: int | None
    content_id: int | None
    form: str
    title: str
    woman: bool
    dtts: bool
    disadvantaged: bool
    people: int


@contextmanager
def _index_friendly(unit_path: str) -> Iterator[None]:
    """On PostgreSQL, below the root: plan the query for data in memory or on SSD.

    With the default ``random_page_cost`` (4, spinning disks) the planner reads all the
    year's plan items (6 million nationally) and hash-joins them to the subtree's plans; the
    nested loop over the items' ``plan_id`` index is 2 to 5 times faster for a province and
    more for a commune (docs/benchmarks.md, BDTX roll-ups). ``SET LOCAL``: this transaction
    only. The root's query reads everything either way and keeps the server's setting."""
    if connection.vendor != "postgresql" or len(unit_path) <= Unit.steplen:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def need_cells(
    *, unit_path: str, school_year: SchoolYear, statuses: Sequence[str]
) -> list[NeedCell]:
    """The needs of the subtree at ``unit_path`` as grouped counts: the one GROUP BY query.

    A plan names a module or a content once (``plan_item_module_once``), and a person has one
    plan a year, so counting items counts people."""
    query = (
        PlanItem.objects.filter(
            plan__school_year=school_year,
            plan__unit_path__startswith=unit_path,
            plan__status__in=list(statuses),
        )
        .values_list(
            "programme",
            "module_id",
            "content_id",
            "form",
            "plan__title",
            "plan__person__gender",
            "plan__person__is_dtts",
            "plan__unit__disadvantaged_area",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    with _index_friendly(unit_path):
        rows = list(query)
    return [
        NeedCell(p, m, c, f, t, g == "F", bool(d), bool(dis), n)
        for p, m, c, f, t, g, d, dis, n in rows
    ]


@dataclass
class NeedRow:
    """People taking one module (programme 03) or content (01, 02) in the subtree."""

    programme: str
    module_id: int | None
    content_id: int | None
    code: str
    label: str
    people: Counts = field(default_factory=Counts)
    by_form: dict[str, Counts] = field(default_factory=dict)  # FORMS, all present
    by_title: dict[str, Counts] = field(default_factory=dict)  # the titles present only

    @property
    def key(self) -> tuple[str, int | None, int | None]:
        return (self.programme, self.module_id, self.content_id)


@dataclass
class Needs:
    unit_id: int
    school_year: str
    statuses: tuple[str, ...]
    rows: list[NeedRow] = field(default_factory=list)  # programme, then most people first
    plans: int = 0  # plans counted (of the statuses)
    titles: list[str] = field(default_factory=list)  # the titles present, in TITLES order

    def programme(self, programme: str) -> list[NeedRow]:
        return [r for r in self.rows if r.programme == programme]

    @property
    def modules(self) -> list[NeedRow]:
        """Programme-03 modules, most wanted first."""
        return self.programme("03")


def needs_from_cells(
    cells: Iterable[NeedCell],
) -> dict[tuple[str, int | None, int | None], NeedRow]:
    """The grouped counts folded into one row per module or content (labels left empty)."""
    rows: dict[tuple[str, int | None, int | None], NeedRow] = {}
    for cell in cells:
        key = (cell.programme, cell.module_id, cell.content_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = NeedRow(cell.programme, cell.module_id, cell.content_id, "", "")
            row.by_form = {form: Counts() for form in FORMS}
        flags = {"woman": cell.woman, "dtts": cell.dtts, "disadvantaged": cell.disadvantaged}
        row.people.add(cell.people, **flags)
        row.by_form.setdefault(cell.form, Counts()).add(cell.people, **flags)
        row.by_title.setdefault(cell.title, Counts()).add(cell.people, **flags)
    return rows


def needs_read(*, unit: Unit, school_year: SchoolYear, include_submitted: bool = False) -> Needs:
    """The needs of ``unit`` (no permission check: for callers that made it)."""
    statuses = SUBMITTED if include_submitted else (PlanStatus.APPROVED,)
    cells = need_cells(unit_path=unit.path, school_year=school_year, statuses=statuses)
    rows = needs_from_cells(cells)
    modules = {
        m.pk: (m.code, m.title)
        for m in Module.objects.filter(pk__in={r.module_id for r in rows.values() if r.module_id})
    }
    contents = {
        c.pk: (c.code, c.title)
        for c in ProgrammeContent.objects.filter(
            pk__in={r.content_id for r in rows.values() if r.content_id}
        )
    }
    for row in rows.values():
        if row.module_id is not None:
            row.code, row.label = modules.get(row.module_id, ("", ""))
        elif row.content_id is not None:
            row.code, row.label = contents.get(row.content_id, ("", ""))
        row.by_title = {t: row.by_title[t] for t in TITLES if t in row.by_title}
    needs = Needs(unit.pk, school_year.code, tuple(statuses))
    needs.rows = sorted(rows.values(), key=lambda r: (r.programme, -r.people.total, r.code))
    needs.titles = [t for t in TITLES if any(t in r.by_title for r in needs.rows)]
    needs.plans = Plan.objects.filter(
        school_year=school_year, unit_path__startswith=unit.path, status__in=list(statuses)
    ).count()
    return needs


def needs_for(
    *, actor: User, unit: Unit, school_year: SchoolYear, include_submitted: bool = False
) -> Needs:
    """The training needs of ``unit``'s subtree (404 unless the actor reads its plans)."""
    require_view(actor, unit)
    return needs_read(unit=unit, school_year=school_year, include_submitted=include_submitted)


# --- plans, hours and results per child unit ------------------------------------------------


@dataclass
class UnitFigures:
    """A unit's (or a child's) plans per status, confirmed hours and results."""

    unit_id: int
    code: str
    name: str
    kind: str
    people: int = 0  # working staff
    plans: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PlanStatus.values, 0))
    hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(PROGRAMMES, Decimal(0)))
    completed: int = 0
    not_completed: int = 0
    submission_rank: int | None = None
    completion_rank: int | None = None

    @property
    def submitted(self) -> int:
        """Plans handed in (submitted or already approved)."""
        return self.plans[PlanStatus.SUBMITTED] + self.plans[PlanStatus.APPROVED]

    @property
    def approved(self) -> int:
        return self.plans[PlanStatus.APPROVED]

    @property
    def submission_rate(self) -> float | None:
        return _percent(self.submitted, self.people)

    @property
    def approval_rate(self) -> float | None:
        return _percent(self.approved, self.people)

    @property
    def results(self) -> int:
        return self.completed + self.not_completed

    @property
    def completion_rate(self) -> float | None:
        """People who completed their plan, of the working staff."""
        return _percent(self.completed, self.people)

    @property
    def total_hours(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))

    def merge(self, other: UnitFigures) -> None:
        self.people += other.people
        for status, n in other.plans.items():
            self.plans[status] = self.plans.get(status, 0) + n
        for programme, h in other.hours.items():
            self.hours[programme] = self.hours.get(programme, Decimal(0)) + h
        self.completed += other.completed
        self.not_completed += other.not_completed


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Children:
    """The unit's own totals and its children's figures, ranked twice."""

    total: UnitFigures
    children: list[UnitFigures] = field(default_factory=list)

    @property
    def by_submission(self) -> list[UnitFigures]:
        return _ranked(self.children, "submission_rate", "submission_rank")

    @property
    def by_completion(self) -> list[UnitFigures]:
        return _ranked(self.children, "completion_rate", "completion_rank")


def _ranked(rows: list[UnitFigures], rate: str, rank: str) -> list[UnitFigures]:
    """Highest rate first, ties sharing a rank (1, 1, 3), units without staff last."""
    ordered = sorted(rows, key=lambda r: (-(getattr(r, rate) or -1.0), r.name))
    previous: object = object()
    position = 0
    for i, row in enumerate(ordered, start=1):
        value = getattr(row, rate)
        if value is None:
            setattr(row, rank, None)
            continue
        if value != previous:
            position, previous = i, value
        setattr(row, rank, position)
    return ordered


def children_read(*, unit: Unit, school_year: SchoolYear) -> Children:
    """Figures per child unit of ``unit`` and in all (no permission check; see children_for).

    Four GROUP BY queries (staff, plans, ledger, results) on the child's path prefix, and one
    for the children's names. People of the unit itself (a Sở's officers) count in the total,
    under no child."""
    width = len(unit.path) + Unit.steplen
    figures: dict[str, UnitFigures] = defaultdict(lambda: UnitFigures(0, "", "", ""))

    def grouped(qs: QuerySet[Any], *fields: str, value: Any) -> list[tuple[Any, ...]]:
        return list(
            qs.filter(unit_path__startswith=unit.path)
            .annotate(child=Substr("unit_path", 1, width))
            .values_list("child", *fields)
            .annotate(value=value)
            .order_by()
        )

    working = Person.objects.filter(employment_status=EmploymentStatus.WORKING)
    for child, n in grouped(working, value=Count("id")):
        figures[child].people += n
    plans = Plan.objects.filter(school_year=school_year)
    for child, status, n in grouped(plans, "status", value=Count("id")):
        figures[child].plans[status] = figures[child].plans.get(status, 0) + n
    confirmed = LedgerEntry.objects.filter(school_year=school_year, status=EntryStatus.CONFIRMED)
    for child, programme, hours in grouped(confirmed, "programme", value=Sum("hours")):
        row = figures[child]
        row.hours[programme] = row.hours.get(programme, Decimal(0)) + Decimal(hours or 0)
    results = YearResult.objects.filter(school_year=school_year)
    for child, outcome, n in grouped(results, "outcome", value=Count("id")):
        if outcome == Outcome.COMPLETED:
            figures[child].completed += n
        else:
            figures[child].not_completed += n
    total = UnitFigures(unit.pk, unit.code, unit.name, unit.kind)
    for row in figures.values():
        total.merge(row)
    units = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).only(
        "id", "code", "name", "kind", "path"
    )
    children = []
    for child in units:
        row = figures.get(child.path) or UnitFigures(0, "", "", "")
        row.unit_id, row.code, row.name, row.kind = child.pk, child.code, child.name, child.kind
        children.append(row)
    return Children(total=total, children=children)


def children_for(*, actor: User, unit: Unit, school_year: SchoolYear) -> Children:
    """Plans, hours and results of ``unit`` and of each child (404 unless the actor reads
    its plans)."""
    require_view(actor, unit)
    return children_read(unit=unit, school_year=school_year)


@dataclass
class Rollup:
    unit: Unit
    school_year: SchoolYear
    needs: Needs
    figures: Children


def rollup_for(
    *, actor: User, unit: Unit, school_year: SchoolYear, include_submitted: bool = False
) -> Rollup:
    """Everything the roll-up page shows (404 unless the actor reads the unit's plans)."""
    require_view(actor, unit)
    return Rollup(
        unit=unit,
        school_year=school_year,
        needs=needs_read(unit=unit, school_year=school_year, include_submitted=include_submitted),
        figures=children_read(unit=unit, school_year=school_year),
    )
