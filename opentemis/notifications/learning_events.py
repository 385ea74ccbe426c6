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
a course's deadline 7 and 1 days away      its learners who have not completed it
(``NOTICE_DEADLINE_DAYS``, daily)
=========================================  ============================================

Never twice (each event's key), never to the actor (``events.notify``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.forums.models import Post, Thread
from opentemis.learning.access import assigned_graders
from opentemis.learning.models import (
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
)
from opentemis.notifications.events import Recipient, notify, person_users
from opentemis.notifications.models import NoticeKind
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
    ids = assigned_graders(enrolment)
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


def remind_course_deadlines(*, today: dt.date | None = None) -> int:
    """Notices to the learners of open courses who have not completed them, when their
    deadline (the deepest unit's staggered date above them, else the course's) is
    ``settings.NOTICE_DEADLINE_DAYS`` days away; returns how many people were concerned.
    Run daily with the cycles' deadlines (``send_notices``); a second run adds nothing (keys)."""
    today = today or timezone.localdate()
    days_before = set(getattr(settings, "NOTICE_DEADLINE_DAYS", (7, 1)))
    total = 0
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        for course in Course.objects.filter(status=CourseStatus.OPEN).prefetch_related("deadlines"):
            rules = [(course.unit_path, course.due)] + [
                (d.unit_path, d.due) for d in course.deadlines.all()
            ]
            for path, due in rules:
                if due is None or (due - today).days not in days_before:
                    continue
                days = (due - today).days
                learners = Enrolment.objects.filter(
                    course=course, status=EnrolmentStatus.ACTIVE, unit_path__startswith=path
                )
                for deeper, _due in rules:  # their own deadline applies there
                    if deeper != path and deeper.startswith(path):
                        learners = learners.exclude(unit_path__startswith=deeper)
                total += notify(
                    recipients=person_users(learners.values_list("person_id", flat=True)),
                    kind=NoticeKind.LEARNING,
                    key=f"learning.deadline:{course.pk}:{path}:{due.isoformat()}:{days}",
                    title=ngettext(
                        "The course %(title)s is due in %(days)s day (%(due)s)",
                        "The course %(title)s is due in %(days)s days (%(due)s)",
                        days,
                    )
                    % {"title": course.title[:150], "days": days, "due": due.strftime("%d/%m/%Y")},
                    body=_("Open the course to see what is still missing."),
                    url=reverse("learning_course", args=[course.pk]),
                )
    return total
