"""Background work of the notifications app: the emails of a reminder (Django Tasks)."""

from __future__ import annotations

from django_tasks import task

from opentemis.notifications.services import deliver_reminder_emails


@task()
def send_reminder_emails(reminder_id: int) -> None:
    """Send the emails of reminder ``reminder_id``; failures are counted, never raised."""
    deliver_reminder_emails(reminder_id)
