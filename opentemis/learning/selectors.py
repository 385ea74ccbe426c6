"""Reads of the learning core (issue 13 items 1, 7 and 9): a learner's courses and a course's
outline with what is still missing, and an officer's view of a course's progress below a unit.

Every entry point takes the actor first; anything outside their reach is a 404 (``access``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.learning import completion, kinds
from opentemis.learning.access import (
    manages_course,
    reader_paths,
    reads_course,
    reads_progress_on,
)
from opentemis.learning.models import (
    Activity,
    ActivityProgress,
    Course,
    CourseDeadline,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Section,
)
from opentemis.learning.services import criteria_of, due_for, judge, states_of
from opentemis.orgs.models import Unit, path_prefixes

# --- the learner -----------------------------------------------------------------------------


@dataclass
class CourseCard:
    """A course on the learner's page: progress, deadline and what to do next."""

    enrolment: Enrolment
    course: Course
    due: dt.date | None
    done: int
    required: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 0

    @property
    def overdue(self) -> bool:
        return (
            self.due is not None
            and self.enrolment.status == EnrolmentStatus.ACTIVE
            and self.due < timezone.localdate()
        )

    @property
    def days_left(self) -> int | None:
        return (self.due - timezone.localdate()).days if self.due else None


def my_courses(*, actor: User) -> list[CourseCard]:
    """The actor's enrolments in courses that are open or closed (not being prepared), open
    ones first, then by deadline. Two queries plus one for staggered deadlines."""
    if not actor.is_authenticated or not actor.person_id:
        return []
    enrolments = list(
        Enrolment.objects.filter(person_id=actor.person_id)
        .exclude(course__status=CourseStatus.DRAFT)
        .select_related("course", "course__school_year")
        .order_by("-course__school_year__start_date", "course__title")
    )
    dues = due_dates(enrolments)
    cards = [
        CourseCard(
            enrolment=e,
            course=e.course,
            due=dues[e.pk],
            done=e.done_count,
            required=e.required_count,
        )
        for e in enrolments
    ]
    order: dict[str, int] = {
        EnrolmentStatus.ACTIVE: 0,
        EnrolmentStatus.COMPLETED: 1,
        EnrolmentStatus.LEFT: 2,
    }
    cards.sort(
        key=lambda c: (
            order.get(c.enrolment.status, 3),
            c.course.status != CourseStatus.OPEN,
            c.due or dt.date.max,
        )
    )
    return cards


def due_dates(enrolments: list[Enrolment]) -> dict[int, dt.date | None]:
    """Each enrolment's deadline (``services.due_for``, set-wise: one query for the lot): the
    deepest staggered date above the learner, else the course's. Courses must be loaded."""
    deadlines: dict[int, dict[str, dt.date]] = defaultdict(dict)
    prefixes = {p for e in enrolments for p in path_prefixes(e.unit_path)}
    for row in CourseDeadline.objects.filter(
        course_id__in=[e.course_id for e in enrolments], unit_path__in=prefixes
    ).values("course_id", "unit_path", "due"):
        deadlines[row["course_id"]][row["unit_path"]] = row["due"]
    found: dict[int, dt.date | None] = {}
    for e in enrolments:
        due = e.course.due
        for path in reversed(path_prefixes(e.unit_path)):
            if path in deadlines[e.course_id]:
                due = deadlines[e.course_id][path]
                break
        found[e.pk] = due
    return found


@dataclass
class ActivityLine:
    activity: Activity
    state: str  # "" = not started
    score: object
    url: str
    icon: str
    locked_by: list[Activity]

    @property
    def done(self) -> bool:
        return completion.satisfied(
            completion.Criterion(
                self.activity.pk,
                self.activity.title,
                self.activity.kind,
                self.activity.pass_required,
            ),
            self.state,
        )


@dataclass
class SectionLines:
    section: Section
    lines: list[ActivityLine] = field(default_factory=list)


@dataclass
class Outline:
    """A course as its learner sees it: sections, each activity's state, what is missing."""

    course: Course
    enrolment: Enrolment | None
    sections: list[SectionLines]
    verdict: completion.Judgement | None
    due: dt.date | None

    @property
    def next_line(self) -> ActivityLine | None:
        """The first required activity not done and not locked: "continue" goes there."""
        for section in self.sections:
            for line in section.lines:
                if line.activity.required and not line.done and not line.locked_by:
                    return line
        return None


def outline(*, course: Course, enrolment: Enrolment | None) -> Outline:
    """The course's sections and activities with the learner's states (none for an officer's
    preview). Three queries whatever the size of the course."""
    activities = list(
        Activity.objects.filter(course=course)
        .select_related("section")
        .prefetch_related("prerequisites")
        .order_by("section__position", "position", "pk")
    )
    progress = (
        {
            p.activity_id: p
            for p in ActivityProgress.objects.filter(enrolment=enrolment).only(
                "activity_id", "state", "score"
            )
        }
        if enrolment
        else {}
    )
    states = {pk: p.state for pk, p in progress.items()}
    sections = [SectionLines(s) for s in Section.objects.filter(course=course)]
    by_section = {s.section.pk: s for s in sections}
    for a in activities:
        found = kinds.get(a.kind)
        locked = [
            p
            for p in a.prerequisites.all()
            if not completion.satisfied(
                completion.Criterion(p.pk, p.title, p.kind, p.pass_required), states.get(p.pk, "")
            )
        ]
        prog = progress.get(a.pk)
        line = ActivityLine(
            activity=a,
            state=prog.state if prog else "",
            score=prog.score if prog else None,
            url=kinds.learner_url(a.kind, a.pk),
            icon=found.icon if found else "",
            locked_by=locked if enrolment else [],
        )
        by_section[a.section_id].lines.append(line)
    verdict = (
        completion.judge(
            [
                completion.Criterion(a.pk, a.title, a.kind, a.pass_required)
                for a in activities
                if a.required
            ],
            states,
            course.completion_rule,
        )
        if enrolment
        else None
    )
    due = due_for(course, enrolment.unit_path) if enrolment else course.due
    return Outline(course=course, enrolment=enrolment, sections=sections, verdict=verdict, due=due)


# --- officers --------------------------------------------------------------------------------


def courses_for(*, actor: User, school_year_id: int | None = None) -> list[Course]:
    """The courses an officer manages or whose learners they read (offered above or within
    their subtrees), newest year first."""
    paths = reader_paths(actor)
    if not paths:
        return []
    qs: QuerySet[Course] = Course.objects.select_related("school_year", "unit", "module")
    if school_year_id:
        qs = qs.filter(school_year_id=school_year_id)
    if paths != ("",):
        where = Q()
        for p in paths:
            where |= Q(unit_path__startswith=p) | Q(unit_path__in=path_prefixes(p))
        qs = qs.filter(where)
    return [
        c
        for c in qs.order_by("-school_year__start_date", "status", "code")
        if reads_course(actor, c)
    ]


@dataclass
class UnitRow:
    """One child unit's learners in a course."""

    unit: Unit | None
    path: str
    enrolled: int = 0
    started: int = 0
    completed: int = 0

    @property
    def not_started(self) -> int:
        return self.enrolled - self.started - self.completed

    @property
    def completion_rate(self) -> float | None:
        return round(100 * self.completed / self.enrolled, 1) if self.enrolled else None


@dataclass
class Funnel:
    """How many learners of the subtree have done each required activity, and how many are
    stuck on it (it is the first required activity they have not done)."""

    activity: Activity
    done: int
    stuck: int


@dataclass
class CourseProgress:
    course: Course
    unit: Unit
    total: UnitRow
    children: list[UnitRow]
    funnel: list[Funnel]
    manages: bool


def progress_unit(*, actor: User, course: Course, unit_pk: int | None) -> Unit:
    """The unit whose learners the page shows: the one asked (inside the actor's reach and the
    course's audience), else the actor's highest reading unit under the course."""
    if unit_pk is not None:
        unit = Unit.objects.filter(pk=unit_pk).first()
        if unit is None or not reads_progress_on(actor, unit.path):
            raise Http404
        if not (unit.path.startswith(course.unit_path) or course.unit_path.startswith(unit.path)):
            raise Http404
        return unit
    paths = sorted(
        (p for p in reader_paths(actor) if p.startswith(course.unit_path) or not p),
        key=len,
    )
    if manages_course(actor, course) or "" in paths:
        found = Unit.objects.filter(path=course.unit_path).first()
    else:
        found = Unit.objects.filter(path__in=paths).order_by("depth", "name").first()
    if found is None:
        raise Http404
    return found


def course_progress(*, actor: User, course: Course, unit: Unit) -> CourseProgress:
    """Who of ``unit``'s subtree has started, completed, is stuck where, by child unit: one
    GROUP BY over the course's enrolments on the child's path prefix, one over the progress
    rows per activity. 404 for a course or unit outside the actor's reach."""
    if not reads_course(actor, course) or not reads_progress_on(actor, unit.path):
        raise Http404
    enrolments = Enrolment.objects.filter(course=course, unit_path__startswith=unit.path).exclude(
        status=EnrolmentStatus.LEFT
    )
    child_width = len(unit.path) + Unit.steplen
    children = {
        c.path: UnitRow(unit=c, path=c.path)
        for c in Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by(
            "name"
        )
    }
    total = UnitRow(unit=unit, path=unit.path)
    rows = (
        enrolments.order_by()
        .annotate(child=Substr("unit_path", 1, child_width))
        .values("child")
        .annotate(
            n=Count("pk"),
            started=Count(
                "pk",
                filter=Q(status=EnrolmentStatus.ACTIVE, started_at__isnull=False),
            ),
            completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)),
        )
    )
    for row in rows:
        target = children.get(row["child"])
        if target is None:  # staff of the unit itself (not of a child)
            target = children.setdefault(row["child"], UnitRow(unit=None, path=row["child"]))
        for item in (target, total):
            item.enrolled += row["n"]
            item.started += row["started"]
            item.completed += row["completed"]
    criteria = criteria_of(course)
    # By activity id, with no join: each activity is one range of the (activity, unit_path)
    # index; a pass where one is required, else done or passed.
    must_pass = [c.activity_id for c in criteria if c.pass_required]
    done_only = [c.activity_id for c in criteria if not c.pass_required]
    done_by_activity = dict(
        ActivityProgress.objects.filter(unit_path__startswith=unit.path)
        .filter(
            Q(activity_id__in=must_pass, state="passed")
            | Q(activity_id__in=done_only, state__in=("complete", "passed"))
        )
        .order_by()
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values_list("activity_id", "n")
    )
    activities = {
        a.pk: a for a in Activity.objects.filter(pk__in=[c.activity_id for c in criteria])
    }
    funnel = []
    previous = total.enrolled
    for c in criteria:
        done = done_by_activity.get(c.activity_id, 0)
        # Learners who did the previous step but not this one: an estimate of where they stop
        # (exact for a course taken in order, which the prerequisites enforce).
        funnel.append(
            Funnel(activity=activities[c.activity_id], done=done, stuck=max(previous - done, 0))
        )
        previous = done
    return CourseProgress(
        course=course,
        unit=unit,
        total=total,
        children=[r for r in children.values() if r.enrolled or r.unit is not None],
        funnel=funnel,
        manages=manages_course(actor, course),
    )


def enrolment_detail(*, actor: User, enrolment: Enrolment) -> completion.Judgement:
    """What a learner has done and what is missing (the learner, or a reader of their unit)."""
    is_self = actor.person_id == enrolment.person_id
    if not is_self and not (
        reads_progress_on(actor, enrolment.unit_path) and reads_course(actor, enrolment.course)
    ):
        raise Http404
    return judge(enrolment)


__all__ = [
    "CourseCard",
    "Outline",
    "course_progress",
    "courses_for",
    "enrolment_detail",
    "my_courses",
    "outline",
    "progress_unit",
    "states_of",
]
