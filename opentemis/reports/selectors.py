"""The TEMIS report of a unit, read from the summary tables (reports.refresh keeps them fresh).

``report_for`` is what the pages, the API and the export jobs call (the actor must follow
evaluations of the unit: ``Perm.VIEW_EVALUATIONS`` on it or above, else 404);
``report_for_system`` serves the command line. Both return a protected :class:`ReportData`,
with the satisfaction part for a reader who follows learning in the unit
(``reports.satisfaction``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit
from opentemis.reports import protection
from opentemis.reports.data import (
    RATINGS,
    TOTAL_FIELDS,
    Breakdown,
    ChildRow,
    CompletionRow,
    CriterionRow,
    NeedRow,
    RatingRow,
    ReportData,
    Section,
    StaffRow,
    StaffTable,
    YearFigures,
    percent,
    totals,
)
from opentemis.reports.models import EvalCell, ReportState, StaffCell
from opentemis.reports.refresh import AGE_BANDS, RATING_FIELDS, ensure_fresh
from opentemis.reports.satisfaction import satisfaction_figures, satisfaction_part
from opentemis.staff.models import Position, Qualification
from opentemis.standards.frameworks import module_name
from opentemis.standards.models import Criterion

# The framework whose criteria name each population's per-criterion rows (refresh.population_of).
FRAMEWORKS = {
    "GV": "TT20_2018_GVPT",
    "CBQL": "TT14_2018_HTPT",
    "GVMN": "TT26_2018_GVMN",
    "CBMN": "TT25_2018_HTMN",
}
STAFF_DIMENSIONS = ("level", "position", "age_band", "qualification")


def breakdown(cells: Iterable[Any], value: Callable[[Any], int]) -> Breakdown:
    """The five sub-columns of ``value`` summed over summary rows."""
    total = women = dtts = women_dtts = disadvantaged = 0
    for cell in cells:
        n = value(cell)
        if not n:
            continue
        total += n
        if cell.woman:
            women += n
        if cell.dtts:
            dtts += n
            if cell.woman:
                women_dtts += n
        if cell.disadvantaged:
            disadvantaged += n
    return Breakdown(total, women, dtts, women_dtts, disadvantaged)


def _attr(name: str) -> Callable[[Any], int]:
    return lambda cell: getattr(cell, name)


class _Labels:
    """Names shown in the report, read once per report."""

    def __init__(self) -> None:
        self.levels = {lvl.code: (lvl.order, lvl.name) for lvl in SchoolLevel.objects.all()}
        self.positions = {p.code: (p.order, p.name) for p in Position.objects.all()}
        self.qualifications = dict(Qualification.choices)
        self.criteria: dict[str, dict[int, str]] = defaultdict(dict)
        for code, number, name in (
            Criterion.objects.filter(framework__code__in=FRAMEWORKS.values())
            .order_by("framework__code", "framework__version")
            .values_list("framework__code", "number", "name")
        ):
            self.criteria[code][number] = name  # the latest version's name wins

    def level(self, code: str) -> str:
        return self.levels.get(code, (99, code or _("Other")))[1]

    def level_order(self, code: str) -> int:
        return self.levels.get(code, (99, ""))[0]


def _section(population: str, title: str, cells: list[EvalCell], labels: _Labels) -> Section:
    mine = [c for c in cells if c.population == population]
    section = Section(population=population, title=title)
    levels = sorted({c.level for c in mine}, key=labels.level_order)
    groups: list[tuple[str, str, list[EvalCell]]] = [("", _("All levels"), mine)]
    groups += [(lvl, labels.level(lvl), [c for c in mine if c.level == lvl]) for lvl in levels]
    for level, label, group in groups:
        section.completion.append(
            CompletionRow(
                level,
                label,
                breakdown(group, _attr("to_evaluate")),
                breakdown(group, _attr("self_evaluated")),
                breakdown(group, _attr("opinions")),
                breakdown(group, _attr("finalised")),
            )
        )
        section.ratings.append(
            RatingRow(
                level,
                label,
                breakdown(group, _attr("finalised")),
                {code: breakdown(group, _attr(RATING_FIELDS[code])) for code in RATINGS},
            )
        )
    criteria: dict[int, list[int]] = {}
    needs: dict[str, int] = defaultdict(int)
    modules: dict[str, int] = defaultdict(int)
    for cell in mine:
        for number, counts in cell.criteria.items():
            mine_counts = criteria.setdefault(int(number), [0, 0, 0, 0])
            for i, n in enumerate(counts):
                mine_counts[i] += n
        for number, n in cell.needs.items():
            needs[number] += n
        for code, n in cell.modules.items():
            modules[code] += n
    names = labels.criteria.get(FRAMEWORKS[population], {})
    section.criteria = [
        CriterionRow(
            n, names.get(n, _("Criterion %(n)s") % {"n": n}), dict(zip(RATINGS, c, strict=True))
        )
        for n, c in sorted(criteria.items())
    ]
    section.needs_by_criterion = [
        NeedRow(k, names.get(int(k), _("Criterion %(n)s") % {"n": k}), n)
        for k, n in sorted(needs.items(), key=lambda kv: (-kv[1], int(kv[0])))
    ]
    section.needs_by_module = [
        NeedRow(k, module_name(k), n) for k, n in sorted(modules.items(), key=lambda kv: -kv[1])
    ]
    return section


class StaffSum(NamedTuple):
    """Staff of one key of one dimension, for one combination of the breakdown flags."""

    dimension: str
    key: str
    woman: bool
    dtts: bool
    disadvantaged: bool
    people: int  # (not ``count``: a tuple's method)


def _staff_sums(cells: QuerySet[StaffCell]) -> list[StaffSum]:
    """The unit's staff margins, per dimension and breakdown flags: summed by the database
    over population and level (a province has thousands of staff rows, the report shows a few
    dozen sums)."""
    return [
        StaffSum(*row)
        for row in cells.values("dimension", "key", "woman", "dtts", "disadvantaged")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("dimension", "key", "woman", "dtts", "disadvantaged", "n")
    ]


def _staff_tables(sums: list[StaffSum], labels: _Labels) -> list[StaffTable]:
    titles = {
        "level": _("By school level"),
        "position": _("By position"),
        "age_band": _("By age"),
        "qualification": _("By qualification"),
    }
    order: dict[str, Callable[[str], Any]] = {
        "level": labels.level_order,
        "position": lambda k: labels.positions.get(k, (99, k))[0],
        "age_band": lambda k: AGE_BANDS.index(k) if k in AGE_BANDS else 99,
        "qualification": (
            lambda k: list(labels.qualifications).index(k) if k in labels.qualifications else 99
        ),
    }
    label_of: dict[str, Callable[[str], str]] = {
        "level": labels.level,
        "position": lambda k: labels.positions.get(k, (0, k or _("Other")))[1],
        "age_band": lambda k: k or _("Unknown"),
        "qualification": lambda k: str(labels.qualifications.get(k, k or _("Unknown"))),
    }
    tables = []
    for dimension in STAFF_DIMENSIONS:
        grouped: dict[str, list[StaffSum]] = defaultdict(list)
        for row in sums:
            if row.dimension == dimension:
                grouped[row.key].append(row)
        rows = [
            StaffRow(k, label_of[dimension](k), breakdown(group, _attr("people")))
            for k, group in sorted(grouped.items(), key=lambda kv: order[dimension](kv[0]))
        ]
        tables.append(StaffTable(dimension, titles[dimension], rows))
    return tables


def groups_for(rate: float | None) -> str:
    if rate is None:
        return ""
    for name, minimum in settings.REPORT_GROUPS:
        if rate >= minimum:
            return str(name)
    return str(settings.REPORT_GROUPS[-1][0])


def _children(unit: Unit, school_year: SchoolYear) -> list[ChildRow]:
    # One row per child, summed by the database (a province's communes have thousands of rows);
    # their names by the tree (joined, the planner would hash the whole unit table; by a list
    # of ids, the driver would spend milliseconds binding a thousand parameters).
    counts = EvalCell.objects.filter(school_year=school_year, parent_path=unit.path)
    sums = {
        pk: (t, s, f)
        for pk, t, s, f in counts.values("unit_id")
        .annotate(t=Sum("to_evaluate"), s=Sum("self_evaluated"), f=Sum("finalised"))
        .order_by()
        .values_list("unit_id", "t", "s", "f")
    }
    rows = [
        ChildRow(
            unit_id=pk,
            code=code,
            name=name,
            kind=kind,
            to_evaluate=sums[pk][0],
            self_evaluated=sums[pk][1],
            finalised=sums[pk][2],
            rate=percent(sums[pk][2], sums[pk][0]),
            rank=None,
            group="",
        )
        for pk, code, name, kind in Unit.objects.filter(
            depth=unit.depth + 1, path__startswith=unit.path
        ).values_list("pk", "code", "name", "kind")
        if pk in sums
    ]
    rows.sort(key=lambda r: (-(r.rate if r.rate is not None else -1), r.name))
    rank, previous = 0, object()
    for i, row in enumerate(rows, start=1):
        if row.rate is None:
            continue
        if row.rate != previous:
            rank, previous = i, row.rate
        row.rank = rank
        row.group = groups_for(row.rate)
    return rows


def _year_figures(unit: Unit, school_year: SchoolYear) -> YearFigures | None:
    """Another year's headline figures (None when it was never summed)."""
    if not ReportState.objects.filter(school_year=school_year).exists():
        return None
    cells = EvalCell.objects.filter(school_year=school_year, unit=unit).only(
        *TOTAL_FIELDS, *RATING_FIELDS.values()
    )
    return _figures_of(school_year, list(cells))


def _figures_of(school_year: SchoolYear, cells: list[EvalCell]) -> YearFigures:
    total = totals(cells)
    return YearFigures(
        school_year=school_year.code,
        to_evaluate=total.to_evaluate,
        finalised=total.finalised,
        rate=total.rate,
        by_rating={code: sum(getattr(c, RATING_FIELDS[code]) for c in cells) for code in RATINGS},
    )


def build(
    unit: Unit,
    school_year: SchoolYear,
    *,
    eval_cells: list[EvalCell] | None = None,
    staff_cells: list[StaffCell] | None = None,
    labels: _Labels | None = None,
    extras: bool = True,
    state: ReportState | None = None,
) -> ReportData:
    """The unprotected report of ``unit`` (``extras``: children ranking and previous year;
    ``state``: the year's ReportState, when the caller has read it)."""
    labels = labels or _Labels()
    if eval_cells is None:
        eval_cells = list(EvalCell.objects.filter(school_year=school_year, unit=unit))
    if staff_cells is None:
        sums = _staff_sums(StaffCell.objects.filter(school_year=school_year, unit=unit))
    else:
        sums = [
            StaffSum(c.dimension, c.key, c.woman, c.dtts, c.disadvantaged, c.count)
            for c in staff_cells
        ]
    if state is None:
        state = ReportState.objects.filter(school_year=school_year).first()
    data = ReportData(
        unit_id=unit.pk,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_kind=unit.kind,
        school_year=school_year.code,
        as_of=state.refreshed_at if state else None,
        min_cell=settings.REPORT_MIN_CELL,
        teachers=_section("GV", _("Teachers (TT 20/2018)"), eval_cells, labels),
        managers=_section("CBQL", _("School managers (TT 14/2018)"), eval_cells, labels),
        staff=_staff_tables(sums, labels),
        totals=totals(eval_cells),
        preschool_teachers=_section(
            "GVMN", _("Preschool teachers (TT 26/2018)"), eval_cells, labels
        ),
        preschool_managers=_section(
            "CBMN", _("Preschool managers (TT 25/2018)"), eval_cells, labels
        ),
    )
    if extras:
        data.children = _children(unit, school_year)
        previous = (
            SchoolYear.objects.filter(start_date__lt=school_year.start_date)
            .order_by("-start_date")
            .first()
        )
        if previous is not None:
            figures = _year_figures(unit, previous)
            if figures is not None:
                data.years.append(figures)
        if state is not None:
            data.years.append(_figures_of(school_year, eval_cells))
    return data


def sensitive_figures(
    eval_cells: Iterable[EvalCell | SensitiveRow], staff_rows: Iterable[tuple[str, str, bool, int]]
) -> dict[tuple[str, ...], tuple[int, int]]:
    """(DTTS, women DTTS) at every address of ``protection.cells`` for one unit.

    What rule 3 needs of a sibling, without building its whole report: ``eval_cells`` are its
    DTTS summary rows; ``staff_rows`` its DTTS staff counts as (dimension, key, woman, count).
    """
    sums: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])

    def add(address: tuple[str, ...], n: int, woman: bool) -> None:
        if n:
            pair = sums[address]
            pair[0] += n
            if woman:
                pair[1] += n

    completion = ("to_evaluate", "self_evaluated", "opinions", "finalised")
    ratings = [(code, RATING_FIELDS[code]) for code in RATINGS]
    for c in eval_cells:
        if not c.dtts:
            continue
        population, woman = c.population, c.woman
        values = [(name, getattr(c, name)) for name in completion]
        rated = [(code, getattr(c, name)) for code, name in ratings]
        for level in ("", c.level):
            for name, n in values:
                add((population, "completion", level, name), n, woman)
            add((population, "ratings", level, "finalised"), c.finalised, woman)
            for code, n in rated:
                add((population, "ratings", level, code), n, woman)
    for dimension, key, woman, n in staff_rows:
        add(("staff", dimension, key), n, woman)
    return {address: (v[0], v[1]) for address, v in sums.items()}


def _dtts_staff(cells: QuerySet[StaffCell]) -> dict[int, list[tuple[str, str, bool, int]]]:
    """DTTS staff counts per unit and dimension: (dimension, key, woman, count) rows."""
    result: dict[int, list[tuple[str, str, bool, int]]] = defaultdict(list)
    for unit_id, dimension, key, woman, n in (
        cells.values("unit_id", "dimension", "key", "woman")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("unit_id", "dimension", "key", "woman", "n")
    ):
        result[unit_id].append((dimension, key, woman, n))
    return result


class SensitiveRow(NamedTuple):
    """What rule 3 reads of a sibling's DTTS summary rows (never their JSON columns), summed
    by the database over the disadvantaged-area flag, which it does not need."""

    unit_id: int
    population: str
    level: str
    woman: bool
    dtts: bool
    to_evaluate: int
    self_evaluated: int
    opinions: int
    finalised: int
    rating_chuadat: int
    rating_dat: int
    rating_kha: int
    rating_tot: int


_SUMMED = SensitiveRow._fields[5:]


def _siblings(unit: Unit, school_year: SchoolYear) -> list[dict[tuple[str, ...], tuple[int, int]]]:
    """The sensitive figures of the unit's siblings (for protection rule 3)."""
    if unit.depth <= 1:
        return []
    parent_path = unit.path[: -Unit.steplen]
    eval_cells: dict[int, list[SensitiveRow]] = defaultdict(list)
    keys = ("unit_id", "population", "level", "woman", "dtts")
    for row in (
        EvalCell.objects.filter(school_year=school_year, parent_path=parent_path, dtts=True)
        .exclude(unit=unit)
        .values(*keys)
        .annotate(**{f"sum_{name}": Sum(name) for name in _SUMMED})
        .order_by()
        .values_list(*keys, *(f"sum_{name}" for name in _SUMMED))
    ):
        cell = SensitiveRow(*row)
        eval_cells[cell.unit_id].append(cell)
    staff = _dtts_staff(
        StaffCell.objects.filter(
            school_year=school_year, parent_path=parent_path, dtts=True
        ).exclude(unit=unit)
    )
    return [
        sensitive_figures(eval_cells.get(pk, []), staff.get(pk, []))
        for pk in set(eval_cells) | set(staff)
    ]


def _report(unit: Unit, school_year: SchoolYear) -> ReportData:
    state = ensure_fresh(school_year, settings.REPORT_MAX_STALENESS)
    data = build(unit, school_year, state=state)
    return protection.protect(data, _siblings(unit, school_year))


def report_for(*, actor: User, unit: Unit, school_year: SchoolYear) -> ReportData:
    """The report of ``unit`` if the actor follows evaluations there (404 otherwise)."""
    require_perm_on(actor, Perm.VIEW_EVALUATIONS, unit.path)
    with system_scope():  # the summaries above the actor's units are read to protect cells
        data = _report(unit, school_year)
    data.satisfaction = satisfaction_part(actor=actor, unit=unit, school_year=school_year)
    return data


def report_for_system(*, unit: Unit, school_year: SchoolYear) -> ReportData:
    """The report for the command line (whoever runs it administers the server)."""
    with system_scope():
        data = _report(unit, school_year)
        data.satisfaction = satisfaction_figures(unit=unit, school_year=school_year)
        return data
