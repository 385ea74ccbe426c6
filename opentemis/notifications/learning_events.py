"""Notices about online learning (issue 13: people are told when something concerns them).

=========================================  ============================================
event                                      who is told
=========================================  ============================================
a course completed, its periods credited   the learner
a final product handed in                  the course's graders of the learner's unit
                                           (``CourseGrader`` rows covering it)
a final product graded                     the learner (Đạt or Chưa đạt, and where to see
                                           the grader's comments)
a question or a reply in a forum           the question's author and those who posted in
                                           it (``forums.signals.post_created``)
=========================================  ============================================

Never twice (each event's key), never to the actor (``events.notify``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.forums.models import Post, Thread
from opentemis.learning.models import CourseGrader, Enrolment
from opentemis.notifications.events import Recipient, notify, person_users
from opentemis.notifications.models import NoticeKind
from opentemis.orgs.models import path_prefixes
from opentemis.plans.models import LedgerEntry
from opentemis.products.models import Submission


def on_course_completed(
    sender: Any, *, enrolment: Enrolment, entry: LedgerEntry, **kwargs: Any
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        course = enrolment.course
        notify(
            recipients=person_users([enrolment.person_id]),
            kind=NoticeKind.LEARNING,
            key=f"learning.completed:{enrolment.pk}",
            title=_("You completed the course %(title)s") % {"title": course.title[:150]},
            body=_("%(hours)s periods were credited to your BDTX ledger.")
            % {"hours": f"{entry.hours:g}"},
            url=reverse("learning_course", args=[course.pk]),
            unit_id=enrolment.person.unit_id if enrolment.person_id else None,
        )


def _graders_of(submission: Submission) -> list[Recipient]:
    enrolment = submission.enrolment
    ids = (
        CourseGrader.objects.filter(course_id=enrolment.course_id)
        .filter(Q(unit_path="") | Q(unit_path__in=path_prefixes(enrolment.unit_path)))
        .values_list("user_id", flat=True)
    )
    return [(u.pk, u.email) for u in User.objects.filter(pk__in=list(ids), is_active=True)]


def on_product_submitted(
    sender: Any, *, submission: Submission, actor: User | None, **kwargs: Any
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = Submission.objects.select_related("enrolment__person", "product__activity").get(
            pk=submission.pk
        )
        activity = record.product.activity
        notify(
            recipients=_graders_of(record),
            kind=NoticeKind.LEARNING,
            key=f"products.submitted:{record.pk}:{record.revision}",
            title=_("%(name)s handed in a final product to grade")
            % {"name": record.enrolment.person.full_name},
            body=activity.title,
            url=reverse("products_queue", args=[activity.pk]),
            actor_id=actor.pk if actor else None,
        )


def on_product_graded(
    sender: Any, *, submission: Submission, actor: User | None, **kwargs: Any
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = Submission.objects.select_related("enrolment", "product__activity").get(
            pk=submission.pk
        )
        activity = record.product.activity
        title = (
            _("Your final product was graded: Đạt")
            if record.status == "passed"
            else _("Your final product was graded: Chưa đạt")
        )
        notify(
            recipients=person_users([record.enrolment.person_id]),
            kind=NoticeKind.LEARNING,
            key=f"products.graded:{record.pk}:{record.revision}:{record.status}",
            title=title,
            body=activity.title,
            url=reverse("products_activity", args=[activity.pk]),
            actor_id=actor.pk if actor else None,
        )


def on_post_created(
    sender: Any,
    *,
    post: Post,
    thread: Thread,
    actor: User | None,
    recipients: list[int],
    **kwargs: Any,
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        users = [(u.pk, u.email) for u in User.objects.filter(pk__in=recipients, is_active=True)]
        notify(
            recipients=users,
            kind=NoticeKind.LEARNING,
            key=f"forums.post:{post.pk}",
            title=_("New reply in the forum: %(title)s") % {"title": thread.title[:150]},
            body=post.body[:300],
            url=reverse("forums_thread", args=[thread.pk]),
            actor_id=actor.pk if actor else None,
        )
