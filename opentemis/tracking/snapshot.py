"""Taking a week's snapshot: set-based counts of every course's enrolments per school, rolled
up to every unit above, written in one transaction (decision 0022).

For each course of the week, **one** grouped query over its enrolments joined to their persons
counts, per learner's unit (``Enrolment.unit_path``), gender and DTTS flag: enrolled, started,
completed and passed (definitions in :mod:`opentemis.tracking.services`). The result has a few
rows per school, whatever the number of learners; Python turns each school's rows into the
ministry's sub-columns with the TEMIS report's own summing rule
(``reports.selectors.breakdown``: women, DTTS, women DTTS, disadvantaged area of the learner's
unit), then adds each school's figures to every unit above it (``orgs.path_prefixes``). Memory
is bounded by the number of units, never by the number of learners: one course's figures per
unit are held at a time, and rows are written in batches.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.learning.models import (
    ActivityProgress,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    ProgressState,
)
from opentemis.orgs.models import SchoolYear, Unit, UnitKind, path_prefixes
from opentemis.orgs.selectors import current_school_year
from opentemis.reports.selectors import breakdown
from opentemis.reports.snapshots import monday
from opentemis.staff.models import Gender
from opentemis.tracking.models import (
    COLUMNS,
    FIGURE_FIELDS,
    MEASURES,
    SnapshotRun,
    WeekFigures,
)

BATCH = 1000  # 27 columns a row: 27,000 parameters a statement (PostgreSQL: 65,535 at most)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    is_school: bool
    disadvantaged: bool


@dataclass(frozen=True)
class Cell:
    """A school's learners of one gender and DTTS flag (the shape ``breakdown`` sums)."""

    woman: bool
    dtts: bool
    disadvantaged: bool
    enrolled: int
    started: int
    completed: int
    passed: int


def week_bounds(week: dt.date) -> tuple[dt.date, dt.datetime]:
    """The Monday of ``week``'s ISO week, and the moment its figures are counted up to: the end
    of its Sunday (local time), or now for the week in progress."""
    start = monday(week)
    end = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=7), dt.time.min))
    return start, min(end, timezone.now())


def courses_of_week(week: dt.date) -> list[Course]:
    """The courses a week's snapshot counts: every course not being prepared, of the school
    years the week falls in (else of the current year)."""
    years = list(
        SchoolYear.objects.filter(start_date__lte=week + dt.timedelta(days=6), end_date__gte=week)
    )
    if not years:
        current = current_school_year()
        years = [current] if current is not None else []
    return list(
        Course.objects.filter(school_year__in=years)
        .exclude(status=CourseStatus.DRAFT)
        .order_by("pk")
    )


KEYS = ("unit_path", "person__gender", "person__is_dtts")


def _counted(course: Course, as_of: dt.datetime) -> QuerySet[Enrolment]:
    """The course's enrolments counted at ``as_of``: made before it, not marked LEFT."""
    return (
        Enrolment.objects.filter(course=course, enrolled_at__lt=as_of)
        .exclude(status=EnrolmentStatus.LEFT)
        .order_by()
    )


def enrolment_counts(course: Course, as_of: dt.datetime) -> QuerySet[Any, Any]:
    """The grouped query: per learner's unit path, gender and DTTS flag, how many were
    enrolled, had started and completed before ``as_of`` (services docstring)."""
    completed = Q(status=EnrolmentStatus.COMPLETED, completed_at__lt=as_of)
    return (
        _counted(course, as_of)
        .values("unit_path", "person__gender", "person__is_dtts")
        .annotate(
            enrolled=Count("pk"),
            started=Count("pk", filter=Q(started_at__lt=as_of) | completed),
            completed=Count("pk", filter=completed),
        )
    )


def passed_counts(course: Course, as_of: dt.datetime) -> QuerySet[Any, Any] | None:
    """The same groups' learners who passed every required activity that must be passed
    (None when the course has none: then passed = completed). A second grouped query, the
    enrolments filtered by ``id IN (the enrolments with all passes)``, which the database runs
    as a join (a semi-join), not as a lookup per enrolment."""
    must_pass = list(
        course.activities.filter(required=True, pass_required=True).values_list("pk", flat=True)
    )
    if not must_pass:
        return None
    passed_all = (
        ActivityProgress.objects.filter(
            activity_id__in=must_pass, state=ProgressState.PASSED, completed_at__lt=as_of
        )
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .filter(n=len(must_pass))
        .values("enrolment_id")
    )
    return (
        _counted(course, as_of)
        .filter(pk__in=passed_all)
        .values("unit_path", "person__gender", "person__is_dtts")
        .annotate(n=Count("pk"))
    )


def _vector(cells: list[Cell]) -> list[int]:
    """A school's 20 figures (measure x sub-column) from its cells."""
    values: list[int] = []
    for measure in MEASURES:
        b = breakdown(cells, _count(measure))
        values.extend(int(getattr(b, column) or 0) for column in COLUMNS)
    return values


def _count(measure: str) -> Callable[[Any], int]:
    return lambda cell: int(getattr(cell, measure))


def course_figures(
    course: Course, as_of: dt.datetime, units: dict[str, UnitInfo]
) -> dict[str, list[int]]:
    """Every unit's figures in ``course`` (unit path -> values in ``FIGURE_FIELDS`` order):
    each school's from the grouped query, added to every unit above it."""
    passed_rows = passed_counts(course, as_of)
    passed: dict[tuple[Any, ...], int] | None = None
    if passed_rows is not None:
        passed = {
            tuple(row[k] for k in KEYS): row["n"] for row in passed_rows.iterator(chunk_size=5000)
        }
    schools: dict[str, list[Cell]] = defaultdict(list)
    for row in enrolment_counts(course, as_of).iterator(chunk_size=5000):
        info = units.get(row["unit_path"])
        key = tuple(row[k] for k in KEYS)
        schools[row["unit_path"]].append(
            Cell(
                woman=row["person__gender"] == Gender.FEMALE,
                dtts=bool(row["person__is_dtts"]),
                disadvantaged=bool(info and info.disadvantaged),
                enrolled=row["enrolled"],
                started=row["started"],
                completed=row["completed"],
                passed=row["completed"] if passed is None else passed.get(key, 0),
            )
        )
    width = len(FIGURE_FIELDS)
    totals: dict[str, list[int]] = {}
    while schools:
        path, cells = schools.popitem()
        vector = _vector(cells)
        for prefix in path_prefixes(path):
            target = totals.get(prefix)
            if target is None:
                totals[prefix] = list(vector)
            else:
                for i in range(width):
                    target[i] += vector[i]
    return totals


def _rows(
    week: dt.date, course: Course, totals: dict[str, list[int]], units: dict[str, UnitInfo]
) -> Iterator[WeekFigures]:
    for path, values in totals.items():
        info = units.get(path)
        if info is None or not values[0]:  # a stale path, or nobody enrolled
            continue
        yield WeekFigures(
            week=week,
            course_id=course.pk,
            school_year_id=course.school_year_id,
            unit_id=info.pk,
            unit_path=path,
            parent_path=path[: -Unit.steplen],
            is_school=info.is_school,
            **dict(zip(FIGURE_FIELDS, values, strict=True)),
        )


def _write(rows: Iterator[WeekFigures]) -> int:
    written = 0
    batch: list[WeekFigures] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            WeekFigures.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        WeekFigures.objects.bulk_create(batch)
        written += len(batch)
    return written


def unit_infos() -> dict[str, UnitInfo]:
    """Every unit by path: what a snapshot needs of it."""
    # The kinds Unit.is_school names.
    school_kinds = {UnitKind.SCHOOL, UnitKind.GDTX_CENTRE}
    return {
        path: UnitInfo(pk, kind in school_kinds, disadvantaged)
        for pk, path, kind, disadvantaged in Unit.objects.values_list(
            "pk", "path", "kind", "disadvantaged_area"
        ).iterator(chunk_size=10000)
    }


def take(day: dt.date, progress: Progress | None = None) -> SnapshotRun:
    """Count the week of ``day`` for every course and unit and replace its rows, in one
    transaction (readers see the old week or the new one, never a mix). A second run of the
    same week waits for the first (the week's :class:`SnapshotRun` row is locked)."""
    started = time.monotonic()
    week, as_of = week_bounds(day)
    with system_scope():
        SnapshotRun.objects.get_or_create(
            week=week, defaults={"taken_at": timezone.now(), "as_of": as_of}
        )
        with transaction.atomic():
            run = SnapshotRun.objects.select_for_update().get(week=week)
            courses = courses_of_week(week)
            units = unit_infos()
            if progress is not None:
                progress(0, len(courses))
            WeekFigures.objects.filter(week=week).delete()
            written = 0
            for done, course in enumerate(courses, start=1):
                totals = course_figures(course, as_of, units)
                written += _write(_rows(week, course, totals, units))
                del totals
                if progress is not None:
                    progress(done, len(courses))
            run.taken_at = timezone.now()
            run.as_of = as_of
            run.courses = len(courses)
            run.rows = written
            run.seconds = round(time.monotonic() - started, 3)
            run.save()
    return run
