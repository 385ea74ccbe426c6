"""Who may do what with a submission now (issue 14 item 3; decision 0021): the one answer the
pages, the API and the services ask. Built on ``learning.access`` (who grades a learner).

* **Grading.** The course's managers; the holder of a live lease; the assigned grader; and,
  when nobody holds a lease on it, whoever grades the learner (``grades_enrolment``: a grader
  of the course for the learner's subtree, the learner's core teacher). While someone holds
  a lease, only they, the assigned grader and the course's managers may grade it (ORA2). No
  one grades their own submission.
* **The overflow pool.** A submission waiting longer than ``overflow_after`` (data) with no
  live lease. It may be claimed by a grader set on its course, or by a core teacher
  (``staff.CoreDesignation``, kind teacher) designated for the course's school year with a
  subject the learner teaches, working inside the course's audience area (bdtx.md R12).
* **Second marking.** A lecturer holding ``products.second_mark`` on a unit covering the
  course's unit or the learner's: a graded submission of the sample (its ``draw``) or one
  appealed; never their own grade.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, perm_paths
from opentemis.accounts.roles import Perm
from opentemis.core.scoping import system_scope
from opentemis.learning.access import grades_enrolment, manages_course
from opentemis.learning.audience import unit_paths
from opentemis.learning.models import Course, CourseGrader, CourseStatus
from opentemis.products import policy
from opentemis.products.models import Appeal, Submission, SubmissionStatus
from opentemis.staff.models import CoreDesignation, CoreKind, Person

# --- leases -------------------------------------------------------------------------------------


def lease_live(submission: Submission, now: dt.datetime) -> bool:
    """Whether someone holds a lease on the submission now."""
    return (
        submission.claimed_by_id is not None
        and submission.lease_expires is not None
        and submission.lease_expires > now
    )


def free_q(now: dt.datetime) -> Q:
    """No live lease (never claimed, released, or expired: back in the pool)."""
    return Q(claimed_by__isnull=True) | Q(lease_expires__isnull=True) | Q(lease_expires__lte=now)


def held_q(user_id: int, now: dt.datetime) -> Q:
    return Q(claimed_by_id=user_id, lease_expires__gt=now)


def overflow_q(now: dt.datetime) -> Q:
    """Waiting longer than the data's ``overflow_after_hours``, with no live lease."""
    since = now - policy.grading_policy().overflow_after
    return Q(status=SubmissionStatus.PENDING, waiting_since__lte=since) & free_q(now)


# --- grading ------------------------------------------------------------------------------------


def is_own(actor: User, submission: Submission) -> bool:
    return actor.person_id is not None and submission.enrolment.person_id == actor.person_id


def may_grade(actor: User, submission: Submission, now: dt.datetime) -> bool:
    """Whether ``actor`` may grade ``submission`` now (module docstring). The submission's
    ``enrolment`` and ``product.activity.course`` are read."""
    if not actor.is_authenticated or is_own(actor, submission):
        return False
    course = submission.product.activity.course
    if manages_course(actor, course):
        return True
    if submission.assigned_to_id == actor.pk:
        return True
    if lease_live(submission, now):
        return submission.claimed_by_id == actor.pk
    return grades_enrolment(actor, submission.enrolment)


def reaches_to_grade(actor: User, submission: Submission, now: dt.datetime) -> bool:
    """Whether ``actor`` reaches the grading page: who may grade it now, and whoever grades
    the learner while another holds its lease (they read it; the page says who holds it)."""
    if may_grade(actor, submission, now):
        return True
    if not actor.is_authenticated or is_own(actor, submission):
        return False
    return submission.claimed_by_id == actor.pk or grades_enrolment(actor, submission.enrolment)


# --- the overflow pool --------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolReach:
    """The overflow pools ``actor`` may claim from: whole courses (a grader set on them) and
    courses by subject (a core teacher's designation)."""

    courses: frozenset[int] = frozenset()
    by_subject: dict[frozenset[int], frozenset[int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.courses and not self.by_subject


def pool_reach(actor: User) -> PoolReach:
    """Where ``actor`` may claim (module docstring). Courses being prepared are left out."""
    if not actor.is_authenticated:
        return PoolReach()
    courses = frozenset(
        CourseGrader.objects.filter(user_id=actor.pk)
        .exclude(course__status=CourseStatus.DRAFT)
        .values_list("course_id", flat=True)
    )
    if actor.person_id is None:
        return PoolReach(courses=courses)
    with system_scope():
        person = Person.objects.filter(pk=actor.person_id).values_list("unit_path", flat=True)
        home = person.first()
        designations = list(
            CoreDesignation.objects.filter(
                person_id=actor.person_id, kind=CoreKind.TEACHER, subject__isnull=False
            ).values_list("school_year_id", "subject_id")
        )
    if home is None or not designations:
        return PoolReach(courses=courses)
    subjects: dict[int, set[int]] = defaultdict(set)
    for year, subject in designations:
        if subject is not None:
            subjects[year].add(subject)
    # Courses offered above the core teacher's unit, whose audience area holds it.
    candidates = Course.objects.filter(school_year_id__in=list(subjects)).exclude(
        status=CourseStatus.DRAFT
    )
    by_subject: dict[frozenset[int], set[int]] = defaultdict(set)
    for course in candidates:
        if not home.startswith(course.unit_path):
            continue
        if any(home.startswith(p) for p in unit_paths(course)):
            by_subject[frozenset(subjects[course.school_year_id])].add(course.pk)
    return PoolReach(
        courses=courses,
        by_subject={key: frozenset(value) for key, value in by_subject.items()},
    )


def reach_q(reach: PoolReach) -> Q:
    """:class:`PoolReach` as conditions on submissions."""
    query = Q(pk__in=[])
    if reach.courses:
        query |= Q(product__activity__course_id__in=sorted(reach.courses))
    for subjects, courses in reach.by_subject.items():
        teaches = Person.subjects.through.objects.filter(
            person_id=OuterRef("enrolment__person_id"), subject_id__in=sorted(subjects)
        )
        query |= Q(product__activity__course_id__in=sorted(courses)) & Q(Exists(teaches))
    return query


def pool_q(actor: User, reach: PoolReach, now: dt.datetime) -> Q:
    """The submissions of the overflow pool ``actor`` may claim now: not their own, not
    already theirs to grade (assigned to them)."""
    query = overflow_q(now) & reach_q(reach)
    query &= ~Q(enrolment__course__status=CourseStatus.DRAFT)
    query &= ~Q(assigned_to_id=actor.pk)
    if actor.person_id is not None:
        query &= ~Q(enrolment__person_id=actor.person_id)
    return query


# --- second marking -----------------------------------------------------------------------------


def second_mark_paths_q(actor: User) -> Q:
    """The submissions whose course unit or learner lies where ``actor`` second-marks."""
    paths = perm_paths(actor, Perm.SECOND_MARK)
    if paths is None:
        return Q()
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(product__activity__course__unit_path__startswith=path)
        query |= Q(unit_path__startswith=path)
    return query


def second_mark_q(actor: User) -> Q:
    """The graded submissions ``actor`` second-marks: the sample and the appealed ones, where
    they hold the permission; never their own grade or their own submission."""
    appealed = Q(Exists(Appeal.objects.filter(submission_id=OuterRef("pk"))))
    sample = Q(draw__lt=policy.grading_policy().sample_below)
    query: Q = second_mark_paths_q(actor) & ~Q(status=SubmissionStatus.PENDING)
    query &= sample | appealed
    query &= ~Q(grader_id=actor.pk)
    if actor.person_id is not None:
        query &= ~Q(enrolment__person_id=actor.person_id)
    return query


def second_marks(actor: User, submission: Submission) -> bool:
    """Whether ``actor`` second-marks ``submission`` (module docstring)."""
    course = submission.product.activity.course
    if not (
        has_perm_on(actor, Perm.SECOND_MARK, course.unit_path)
        or has_perm_on(actor, Perm.SECOND_MARK, submission.unit_path)
    ):
        return False
    if submission.status == SubmissionStatus.PENDING or is_own(actor, submission):
        return False
    if submission.grader_id == actor.pk:
        return False
    if submission.draw < policy.grading_policy().sample_below:
        return True
    with system_scope():
        return Appeal.objects.filter(submission_id=submission.pk).exists()
