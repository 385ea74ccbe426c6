"""Notices about what happens to people and what waits for them (issue 9 item 3).

The evaluations app sends :data:`opentemis.evaluations.signals.evaluation_changed` after each
workflow step commits; :func:`on_evaluation_changed` (connected in ``apps.py``) turns it into
notices for the people concerned:

=====================  =========================================================
step                   who is told
=====================  =========================================================
submitted (teacher)    the reviewers (``access.can_review_path``: the principal);
                       the colleagues of the subject group (an opinion is wanted)
submitted (manager)    the reviewers (the evaluator rule: the Sở, or the head);
                       the school's staff (the anonymous poll is open)
returned, finalised    the person evaluated
reopened               the person evaluated and the reviewers
=====================  =========================================================

:func:`remind_deadlines` (daily, ``manage.py send_notices``) tells everyone with pending work
when a cycle's deadline is ``NOTICE_DEADLINE_DAYS`` days away: one query per cycle and step,
notices written with ``bulk_create``.

Never twice, never to oneself: each notice carries the event's key (unique per recipient, so a
repeated signal or a second run of the daily command adds nothing), and the actor is never
among the recipients. Notices are written in the site language, like reminders.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import ROLE_PERMS, Perm
from opentemis.core.scoping import system_scope
from opentemis.evaluations import access
from opentemis.evaluations.models import (
    LOCKED_STATUSES,
    Cycle,
    CycleStatus,
    Evaluation,
    EvaluationKind,
    PeerOpinion,
    PollParticipation,
    Status,
)
from opentemis.evaluations.selectors import EVALUATED_POSITIONS
from opentemis.evaluations.waiting import ordered_rules, review_queue, reviewed_by_head_q
from opentemis.notifications.emails import deliver_pending
from opentemis.notifications.models import (
    EmailChoice,
    EmailState,
    Notice,
    NoticeKind,
    NoticePreference,
)
from opentemis.orgs.models import path_prefixes
from opentemis.staff.models import EmploymentStatus, Person

logger = logging.getLogger(__name__)

BATCH = 1000
# (user id, email address): what a notice needs to know about its recipient.
Recipient = tuple[int, str]

REVIEW_ROLES = tuple(
    role
    for role, perms in ROLE_PERMS.items()
    if Perm.REVIEW_TEACHERS in perms or Perm.REVIEW_MANAGERS in perms
)


# --- writing notices --------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[Recipient],
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    unit_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    """Leave one notice per recipient for the event ``key``; returns how many were offered.

    Idempotent: a recipient who already has a notice with this key gets none (the unique
    constraint, with ``ignore_conflicts``). The email copy follows each recipient's
    preference (at once, in the daily digest, none) and needs an address; emails due at once
    leave after the commit, from a task.
    """
    people = {pk: email for pk, email in recipients if pk != actor_id}
    if not people:
        return 0
    now = timezone.now()
    pending = False
    ids = list(people)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        choices = dict(
            NoticePreference.objects.filter(user_id__in=batch)
            .exclude(email=EmailChoice.IMMEDIATE)
            .values_list("user_id", "email")
        )
        notices = []
        for pk in batch:
            state = _email_state(people[pk], choices.get(pk, EmailChoice.IMMEDIATE))
            pending = pending or state == EmailState.PENDING
            notices.append(
                Notice(
                    recipient_id=pk,
                    kind=kind,
                    key=key[:120],
                    title=title[:200],
                    body=body,
                    url=url[:500],
                    unit_id=unit_id,
                    created_at=now,
                    email_state=state,
                )
            )
        Notice.objects.bulk_create(notices, ignore_conflicts=True)
    if pending:
        _queue_emails()
    return len(people)


def _email_state(address: str, choice: str) -> str:
    if not address or choice == EmailChoice.OFF:
        return EmailState.NONE
    return EmailState.DIGEST if choice == EmailChoice.DIGEST else EmailState.PENDING


def _queue_emails() -> None:
    """Send the emails due at once after the commit; inline if the queue is unavailable."""

    def run() -> None:
        # Local: the tasks module imports this one at load time.
        from opentemis.notifications.tasks import send_notice_emails

        try:
            send_notice_emails.enqueue()
        except Exception:
            logger.exception("could not queue the notice emails; sending now")

            try:
                deliver_pending()
            except Exception:
                logger.exception("could not send the notice emails")

    transaction.on_commit(run)


# --- who is concerned -------------------------------------------------------------------------


def _users(qs: QuerySet[User]) -> list[Recipient]:
    return list(qs.filter(is_active=True).values_list("pk", "email"))


def person_users(person_ids: Iterable[int]) -> list[Recipient]:
    """The active accounts of these staff records."""
    return _users(User.objects.filter(person_id__in=list(person_ids)))


def reviewers_of(evaluation: Evaluation) -> list[Recipient]:
    """The people who may review ``evaluation`` now: role holders on the unit or above it,
    kept if :func:`access.can_review_path` (the one rule of who reviews) says so."""
    path = evaluation.unit_path
    prefixes = path_prefixes(path)
    grants = (
        RoleAssignment.objects.filter(
            unit__path__in=prefixes, role__in=REVIEW_ROLES, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    rule = None
    if evaluation.kind == EvaluationKind.MANAGER:
        rule = access.evaluator_rule_for(evaluation.person, evaluation.unit)
    found: dict[int, str] = {}
    for grant in grants:
        user = grant.user
        if user.pk in found or user.person_id == evaluation.person_id:
            continue
        if access.can_review_path(user, kind=evaluation.kind, unit_path=path, rule=rule):
            found[user.pk] = user.email
    return list(found.items())


def _working(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.filter(person__employment_status=EmploymentStatus.WORKING)


def group_colleagues(evaluation: Evaluation) -> list[Recipient]:
    """The person's colleagues of the subject group (who give the BM2 opinion)."""
    group_id = evaluation.person.subject_group_id
    if group_id is None:
        return []
    qs = User.objects.filter(person__subject_group_id=group_id)
    return _users(_working(qs).exclude(person_id=evaluation.person_id))


def school_staff(evaluation: Evaluation) -> list[Recipient]:
    """The staff of the manager's school (who answer the anonymous poll)."""
    qs = User.objects.filter(person__unit_id=evaluation.unit_id)
    return _users(_working(qs).exclude(person_id=evaluation.person_id))


# --- the events -------------------------------------------------------------------------------


def on_evaluation_changed(
    sender: Any,
    *,
    evaluation: Evaluation,
    action: str,
    actor: User | None,
    details: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """Receiver of ``evaluation_changed``: the notices of one workflow step.

    System code: it writes to other people's inboxes whatever the actor may read.
    """
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = (
            Evaluation.objects.select_related("person", "unit", "cycle")
            .filter(pk=evaluation.pk)
            .first()
        )
        if record is None:
            return
        handler = _HANDLERS.get(action)
        if handler is not None:
            handler(record, evaluation.version, actor.pk if actor else None, details or {})


def _name(evaluation: Evaluation) -> str:
    return evaluation.person.full_name


def _submitted(e: Evaluation, version: int, actor_id: int | None, details: dict[str, Any]) -> None:
    name = _name(e)
    notify(
        recipients=reviewers_of(e),
        kind=NoticeKind.SUBMITTED,
        key=f"submitted:{e.pk}:{version}",
        title=_("%(name)s submitted a self-evaluation for you to evaluate") % {"name": name},
        body=_("%(name)s (%(unit)s) submitted the self-evaluation of %(cycle)s.")
        % {"name": name, "unit": e.unit.name, "cycle": e.cycle.name},
        url=reverse("evaluation_review", args=[e.pk]),
        unit_id=e.unit_id,
        actor_id=actor_id,
    )
    if e.kind == EvaluationKind.TEACHER:
        notify(
            recipients=group_colleagues(e),
            kind=NoticeKind.OPINION,
            key=f"opinion:{e.pk}:{version}",
            title=_("Your opinion is wanted on %(name)s's self-evaluation") % {"name": name},
            body=_(
                "%(name)s, a colleague of your subject group, submitted the self-evaluation. "
                "Give your opinion (form BM2) before %(date)s."
            )
            % {"name": name, "date": e.cycle.opinions_due.strftime("%d/%m/%Y")},
            url=reverse("group_opinions"),
            unit_id=e.unit_id,
            actor_id=actor_id,
        )
    else:
        notify(
            recipients=school_staff(e),
            kind=NoticeKind.POLL,
            key=f"poll:{e.pk}:{version}",
            title=_("The anonymous poll about %(name)s is open") % {"name": name},
            body=_(
                "Give your anonymous opinion about %(name)s, %(unit)s, before %(date)s. "
                "Nobody sees who answered what."
            )
            % {
                "name": name,
                "unit": e.unit.name,
                "date": e.cycle.opinions_due.strftime("%d/%m/%Y"),
            },
            url=reverse("evaluation_poll", args=[e.pk]),
            unit_id=e.unit_id,
            actor_id=actor_id,
        )


def _returned(e: Evaluation, version: int, actor_id: int | None, details: dict[str, Any]) -> None:
    notify(
        recipients=person_users([e.person_id]),
        kind=NoticeKind.RETURNED,
        key=f"returned:{e.pk}:{version}",
        title=_("Your self-evaluation was returned for revision"),
        body=_("What to revise: %(reason)s") % {"reason": e.returned_reason},
        url=reverse("evaluation_self", args=[e.pk]),
        unit_id=e.unit_id,
        actor_id=actor_id,
    )


def _finalised(e: Evaluation, version: int, actor_id: int | None, details: dict[str, Any]) -> None:
    notify(
        recipients=person_users([e.person_id]),
        kind=NoticeKind.FINALISED,
        key=f"finalised:{e.pk}:{version}",
        title=_("Your evaluation is finalised"),
        body=_("The result of %(cycle)s is ready. Read it and confirm you have seen it.")
        % {"cycle": e.cycle.name},
        url=reverse("evaluation_detail", args=[e.pk]),
        unit_id=e.unit_id,
        actor_id=actor_id,
    )


def _reopened(e: Evaluation, version: int, actor_id: int | None, details: dict[str, Any]) -> None:
    reason = str(details.get("reason", ""))

    def tell(recipients: list[Recipient], title: str) -> None:
        notify(
            recipients=recipients,
            kind=NoticeKind.REOPENED,
            key=f"reopened:{e.pk}:{version}",
            title=title,
            body=_("Reason: %(reason)s") % {"reason": reason},
            url=reverse("evaluation_detail", args=[e.pk]),
            unit_id=e.unit_id,
            actor_id=actor_id,
        )

    tell(person_users([e.person_id]), _("Your evaluation was reopened"))
    tell(
        reviewers_of(e),
        _("The evaluation of %(name)s was reopened for you to evaluate again") % {"name": _name(e)},
    )


_HANDLERS = {
    "evaluation.submit": _submitted,
    "evaluation.return": _returned,
    "evaluation.finalise": _finalised,
    "evaluation.reopen": _reopened,
}


# --- deadlines --------------------------------------------------------------------------------


def _with_person_under(cycle: Cycle) -> QuerySet[User]:
    return _working(
        User.objects.filter(is_active=True, person__unit_path__startswith=cycle.unit_path)
    )


def self_evaluation_pending(cycle: Cycle) -> list[Recipient]:
    """People to evaluate in ``cycle`` who have not submitted their self-evaluation."""
    evaluated = Person.positions.through.objects.filter(
        person_id=OuterRef("person_id"), position__code__in=EVALUATED_POSITIONS
    )
    done = Evaluation.objects.filter(
        cycle=cycle,
        person_id=OuterRef("person_id"),
        status__in=[Status.SUBMITTED, *LOCKED_STATUSES],
    )
    qs = _with_person_under(cycle).filter(Exists(evaluated)).exclude(Exists(done))
    return list(qs.values_list("pk", "email"))


def opinions_pending(cycle: Cycle) -> list[Recipient]:
    """People with a colleague's opinion (BM2) or a principal's poll still to give."""
    opinion_wanted = (
        Evaluation.objects.filter(
            cycle=cycle,
            kind=EvaluationKind.TEACHER,
            status=Status.SUBMITTED,
            person__subject_group_id=OuterRef("person__subject_group_id"),
        )
        .exclude(person_id=OuterRef("person_id"))
        .exclude(
            Exists(
                PeerOpinion.objects.filter(
                    evaluation_id=OuterRef("pk"), author_id=OuterRef(OuterRef("person_id"))
                )
            )
        )
    )
    poll_open = (
        Evaluation.objects.filter(
            cycle=cycle,
            kind=EvaluationKind.MANAGER,
            status=Status.SUBMITTED,
            unit_id=OuterRef("person__unit_id"),
        )
        .exclude(person_id=OuterRef("person_id"))
        .exclude(
            Exists(
                PollParticipation.objects.filter(
                    evaluation_id=OuterRef("pk"), person_id=OuterRef(OuterRef("person_id"))
                )
            )
        )
    )
    qs = _with_person_under(cycle).filter(Q(Exists(opinion_wanted)) | Q(Exists(poll_open)))
    return list(qs.values_list("pk", "email"))


def reviews_pending(cycle: Cycle) -> list[Recipient]:
    """Reviewers with submitted self-evaluations waiting in ``cycle``.

    Principals (one query: a submitted evaluation they review in their school, the evaluator
    rules applied as in the review queue); officers, who are few, each through the review
    queue.
    """
    head_roles = [r for r, perms in ROLE_PERMS.items() if Perm.REVIEW_TEACHERS in perms]
    waiting = (
        Evaluation.objects.filter(
            cycle=cycle,
            status=Status.SUBMITTED,
            unit_path__startswith=OuterRef("unit__path"),
        )
        .filter(reviewed_by_head_q(ordered_rules()))
        .exclude(person_id=OuterRef("user__person_id"))
    )
    heads = RoleAssignment.objects.filter(
        role__in=head_roles,
        is_active=True,
        user__is_active=True,
        unit__path__startswith=cycle.unit_path,
    ).filter(Exists(waiting))
    found = dict(heads.values_list("user_id", "user__email"))
    prefixes = path_prefixes(cycle.unit_path, include_self=False)
    officer_roles = [
        r
        for r, perms in ROLE_PERMS.items()
        if Perm.REVIEW_MANAGERS in perms and Perm.REVIEW_TEACHERS not in perms
    ]
    officers = (
        RoleAssignment.objects.filter(role__in=officer_roles, is_active=True, user__is_active=True)
        .filter(Q(unit__path__startswith=cycle.unit_path) | Q(unit__path__in=prefixes))
        .select_related("user")
    )
    for grant in officers:
        user = grant.user
        if user.pk not in found and review_queue(actor=user).filter(cycle=cycle).exists():
            found[user.pk] = user.email
    return list(found.items())


STEPS: Sequence[tuple[str, Callable[[Cycle], list[Recipient]]]] = (
    ("self_due", self_evaluation_pending),
    ("opinions_due", opinions_pending),
    ("review_due", reviews_pending),
)


def _deadline_title(step: str, due: dt.date, days: int) -> str:
    date = due.strftime("%d/%m/%Y")
    if step == "self_due":
        text = _("Self-evaluation due on %(date)s (in %(days)d days)")
    elif step == "opinions_due":
        text = _("Colleagues' opinions due on %(date)s (in %(days)d days)")
    else:
        text = _("Review due on %(date)s (in %(days)d days)")
    return text % {"date": date, "days": days}


def _deadline_url(step: str) -> str:
    if step == "self_due":
        return reverse("evaluation_me")
    if step == "opinions_due":
        return reverse("evaluation_home")
    return reverse("review_queue")


def remind_deadlines(*, today: dt.date | None = None) -> int:
    """Notices to everyone with pending work when an open cycle's deadline is
    ``settings.NOTICE_DEADLINE_DAYS`` days away; returns how many people were concerned.

    Run daily (``manage.py send_notices``); a second run the same day adds nothing (keys).
    """
    today = today or timezone.localdate()
    days_before = set(getattr(settings, "NOTICE_DEADLINE_DAYS", (7, 1)))
    total = 0
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        cycles = Cycle.objects.filter(status=CycleStatus.OPEN).select_related("unit")
        for cycle in cycles:
            for step, pending in STEPS:
                due: dt.date = getattr(cycle, step)
                days = (due - today).days
                if days not in days_before:
                    continue
                recipients = pending(cycle)
                total += notify(
                    recipients=recipients,
                    kind=NoticeKind.DEADLINE,
                    key=f"deadline:{cycle.pk}:{step}:{due.isoformat()}:{days}",
                    title=_deadline_title(step, due, days),
                    body=_("Cycle: %(cycle)s (%(unit)s).")
                    % {"cycle": cycle.name, "unit": cycle.unit.name},
                    url=_deadline_url(step),
                    unit_id=cycle.unit_id,
                )
    return total
