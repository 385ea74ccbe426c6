"""Reads of the final product: a learner's own submissions, the grader's queue, one
submission for its learner or its grader. Everything out of reach is a 404.

A grader (a core teacher) grades colleagues of other schools, outside the scope of their own
roles: the queue and a submission are read in the system scope, after the grading rule
(``learning.access.graded_paths`` / ``graded_enrolment``) said which learners are theirs, and
only those rows are returned (docs/architecture.md, scoping contract).

Grading that never stalls (issue 14 item 3; decision 0021): a grader's own queue across
their courses (assigned to them, claimed by them) and the overflow pool they may claim from;
a lecturer's second-marking list (the sample and the appeals); the per-grader workload and
turnaround of a course. Who may do what: ``products.access``.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.roles import Perm
from opentemis.core.params import parse_positive_int
from opentemis.core.scoping import system_scope
from opentemis.learning.access import graded_paths, managed_activity, manages_course
from opentemis.learning.models import Activity, ActivityKind, Course, CourseStatus
from opentemis.orgs.models import Unit
from opentemis.products import access, policy
from opentemis.products.models import (
    Appeal,
    AppealStatus,
    Product,
    SecondMark,
    Submission,
    SubmissionStatus,
)

QUEUE_LIMIT = 500


def my_submissions(activity: Activity, enrolment_id: int) -> list[Submission]:
    """The learner's submissions of the product, latest first."""
    return list(
        Submission.objects.filter(product__activity=activity, enrolment_id=enrolment_id)
        .select_related("grader")
        .order_by("-number")
    )


def graded_activity(actor: User, pk: int) -> Activity:
    """Product activity ``pk`` if ``actor`` grades some of its learners (a grader set on the
    course, or an officer who manages it); 404 otherwise."""
    activity = (
        Activity.objects.filter(pk=pk, kind=ActivityKind.PRODUCT)
        .select_related("course", "section")
        .first()
    )
    if activity is None:
        raise Http404
    paths = graded_paths(actor, activity.course)
    if paths is not None and not paths and not _mine(actor, activity):
        raise Http404
    return activity


def _mine_q(actor: User, now: dt.datetime) -> Q:
    """Assigned to ``actor``, or held by them on a live lease."""
    return Q(assigned_to_id=actor.pk) | access.held_q(actor.pk, now)


def _mine(actor: User, activity: Activity) -> bool:
    """Whether some submission of the activity is ``actor``'s to grade (their core teacher's
    caseload, a claim): they reach its queue, which lists those."""
    with system_scope():
        return Submission.objects.filter(
            _mine_q(actor, timezone.now()), product__activity=activity
        ).exists()


def managed_product_activity(actor: User, pk: int) -> Activity:
    activity = managed_activity(actor, pk)
    if activity.kind != ActivityKind.PRODUCT:
        raise Http404
    return activity


def _paths_q(paths: tuple[str, ...] | None) -> Q:
    if paths is None:
        return Q()
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(unit_path__startswith=path)
    return query


@dataclass(frozen=True)
class Queue:
    waiting: list[Submission]
    graded: list[Submission]
    schools: list[Unit]  # the units the submissions come from, for the filter
    unit: Unit | None


def queue(actor: User, activity: Activity, *, unit_pk: int | None = None) -> Queue:
    """The submissions ``actor`` grades: waiting (oldest first) and graded (latest first),
    narrowed to one school's (or any unit's subtree) with ``unit_pk``."""
    paths = graded_paths(actor, activity.course)
    # Beside the subtrees they grade, what is theirs: assigned to them, claimed by them.
    reach = Q() if paths is None else _paths_q(paths) | _mine_q(actor, timezone.now())
    with system_scope():
        rows = Submission.objects.filter(product__activity=activity).filter(reach)
        rows = rows.exclude(enrolment__course__status=CourseStatus.DRAFT)
        school_paths = sorted(set(rows.values_list("unit_path", flat=True)))
        schools = list(Unit.objects.filter(path__in=school_paths).order_by("name"))
        unit = Unit.objects.filter(pk=unit_pk).first() if unit_pk else None
        if unit is not None and not any(p.startswith(unit.path) for p in school_paths):
            unit = None
        if unit is not None:
            rows = rows.filter(unit_path__startswith=unit.path)
        rows = rows.select_related("enrolment__person", "grader")
        waiting = list(
            rows.filter(status=SubmissionStatus.PENDING).order_by("submitted_at", "pk")[
                :QUEUE_LIMIT
            ]
        )
        graded = list(
            rows.exclude(status=SubmissionStatus.PENDING).order_by("-graded_at", "-pk")[
                :QUEUE_LIMIT
            ]
        )
    return Queue(waiting=waiting, graded=graded, schools=schools, unit=unit)


def _submission(pk: int) -> Submission | None:
    with system_scope():
        return (
            Submission.objects.filter(pk=pk)
            .select_related(
                "product__activity__course",
                "product__activity__section",
                "enrolment__person__unit",
                "grader",
            )
            .first()
        )


def _pk(value: int) -> int:
    pk = parse_positive_int(value)
    if pk is None:
        raise Http404
    return pk


def submission_to_grade(actor: User, pk: int) -> Submission:
    """Submission ``pk`` if ``actor`` grades it (``access.reaches_to_grade``); 404 otherwise."""
    found = _submission(_pk(pk))
    if found is None or not access.reaches_to_grade(actor, found, timezone.now()):
        raise Http404
    return found


def submission_readable(actor: User, pk: int) -> Submission:
    """Submission ``pk`` for its learner (course not being prepared), its graders and its
    second markers; 404 otherwise (the file route)."""
    found = _submission(_pk(pk))
    if found is None:
        raise Http404
    course = found.product.activity.course
    own = access.is_own(actor, found) and course.status != CourseStatus.DRAFT
    if not own and not (
        access.reaches_to_grade(actor, found, timezone.now()) or access.second_marks(actor, found)
    ):
        raise Http404
    return found


def others_of(submission: Submission) -> list[Submission]:
    """The learner's earlier submissions of the same product (for the grader's page)."""
    with system_scope():
        return list(
            Submission.objects.filter(
                product_id=submission.product_id,
                enrolment_id=submission.enrolment_id,
                number__lt=submission.number,
            )
            .select_related("grader")
            .order_by("-number")
        )


def product_row(activity: Activity) -> Product | None:
    return Product.objects.filter(activity=activity).first()


def has_later(submission: Submission) -> bool:
    """Whether the learner handed in again after ``submission`` (only the latest is graded)."""
    with system_scope():
        return Submission.objects.filter(
            product_id=submission.product_id,
            enrolment_id=submission.enrolment_id,
            number__gt=submission.number,
        ).exists()


# --- a grader's own queue and the overflow pool -------------------------------------------------

_ROW_RELATED = (
    "product__activity__course",
    "enrolment__person__unit",
    "assigned_to",
    "claimed_by",
    "grader",
)


@dataclass(frozen=True)
class MyQueue:
    """What waits for ``actor`` across their courses, oldest first: assigned to them (their
    caseload, or a course they grade) and claimed by them from the pool; how many wait in the
    pool they may claim from."""

    assigned: list[Submission]
    claimed: list[Submission]
    pool: int
    overflow_hours: float
    lease_hours: float


def my_queue(actor: User, *, now: dt.datetime | None = None) -> MyQueue:
    now = now or timezone.now()
    settings = policy.grading_policy()
    with system_scope():
        pending = Submission.objects.filter(status=SubmissionStatus.PENDING).exclude(
            enrolment__course__status=CourseStatus.DRAFT
        )
        assigned = list(
            pending.filter(assigned_to_id=actor.pk)
            .select_related(*_ROW_RELATED)
            .order_by("waiting_since", "pk")[:QUEUE_LIMIT]
        )
        claimed = list(
            pending.filter(access.held_q(actor.pk, now))
            .exclude(assigned_to_id=actor.pk)
            .select_related(*_ROW_RELATED)
            .order_by("waiting_since", "pk")[:QUEUE_LIMIT]
        )
    return MyQueue(
        assigned=assigned,
        claimed=claimed,
        pool=pool_count(actor, now=now),
        overflow_hours=settings.overflow_after.total_seconds() / 3600,
        lease_hours=settings.lease.total_seconds() / 3600,
    )


def pool_count(actor: User, *, now: dt.datetime | None = None) -> int:
    """How many submissions of the overflow pool ``actor`` may claim now."""
    now = now or timezone.now()
    reach = access.pool_reach(actor)
    if reach.empty:
        return 0
    with system_scope():
        return Submission.objects.filter(access.pool_q(actor, reach, now)).count()


# --- second marking and appeals -----------------------------------------------------------------


@dataclass(frozen=True)
class SecondMarkRow:
    submission: Submission
    appeal: Appeal | None
    mark: SecondMark | None  # the lecturers' mark of the sample (or the appeal's decision)

    @property
    def waiting(self) -> bool:
        if self.appeal is not None:
            return self.appeal.status == AppealStatus.OPEN
        return self.mark is None


def second_mark_list(actor: User) -> list[SecondMarkRow]:
    """The submissions ``actor`` second-marks: open appeals first, then the sample not yet
    marked (oldest grade first), then what was decided. 404 without the permission."""
    if perm_paths(actor, Perm.SECOND_MARK) == ():
        raise Http404
    with system_scope():
        rows = list(
            Submission.objects.filter(access.second_mark_q(actor))
            .exclude(enrolment__course__status=CourseStatus.DRAFT)
            .select_related(*_ROW_RELATED)
            .order_by("graded_at", "pk")[:QUEUE_LIMIT]
        )
        pks = [r.pk for r in rows]
        appeals = {a.submission_id: a for a in Appeal.objects.filter(submission_id__in=pks)}
        marks: dict[int, SecondMark] = {}
        for mark in SecondMark.objects.filter(submission_id__in=pks).select_related("marker"):
            # The appeal's decision, when there is one, is what the row shows.
            if mark.appeal_id is not None or mark.submission_id not in marks:
                marks[mark.submission_id] = mark
    found = [SecondMarkRow(r, appeals.get(r.pk), marks.get(r.pk)) for r in rows]
    return sorted(
        found,
        key=lambda row: (
            not (row.waiting and row.appeal is not None),
            not row.waiting,
        ),
    )


def submission_to_second_mark(actor: User, pk: int) -> Submission:
    """Submission ``pk`` if ``actor`` second-marks it; 404 otherwise."""
    found = _submission(_pk(pk))
    if found is None or not access.second_marks(actor, found):
        raise Http404
    return found


def own_submission(actor: User, pk: int) -> Submission:
    """The actor's own submission ``pk`` (course not being prepared); 404 otherwise."""
    found = _submission(_pk(pk))
    if (
        found is None
        or not access.is_own(actor, found)
        or found.product.activity.course.status == CourseStatus.DRAFT
    ):
        raise Http404
    return found


def appeal_of(submission: Submission) -> Appeal | None:
    with system_scope():
        return Appeal.objects.filter(submission_id=submission.pk).first()


def second_marks_of(submission: Submission) -> list[SecondMark]:
    """The lecturers' marks of a submission, for its graders and the course's officers."""
    with system_scope():
        return list(
            SecondMark.objects.filter(submission_id=submission.pk).select_related(
                "marker", "first_grader", "appeal"
            )
        )


# --- workload and turnaround --------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in (0, 1]): the smallest value with at least
    that share of the values at or below it; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


@dataclass
class GraderLoad:
    """One grader's figures in a course (hours from the hand-in to the grade)."""

    user: User
    assigned_pending: int = 0
    claimed: int = 0
    graded_week: int = 0
    graded_total: int = 0
    overdue: int = 0
    disagreements: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours) if self.hours else None

    @property
    def p90_hours(self) -> float | None:
        return percentile(self.hours, 0.9)


@dataclass(frozen=True)
class Workload:
    course: Course
    rows: list[GraderLoad]
    unassigned: int  # waiting with nobody assigned (no grader set, no core teacher)
    week_start: dt.datetime
    overflow_hours: float


def workload_course(actor: User, pk: int) -> tuple[Course, tuple[str, ...] | None]:
    """Course ``pk`` and the subtrees whose graders' work ``actor`` reads: all of it for its
    managers (``None``); for an officer managing courses below it (a Sở, for a ministry's
    course), their own subtrees. 404 otherwise."""
    course = Course.objects.filter(pk=_pk(pk)).select_related("school_year").first()
    if course is None:
        raise Http404
    if manages_course(actor, course):
        return course, None
    paths = perm_paths(actor, Perm.MANAGE_COURSES) or ()
    inside = tuple(p for p in paths if p.startswith(course.unit_path))
    if not inside:
        raise Http404
    return course, inside


def week_start(now: dt.datetime) -> dt.datetime:
    """Monday 00:00 of ``now``'s week, in the site's time zone."""
    local = timezone.localtime(now)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return timezone.make_aware(dt.datetime.combine(monday, dt.time()), local.tzinfo)


def workload(
    course: Course, paths: tuple[str, ...] | None, *, now: dt.datetime | None = None
) -> Workload:
    """Per grader of ``course`` (learners in ``paths``; ``None``: all): waiting assigned to
    them, held on a live lease, graded this week and in all, the median and 90th percentile
    of the hours from hand-in to grade, overdue (assigned and waiting past the overflow
    time), and second markings that disagreed with them."""
    now = now or timezone.now()
    settings = policy.grading_policy()
    monday = week_start(now)
    overdue_before = now - settings.overflow_after
    loads: dict[int, GraderLoad] = {}
    with system_scope():
        rows = Submission.objects.filter(product__activity__course=course).filter(_paths_q(paths))
        pending = rows.filter(status=SubmissionStatus.PENDING)
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for key, query, field_name in (
            ("assigned_pending", pending, "assigned_to_id"),
            ("overdue", pending.filter(waiting_since__lte=overdue_before), "assigned_to_id"),
            ("claimed", pending.filter(lease_expires__gt=now), "claimed_by_id"),
            ("graded_week", rows.filter(graded_at__gte=monday), "grader_id"),
            ("graded_total", rows.exclude(status=SubmissionStatus.PENDING), "grader_id"),
        ):
            grouped = (
                query.exclude(**{f"{field_name}__isnull": True})
                .values_list(field_name)
                .annotate(n=Count("pk"))
                .values_list(field_name, "n")
            )
            for user_id, n in grouped:
                counts[user_id][key] = n
        disagreeing = (
            SecondMark.objects.filter(submission__in=rows, agrees=False, first_grader__isnull=False)
            .values_list("first_grader_id")
            .annotate(n=Count("pk"))
            .values_list("first_grader_id", "n")
        )
        for user_id, n in disagreeing:
            counts[user_id]["disagreements"] = n
        spans: dict[int, list[float]] = defaultdict(list)
        graded = rows.exclude(status=SubmissionStatus.PENDING).exclude(grader__isnull=True)
        for user_id, since, at in graded.values_list("grader_id", "waiting_since", "graded_at"):
            if at is not None:
                spans[user_id].append(max(0.0, (at - since).total_seconds() / 3600))
        unassigned = pending.filter(assigned_to__isnull=True).count()
    users = User.objects.filter(pk__in=[*counts, *spans]).select_related("person")
    for user in users:
        load = GraderLoad(user=user, hours=spans.get(user.pk, []))
        for key, n in counts.get(user.pk, {}).items():
            setattr(load, key, n)
        loads[user.pk] = load
    ordered = sorted(
        loads.values(), key=lambda g: (-g.overdue, -g.assigned_pending, g.user.get_username())
    )
    return Workload(
        course=course,
        rows=ordered,
        unassigned=unassigned,
        week_start=monday,
        overflow_hours=settings.overflow_after.total_seconds() / 3600,
    )


def disagreements(course: Course, paths: tuple[str, ...] | None) -> list[SecondMark]:
    """The second markings of the course (learners in ``paths``) that differ from the first
    grade, latest first: shown to the course's officers (the first grader sees theirs on the
    grading page)."""
    with system_scope():
        return list(
            SecondMark.objects.filter(submission__product__activity__course=course, agrees=False)
            .filter(_paths_q(paths))
            .select_related("submission__enrolment__person", "marker", "first_grader", "appeal")
            .order_by("-marked_at", "-pk")[:QUEUE_LIMIT]
        )
