"""Reads on notices and reminders.

Notices are personal: every function here filters by the actor as recipient, and a notice of
someone else is 404 like a missing one. Reminders are unit-scoped (``from_unit``) and filtered
by the actor's ``Perm.VIEW_EVALUATIONS`` paths as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from opentemis.accounts.audit_text import person_name
from opentemis.accounts.models import User
from opentemis.accounts.permissions import path_filter
from opentemis.accounts.roles import Perm
from opentemis.notifications.models import (
    EmailChoice,
    Notice,
    NoticePreference,
    Reminder,
    ReminderTarget,
)


def notices_for(*, actor: User, unread_only: bool = False) -> QuerySet[Notice]:
    """The actor's own notices, newest first (none for an anonymous user)."""
    if not actor.is_authenticated:
        return Notice.objects.none()
    qs = Notice.objects.filter(recipient_id=actor.pk).select_related("unit")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, actor: User) -> int:
    """How many of the actor's notices are unread: one COUNT on a partial index."""
    if not actor.is_authenticated:
        return 0
    return Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True).count()


def get_notice_for_user(*, actor: User, pk: int) -> Notice:
    """The actor's own notice; 404 for a missing notice and for someone else's alike."""
    notice = notices_for(actor=actor).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def reminders_visible(*, actor: User) -> QuerySet[Reminder]:
    """Reminders sent from units where the actor may see evaluation progress."""
    return (
        Reminder.objects.filter(path_filter(actor, Perm.VIEW_EVALUATIONS, "from_unit__path"))
        .select_related("sent_by", "from_unit", "school_year")
        .annotate(target_count=Count("targets"))
    )


def recently_reminded(
    *, actor: User, unit_ids: list[int], since: dt.datetime
) -> QuerySet[ReminderTarget, int]:
    """Ids of those units the actor reminded at or after ``since`` (for the anti-spam rule)."""
    return ReminderTarget.objects.filter(
        unit_id__in=unit_ids, reminder__sent_by_id=actor.pk, reminder__sent_at__gte=since
    ).values_list("unit_id", flat=True)


def preference_of(*, actor: User) -> str:
    """How the actor wants the email copy of their notices (default: at once)."""
    stored = (
        NoticePreference.objects.filter(user_id=actor.pk).values_list("email", flat=True).first()
    )
    return stored or EmailChoice.IMMEDIATE


@dataclass
class ReminderOutcome:
    """Who a reminder reached (names, with the unit each was told about) and which chosen
    units reached nobody: what the sender is shown next to the form."""

    reminder: Reminder
    reached: list[tuple[str, str]] = field(default_factory=list)  # (person, unit)
    people: int = 0
    nobody: list[str] = field(default_factory=list)  # names of targets nobody was told about

    @property
    def units(self) -> int:
        return len(self.reminder.targets.all())


def reminder_outcome(*, actor: User, pk: int) -> ReminderOutcome | None:
    """The outcome of a reminder the actor sent (None: not theirs, or not visible)."""
    reminder = (
        reminders_visible(actor=actor)
        .filter(pk=pk, sent_by_id=actor.pk)
        .prefetch_related(
            Prefetch("targets", queryset=ReminderTarget.objects.select_related("unit")),
        )
        .first()
    )
    if reminder is None:
        return None
    notices = (
        Notice.objects.filter(reminder=reminder)
        .select_related("recipient__person", "unit")
        .order_by("unit__path", "recipient_id")
    )
    outcome = ReminderOutcome(reminder=reminder)
    people = set()
    for notice in notices:
        user = notice.recipient
        outcome.reached.append((person_name(user), notice.unit.name if notice.unit else ""))
        people.add(user.pk)
    outcome.people = len(people)
    outcome.nobody = [t.unit.name for t in reminder.targets.all() if not t.recipient_count]
    return outcome
