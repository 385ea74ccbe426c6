"""Reminders to lagging units and the in-app notices they leave (issue 4 item 4).

A :class:`Reminder` is the recorded action: who reminded which units, from which unit, with
what text, and each target's completion rate at that moment (:class:`ReminderTarget`). It
belongs to the sender's unit, so it is unit-scoped by ``from_unit``'s path like the other
org-owned models (``core/scoping.py``).

A :class:`Notice` is one message in one person's in-app inbox. Notices are personal, like
``jobs.Job``: the table is **not unit-scoped**; every read filters by ``recipient`` (see
``notifications/selectors.py``), and nobody else's notice is ever listed or opened (404).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import scoped_manager


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

    objects = scoped_manager("from_unit__path")

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

    objects = scoped_manager("unit__path")

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
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
