"""Reminders to lagging units and the in-app notices they leave (issue 4 item 4).

A :class:`Reminder` is the recorded action: who reminded which units, from which unit, with
what text, and each target's completion rate at that moment (:class:`ReminderTarget`). It
belongs to the sender's unit, so it is unit-scoped by ``from_unit``'s path like the other
org-owned models (``core/scoping.py``).

A :class:`Notice` is one message in one person's in-app inbox. Notices are personal, like
``jobs.Job``: the table is **not unit-scoped**; every read filters by ``recipient`` (see
``notifications/selectors.py``), and nobody else's notice is ever listed or opened (404).
Besides reminders, notices tell people what happened to them or what waits for them (issue 9
item 3: an evaluation returned, finalised or reopened; a self-evaluation to review; an opinion
or a poll wanted; a deadline approaching). Each such notice carries a ``key`` naming the event
(unique per recipient), so the same event never gives the same person two notices.

A :class:`NoticePreference` says how a person wants the email copy: at once, in one daily
digest, or not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opentemis.core.scoping import ScopedManager


class Reminder(models.Model):
    """One "remind these units" action: the notices and emails it sent, and what they said."""

    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    school_year = models.ForeignKey(
        "orgs.SchoolYear", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The unit the sender acted from (the dashboard's unit); the reminder is scoped by its path.
    from_unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    # The sender's own text ("" = the default text, written per unit into each notice).
    message = models.TextField(_("message"), blank=True)
    notice_count = models.PositiveIntegerField(default=0)
    email_count = models.PositiveIntegerField(default=0, help_text="emails queued")
    email_sent = models.PositiveIntegerField(default=0)
    email_failed = models.PositiveIntegerField(default=0)

    objects = ScopedManager("from_unit__path")

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["sent_by", "-sent_at"], name="reminder_sender_sent")]

    def __str__(self) -> str:
        return f"{self.title} ({self.sent_at:%Y-%m-%d %H:%M})"


class ReminderTarget(models.Model):
    """A unit reminded, its completion rate (percent finalised) then, and how many were told."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    rate = models.FloatField(null=True, blank=True, help_text="percent finalised; None: unknown")
    deadline = models.DateField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    objects = ScopedManager("unit__path")

    class Meta:
        ordering = ["reminder", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "unit"], name="one_target_per_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} → {self.unit_id}"

    @property
    def has_recipient(self) -> bool:
        return self.recipient_count > 0


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", pgettext_lazy("notice kind", "Reminder")
    SUBMITTED = "submitted", _("Self-evaluation to review")
    RETURNED = "returned", _("Evaluation returned")
    FINALISED = "finalised", _("Evaluation finalised")
    REOPENED = "reopened", _("Evaluation reopened")
    OPINION = "opinion", _("Opinion wanted")
    POLL = "poll", _("Poll open")
    DEADLINE = "deadline", _("Deadline approaching")
    PLAN = "plan", _("BDTX plan")
    LEARNING = "learning", _("Online learning")


class EmailState(models.TextChoices):
    NONE = "", pgettext_lazy("email state", "No email")
    PENDING = "pending", _("To send now")
    DIGEST = "digest", _("Waiting for the daily digest")
    SENDING = "sending", pgettext_lazy("email state", "Being sent")
    SENT = "sent", pgettext_lazy("email state", "Sent")
    FAILED = "failed", _("Failed")


class Notice(models.Model):
    """One message in one user's inbox. Personal: every read filters by ``recipient``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    reminder = models.ForeignKey(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    # The unit the notice is about (a reminder's target unit).
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=NoticeKind.choices, default=NoticeKind.REMINDER)
    # The event ("returned:<evaluation>:<version>"): one notice per recipient and event.
    # Empty for reminders (each reminder is its own event).
    key = models.CharField(max_length=120, blank=True)
    # The email copy of an event notice (reminders count their emails on the Reminder).
    email_state = models.CharField(
        max_length=8, choices=EmailState.choices, default=EmailState.NONE, blank=True
    )
    # The lease of a sending (``emails.deliver_pending``): claimed at, and how many times. A
    # claim older than NOTICE_EMAIL_LEASE_SECONDS died with its process and is sent again, at
    # most NOTICE_EMAIL_MAX_ATTEMPTS times in all.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    # Unscoped on purpose: notices are personal (module docstring); reads filter by recipient.
    objects = models.Manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_inbox"),
            # The header's unread count on every page: a small partial index.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notice_unread",
            ),
            # The daily digest and the immediate sender look for these only.
            models.Index(
                fields=["email_state", "recipient"],
                condition=models.Q(email_state__in=["pending", "digest", "sending"]),
                name="notice_email_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="one_notice_per_event",
            )
        ]

    def __str__(self) -> str:
        return self.title


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one email per notice")
    DIGEST = "digest", _("Once a day, all notices in one email")
    OFF = "off", _("No email (notices in OpenTEMIS only)")


class NoticePreference(models.Model):
    """How a person wants the email copy of their notices (no row: at once). Personal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_preference",
    )
    email = models.CharField(
        _("email"), max_length=10, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATE
    )
    # The local date of the last digest sent: at most one digest per person per day.
    last_digest_on = models.DateField(null=True, blank=True)

    objects = models.Manager()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"
