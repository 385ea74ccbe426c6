"""Reads of the final product: a learner's own submissions, the grader's queue, one
submission for its learner or its grader. Everything out of reach is a 404.

A grader (a core teacher) grades colleagues of other schools, outside the scope of their own
roles: the queue and a submission are read in the system scope, after the grading rule
(``learning.access.graded_paths`` / ``graded_enrolment``) said which learners are theirs, and
only those rows are returned (docs/architecture.md, scoping contract).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.learning.access import graded_paths, grades_path, managed_activity
from opentemis.learning.models import Activity, ActivityKind, CourseStatus
from opentemis.orgs.models import Unit
from opentemis.products.models import Product, Submission, SubmissionStatus

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
    if paths is not None and not paths:
        raise Http404
    return activity


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
    with system_scope():
        rows = Submission.objects.filter(product__activity=activity).filter(_paths_q(paths))
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


def submission_to_grade(actor: User, pk: int) -> Submission:
    """Submission ``pk`` if ``actor`` grades its learner; 404 otherwise."""
    found = _submission(pk)
    if found is None or not grades_path(
        actor, found.product.activity.course, found.enrolment.unit_path
    ):
        raise Http404
    return found


def submission_readable(actor: User, pk: int) -> Submission:
    """Submission ``pk`` for its learner (course not being prepared) or its grader; 404
    otherwise (the file route)."""
    found = _submission(pk)
    if found is None:
        raise Http404
    course = found.product.activity.course
    own = (
        actor.person_id is not None
        and found.enrolment.person_id == actor.person_id
        and course.status != CourseStatus.DRAFT
    )
    if not own and not grades_path(actor, course, found.enrolment.unit_path):
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
