"""Reads of the weekly progress (decision 0022): a unit's figures for a week, their trend, and
its child units ranked with their groups, small cells protected. The page, the API and the
Excel export all read :func:`unit_week`, so they always agree.

Who reads: whoever reads the progress of the unit's learners (``learning.access.
reads_progress_on``: ``learning.view`` or ``learning.manage`` on the unit or above); anyone
else gets 404, as for a missing unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.core.params import parse_positive_int
from opentemis.core.scoping import system_scope
from opentemis.learning.access import read_course, reader_paths, reads_progress_on
from opentemis.learning.models import Course
from opentemis.notifications.services import recipients_of
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.reports import protection
from opentemis.reports.data import Breakdown, percent
from opentemis.reports.snapshots import monday
from opentemis.tracking.groups import Groups, groups
from opentemis.tracking.models import (
    COLUMNS,
    FIGURE_FIELDS,
    MEASURES,
    SchoolReminder,
    SnapshotRun,
    WeekFigures,
)

#: Weeks shown in the trend.
TREND_WEEKS = 8


@dataclass
class Figures:
    """One unit's counts in a week (one course, or all courses of the year summed), each a
    :class:`Breakdown` (``None`` in a sub-column: withheld, fewer than k people)."""

    unit_id: int
    code: str = ""
    name: str = ""
    kind: str = ""
    enrolled: Breakdown = field(default_factory=Breakdown)
    started: Breakdown = field(default_factory=Breakdown)
    completed: Breakdown = field(default_factory=Breakdown)
    passed: Breakdown = field(default_factory=Breakdown)
    rank: int | None = None
    group: str = ""

    @property
    def completion_rate(self) -> float | None:
        return percent(self.completed.total, self.enrolled.total)

    @property
    def start_rate(self) -> float | None:
        return percent(self.started.total, self.enrolled.total)

    @property
    def pass_rate(self) -> float | None:
        return percent(self.passed.total, self.enrolled.total)

    @property
    def not_started(self) -> int:
        return (self.enrolled.total or 0) - (self.started.total or 0)


@dataclass(frozen=True)
class TrendPoint:
    week: dt.date
    enrolled: int
    started: int
    completed: int
    passed: int

    @property
    def completion_rate(self) -> float | None:
        return percent(self.completed, self.enrolled)

    @property
    def start_rate(self) -> float | None:
        return percent(self.started, self.enrolled)


@dataclass
class UnitWeek:
    """Everything the page shows of a unit for a week."""

    unit: Unit
    school_year: SchoolYear
    week: dt.date
    run: SnapshotRun | None
    weeks: list[dt.date]
    courses: list[Course]
    course: Course | None
    own: Figures
    children: list[Figures]
    trend: list[TrendPoint]
    groups: Groups
    min_cell: int

    @property
    def praise(self) -> list[Figures]:
        """Units to praise: those of the first group; when none, the best few above zero."""
        first = [c for c in self.children if c.group == self.groups.first]
        if first:
            return first
        ranked = [c for c in self.children if c.completion_rate]
        return ranked[: self.groups.praise_top]

    @property
    def lagging(self) -> list[Figures]:
        """Units to remind: those of the last group."""
        return [
            c for c in self.children if c.group == self.groups.last and len(self.groups.groups) > 1
        ]

    @property
    def scope_key(self) -> str:
        """What a reminder of this view is about: one course, or every course of the year."""
        return f"course:{self.course.pk}" if self.course else f"year:{self.school_year.pk}"

    @property
    def course_ids(self) -> list[int]:
        return [self.course.pk] if self.course else [c.pk for c in self.courses]


# --- access ----------------------------------------------------------------------------------


def reading_unit(*, actor: User, pk: object) -> Unit:
    """The unit ``pk`` if ``actor`` reads its learners' progress; 404 otherwise."""
    unit_pk = parse_positive_int(pk)
    unit = Unit.objects.filter(pk=unit_pk).first() if unit_pk else None
    if unit is None or not reads_progress_on(actor, unit.path):
        raise Http404
    return unit


def home_unit(*, actor: User) -> Unit | None:
    """The highest unit whose learners ``actor`` reads (the nation for a superuser)."""
    paths = reader_paths(actor)
    if not paths:
        return None
    qs = Unit.objects.all() if paths == ("",) else Unit.objects.filter(path__in=paths)
    return qs.order_by("depth", "name").first()


def chosen_week(raw: object) -> dt.date:
    """The week a request names (any day of it, ``YYYY-MM-DD``): its Monday; otherwise the
    latest week taken, else this week."""
    if raw:
        try:
            return monday(dt.date.fromisoformat(str(raw)[:10]))
        except ValueError:
            pass
    today = monday(timezone.localdate())
    latest = (
        SnapshotRun.objects.filter(week__lte=today).order_by("-week").values_list("week", flat=True)
    ).first()
    return latest or today


# --- reading the figures -----------------------------------------------------------------------


def figures_by(
    *, week: dt.date, course_ids: list[int], key: str, **filters: Any
) -> dict[Any, list[int]]:
    """The week's figures of ``course_ids`` summed per ``key`` (``unit_id``, ``week``...)."""
    sums = {f: Sum(f) for f in FIGURE_FIELDS}
    rows = (
        WeekFigures.objects.filter(course_id__in=course_ids, **filters)
        .filter(week=week)
        .order_by()
        .values(key)
        .annotate(**{f"s_{f}": s for f, s in sums.items()})
    )
    return {row[key]: [int(row[f"s_{f}"] or 0) for f in FIGURE_FIELDS] for row in rows}


def _figures(unit_id: int, values: list[int] | None) -> Figures:
    figures = Figures(unit_id=unit_id)
    if values is None:
        return figures
    width = len(COLUMNS)
    for i, measure in enumerate(MEASURES):
        setattr(figures, measure, Breakdown(*values[i * width : (i + 1) * width]))
    return figures


def protect(total: Figures | None, parts: list[Figures], k: int) -> None:
    """Small-cell protection of a table of units (rules 1 and 2 of ``reports.protection``),
    for each measure, in place: DTTS and women-DTTS figures of 1 to k-1 people are withheld,
    and one more where a single withheld part could be recovered from the total."""
    for measure in MEASURES:
        protection.protect_table(
            getattr(total, measure) if total is not None else None,
            [getattr(p, measure) for p in parts],
            k,
        )


def rank(rows: list[Figures], found: Groups) -> list[Figures]:
    """Sort by completion rate, highest first (then name); equal rates share a rank; each
    unit's group from its rate (``groups.yaml``)."""
    rows.sort(key=lambda r: (-(r.completion_rate if r.completion_rate is not None else -1), r.name))
    position, previous = 0, object()
    for i, row in enumerate(rows, start=1):
        rate = row.completion_rate
        if rate is None:
            continue
        if rate != previous:
            position, previous = i, rate
        row.rank = position
        row.group = found.of(rate)
    return rows


def _own(unit: Unit, week: dt.date, course_ids: list[int], k: int) -> Figures:
    """The unit's figures as its parent's table shows them (protection rule 3: a figure the
    parent's page withholds is withheld here too, so the two pages cannot be subtracted)."""
    with system_scope():  # the siblings' counts decide the protection; none is shown
        if unit.depth > 1:
            parent_path = unit.path[: -Unit.steplen]
            siblings = figures_by(
                week=week, course_ids=course_ids, key="unit_id", parent_path=parent_path
            )
            parent = figures_by(
                week=week, course_ids=course_ids, key="unit_id", unit_path=parent_path
            )
        else:
            siblings = figures_by(week=week, course_ids=course_ids, key="unit_id", unit=unit)
            parent = {}
    rows = {pk: _figures(pk, v) for pk, v in siblings.items()}
    own = rows.get(unit.pk) or _figures(unit.pk, None)
    total = _figures(0, next(iter(parent.values()))) if parent else None
    protect(total, list(rows.values()), k)
    own.unit_id, own.code, own.name, own.kind = unit.pk, unit.code, unit.name, unit.kind
    return own


def _trend(unit: Unit, week: dt.date, course_ids: list[int]) -> list[TrendPoint]:
    weeks = list(
        SnapshotRun.objects.filter(week__lte=week)
        .order_by("-week")
        .values_list("week", flat=True)[:TREND_WEEKS]
    )
    rows = (
        WeekFigures.objects.filter(unit=unit, course_id__in=course_ids, week__in=weeks)
        .order_by()
        .values("week")
        .annotate(
            e=Sum("enrolled_total"),
            s=Sum("started_total"),
            c=Sum("completed_total"),
            p=Sum("passed_total"),
        )
    )
    found = {r["week"]: r for r in rows}
    return [
        TrendPoint(
            w,
            int(found[w]["e"] or 0),
            int(found[w]["s"] or 0),
            int(found[w]["c"] or 0),
            int(found[w]["p"] or 0),
        )
        for w in sorted(weeks)
        if w in found
    ]


def unit_week(
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    week: dt.date,
    course_id: int | None = None,
) -> UnitWeek:
    """The unit's figures in ``week`` for course ``course_id`` (None: every course of the
    school year summed), its trend, and its children ranked. 404 if the actor does not read the
    unit's progress, or names a course they do not read."""
    if not reads_progress_on(actor, unit.path):
        raise Http404
    week = monday(week)
    course = read_course(actor, course_id) if course_id is not None else None
    if course is not None and course.school_year_id != school_year.pk:
        school_year = course.school_year
    k = settings.REPORT_MIN_CELL
    offered = set(
        WeekFigures.objects.filter(unit=unit, school_year=school_year)
        .values_list("course_id", flat=True)
        .distinct()
    )
    courses = list(
        Course.objects.filter(pk__in=offered).select_related("school_year").order_by("code", "pk")
    )
    course_ids = [course.pk] if course else [c.pk for c in courses]
    own = _own(unit, week, course_ids, k)
    by_unit = figures_by(week=week, course_ids=course_ids, key="unit_id", parent_path=unit.path)
    names = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=list(by_unit)).only("pk", "code", "name", "kind")
    }
    children = []
    for pk, values in by_unit.items():
        row = _figures(pk, values)
        child = names.get(pk)
        if child is None:
            continue
        row.code, row.name, row.kind = child.code, child.name, child.kind
        children.append(row)
    found = groups()
    rank(children, found)
    protect(own, children, k)
    own.group = found.of(own.completion_rate)
    weeks = list(SnapshotRun.objects.order_by("-week").values_list("week", flat=True)[:52])
    return UnitWeek(
        unit=unit,
        school_year=school_year,
        week=week,
        run=SnapshotRun.objects.filter(week=week).first(),
        weeks=weeks,
        courses=courses,
        course=course,
        own=own,
        children=children,
        trend=_trend(unit, week, course_ids),
        groups=found,
        min_cell=k,
    )


# --- reminders ---------------------------------------------------------------------------------


@dataclass
class SchoolToRemind:
    school: Unit
    under: Unit  # the lagging child unit it is in (itself for a school)
    rate: float | None
    enrolled: int
    completed: int
    recipients: list[User]
    reminded_at: dt.datetime | None  # already reminded this week (nothing is sent again)


def lagging_schools(view: UnitWeek, units: list[Figures] | None = None) -> list[SchoolToRemind]:
    """The schools a reminder of ``view``'s lagging child units reaches: the schools under them
    (a lagging child that is a school: itself) whose own completion is in the last group, with
    their principals and school administrators (``notifications.services.recipients_of``, the
    one rule of who answers for a school) and whether they were reminded this week already."""
    targets = units if units is not None else view.lagging
    if not targets:
        return []
    found = view.groups
    by_pk = {u.pk: u for u in Unit.objects.filter(pk__in=[t.unit_id for t in targets])}
    result: list[SchoolToRemind] = []
    for target in targets:
        under = by_pk.get(target.unit_id)
        if under is None:
            continue
        if under.is_school:
            sums = figures_by(week=view.week, course_ids=view.course_ids, key="unit_id", unit=under)
        else:
            sums = figures_by(
                week=view.week,
                course_ids=view.course_ids,
                key="unit_id",
                unit_path__startswith=under.path,
                is_school=True,
            )
        rates = {}
        for pk, values in sums.items():
            enrolled, completed = values[0], values[2 * len(COLUMNS)]
            rate = percent(completed, enrolled)
            if found.of(rate) == found.last:
                rates[pk] = (rate, enrolled, completed)
        schools = Unit.objects.filter(pk__in=list(rates)).order_by("path")
        for school in schools:
            rate, enrolled, completed = rates[school.pk]
            result.append(SchoolToRemind(school, under, rate, enrolled, completed, [], None))
    people = recipients_of([s.school for s in result])
    sent = dict(
        SchoolReminder.objects.filter(
            week=view.week, scope=view.scope_key, school_id__in=[s.school.pk for s in result]
        ).values_list("school_id", "sent_at")
    )
    for item in result:
        item.recipients = people.get(item.school.pk, [])
        item.reminded_at = sent.get(item.school.pk)
    return result


__all__ = [
    "Figures",
    "SchoolToRemind",
    "TrendPoint",
    "UnitWeek",
    "chosen_week",
    "home_unit",
    "lagging_schools",
    "reading_unit",
    "unit_week",
]
