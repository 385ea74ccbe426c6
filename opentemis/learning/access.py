"""Who may do what with a course: the one rule the pages, the API and every activity app ask
(decision 0019).

* Officers holding ``learning.manage`` on the course's unit (the ministry, a Sở, a training
  institution) build it, enrol, set deadlines and graders, and read all its progress.
* Whoever holds ``learning.view`` or ``learning.manage`` on a unit reads the progress of the
  learners of that unit's subtree in any course offered to them.
* A learner reaches a course through their own enrolment; a course being prepared is hidden
  from learners.
* A grader of the course (``CourseGrader``) reaches the enrolments of their subtree to grade;
  a learner's core teacher for the year (``cascade.Caseload``) reaches that learner's.

Anything else is a 404, as for a missing object.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, path_filter, perm_paths
from opentemis.accounts.roles import Perm
from opentemis.cascade.models import Caseload
from opentemis.core.params import parse_positive_int
from opentemis.core.scoping import system_scope
from opentemis.learning.models import (
    Activity,
    Course,
    CourseGrader,
    CourseStatus,
    Enrolment,
)
from opentemis.orgs.models import path_prefixes


def _pk(value: int) -> int:
    """An id from a URL: anything no row can have (beyond 64 bits) is a 404, not a crash."""
    pk = parse_positive_int(value)
    if pk is None:
        raise Http404
    return pk


def manages_course(actor: User, course: Course) -> bool:
    """Whether ``actor`` builds and runs ``course`` (``learning.manage`` on its unit)."""
    return has_perm_on(actor, Perm.MANAGE_COURSES, course.unit_path)


def reads_progress_on(actor: User, path: str) -> bool:
    """Whether ``actor`` reads learners' progress in the unit at ``path``."""
    return has_perm_on(actor, Perm.VIEW_LEARNING, path) or has_perm_on(
        actor, Perm.MANAGE_COURSES, path
    )


def progress_q(actor: User, field_name: str = "unit_path") -> Q:
    """:func:`reads_progress_on` as conditions on a unit path field, for lists."""
    return path_filter(actor, Perm.VIEW_LEARNING, field_name) | path_filter(
        actor, Perm.MANAGE_COURSES, field_name
    )


def reader_paths(actor: User) -> tuple[str, ...]:
    """The subtrees whose learners ``actor`` reads (empty: none; the root for a superuser)."""
    paths: set[str] = set()
    for perm in (Perm.VIEW_LEARNING, Perm.MANAGE_COURSES):
        found = perm_paths(actor, perm)
        if found is None:
            return ("",)
        paths.update(found)
    return tuple(sorted(paths))


def reads_course(actor: User, course: Course) -> bool:
    """Whether ``actor`` sees ``course`` as an officer: they manage it, or it is offered above
    or within a subtree whose progress they read."""
    if manages_course(actor, course):
        return True
    return any(
        p.startswith(course.unit_path) or course.unit_path.startswith(p)
        for p in reader_paths(actor)
    )


def managed_course(actor: User, pk: int) -> Course:
    """The course ``pk`` if ``actor`` manages it; 404 otherwise."""
    course = Course.objects.filter(pk=_pk(pk)).select_related("school_year", "unit").first()
    if course is None or not manages_course(actor, course):
        raise Http404
    return course


def read_course(actor: User, pk: int) -> Course:
    """The course ``pk`` if ``actor`` reads its progress or manages it; 404 otherwise."""
    course = Course.objects.filter(pk=_pk(pk)).select_related("school_year", "unit").first()
    if course is None or not reads_course(actor, course):
        raise Http404
    return course


def own_enrolment(actor: User, course_id: int) -> Enrolment | None:
    """The actor's own enrolment in a course that is not being prepared."""
    if not actor.is_authenticated or not actor.person_id:
        return None
    return (
        Enrolment.objects.filter(course_id=_pk(course_id), person_id=actor.person_id)
        .exclude(course__status=CourseStatus.DRAFT)
        .select_related("course", "course__school_year")
        .first()
    )


def learner_enrolment(actor: User, course_id: int) -> Enrolment:
    """The actor's enrolment in course ``course_id``; 404 if they have none."""
    enrolment = own_enrolment(actor, course_id)
    if enrolment is None:
        raise Http404
    return enrolment


def learner_activity(actor: User, pk: int) -> tuple[Activity, Enrolment]:
    """Activity ``pk`` and the actor's enrolment in its course; 404 if they are not enrolled.
    Every learner page and endpoint of an activity app starts here."""
    activity = Activity.objects.filter(pk=_pk(pk)).select_related("course", "section").first()
    if activity is None:
        raise Http404
    enrolment = learner_enrolment(actor, activity.course_id)
    return activity, enrolment


def managed_activity(actor: User, pk: int) -> Activity:
    """Activity ``pk`` if ``actor`` manages its course; 404 otherwise."""
    activity = Activity.objects.filter(pk=_pk(pk)).select_related("course", "section").first()
    if activity is None or not manages_course(actor, activity.course):
        raise Http404
    return activity


def grades_path(actor: User, course: Course, path: str) -> bool:
    """Whether ``actor`` grades the learners of ``course`` at ``path``: a grader set on the
    course for a subtree holding ``path`` (or for all of it), or an officer who manages it."""
    if manages_course(actor, course):
        return True
    return graders_at(course.pk, path).filter(user_id=actor.pk).exists()


def graders_at(course_id: int, path: str) -> QuerySet[CourseGrader]:
    """The graders set on the course for the learners at ``path``: for a subtree holding it,
    or for the whole course (the one rule: who grades, who is told of a hand-in)."""
    return CourseGrader.objects.filter(course_id=course_id).filter(
        Q(unit_path="") | Q(unit_path__in=_prefixes(path))
    )


def core_grader(enrolment: Enrolment) -> int | None:
    """The account of the learner's core teacher for the course's school year (the caseload,
    bdtx.md R12), if one is assigned and has an account."""
    with system_scope():
        row = (
            Caseload.objects.filter(
                school_year_id=enrolment.course.school_year_id, learner_id=enrolment.person_id
            )
            .values_list("core__user__id", flat=True)
            .first()
        )
    return row


def assigned_graders(enrolment: Enrolment) -> list[int]:
    """The accounts whose queue a learner's final product goes to and who are told of it: the
    learner's core teacher (the caseload) when there is one, otherwise the graders set on the
    course for the learner's subtree (the one rule: whose queue, who is told of a hand-in)."""
    core = core_grader(enrolment)
    if core is not None:
        return [core]
    return list(
        graders_at(enrolment.course_id, enrolment.unit_path).values_list("user_id", flat=True)
    )


def grades_enrolment(actor: User, enrolment: Enrolment) -> bool:
    """Whether ``actor`` grades this learner: the course's managers and graders of the
    learner's subtree (``grades_path``), or the learner's core teacher for the year."""
    if grades_path(actor, enrolment.course, enrolment.unit_path):
        return True
    return actor.pk is not None and core_grader(enrolment) == actor.pk


def graded_enrolment(actor: User, pk: int) -> Enrolment:
    """Enrolment ``pk`` if ``actor`` grades it; 404 otherwise. A grader (a core teacher) grades
    colleagues of other schools, outside their own scope: the enrolment is read in the system
    scope and returned only after the grading rule above allowed it (docs/architecture.md)."""
    with system_scope():
        enrolment = Enrolment.objects.filter(pk=_pk(pk)).select_related("course", "person").first()
    if enrolment is None or not grades_enrolment(actor, enrolment):
        raise Http404
    return enrolment


def graded_paths(actor: User, course: Course) -> tuple[str, ...] | None:
    """The subtrees of ``course`` whose learners ``actor`` grades: ``None`` for all of them
    (a manager, or a grader set for the whole course), empty for none."""
    if manages_course(actor, course):
        return None
    rows = list(
        CourseGrader.objects.filter(course=course, user_id=actor.pk).values_list(
            "unit_path", flat=True
        )
    )
    if "" in rows:
        return None
    return tuple(rows)


def _prefixes(path: str) -> list[str]:
    return path_prefixes(path)
