"""Notices about grading that never stalls (issue 14 item 3; decision 0021).

=========================================  ============================================
event                                      who is told
=========================================  ============================================
a learner appealed a Chưa đạt grade        the lecturers second-marking it: a lecturer's
(``products.signals.appeal_lodged``)       role on a unit covering the course's unit or
                                           the learner's (``products.second_mark``)
a lecturer decided the appeal, finally     the learner (Đạt, or Chưa đạt confirmed)
(``appeal_decided``)
a lecturer's second marking of the         the first grader
sample differs (``second_mark_differs``)
=========================================  ============================================

Never twice (each event's key), never to the actor (``events.notify``). The hand-in and the
grade are told by ``learning_events``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import ROLE_PERMS, Perm, Role
from opentemis.core.scoping import system_scope
from opentemis.notifications.events import Recipient, notify, person_users
from opentemis.notifications.models import NoticeKind
from opentemis.orgs.models import path_prefixes
from opentemis.products.models import Appeal, AppealStatus, Submission

# The roles whose holders second-mark (the lecturer's): the system administrator holds every
# permission to administer, not to be told of every appeal in the country.
SECOND_MARKERS = tuple(
    role
    for role, perms in ROLE_PERMS.items()
    if Perm.SECOND_MARK in perms and role != Role.SYSTEM_ADMIN
)


def _record(submission: Submission) -> Submission:
    return Submission.objects.select_related(
        "enrolment__person", "product__activity__course", "grader"
    ).get(pk=submission.pk)


def lecturers_of(record: Submission) -> list[Recipient]:
    """The active lecturers whose role covers the course's unit or the learner's."""
    prefixes = {
        *path_prefixes(record.product.activity.course.unit_path),
        *path_prefixes(record.unit_path),
    }
    grants = RoleAssignment.objects.filter(
        role__in=SECOND_MARKERS, unit__path__in=sorted(prefixes), is_active=True
    ).values_list("user_id", flat=True)
    return [(u.pk, u.email) for u in User.objects.filter(pk__in=list(grants), is_active=True)]


def on_appeal_lodged(
    sender: Any, *, submission: Submission, actor: User | None, **kwargs: Any
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = _record(submission)
        notify(
            recipients=lecturers_of(record),
            kind=NoticeKind.LEARNING,
            key=f"products.appeal:{record.pk}",
            title=_("%(name)s appealed the grade of a final product")
            % {"name": record.enrolment.person.full_name},
            body=record.product.activity.title,
            url=reverse("products_second_mark", args=[record.pk]),
            actor_id=actor.pk if actor else None,
        )


def on_appeal_decided(
    sender: Any, *, submission: Submission, actor: User | None, **kwargs: Any
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = _record(submission)
        appeal = Appeal.objects.get(submission=record)
        title = (
            _("Your appeal was decided: Đạt")
            if appeal.status == AppealStatus.OVERTURNED
            else _("Your appeal was decided: Chưa đạt is confirmed")
        )
        notify(
            recipients=person_users([record.enrolment.person_id]),
            kind=NoticeKind.LEARNING,
            key=f"products.appeal_decided:{appeal.pk}",
            title=title,
            body=record.product.activity.title,
            url=reverse("products_activity", args=[record.product.activity_id]),
            actor_id=actor.pk if actor else None,
        )


def on_second_mark_differs(
    sender: Any, *, submission: Submission, actor: User | None, **kwargs: Any
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = _record(submission)
        if record.grader is None or not record.grader.is_active:
            return
        notify(
            recipients=[(record.grader.pk, record.grader.email)],
            kind=NoticeKind.LEARNING,
            key=f"products.second_mark_differs:{record.pk}",
            title=_("A lecturer's second marking differs from your grade (%(name)s)")
            % {"name": record.enrolment.person.full_name},
            body=record.product.activity.title,
            url=reverse("products_grade", args=[record.pk]),
            actor_id=actor.pk if actor else None,
        )
