"""Background work of the notifications app (Django Tasks, the database backend by default):
the emails of a reminder, the emails of event notices due at once, and the daily run
(deadline notices, then the digests) that ``manage.py send_notices`` also performs."""

from __future__ import annotations

from django_tasks import task

from opentemis.core.scoping import system_scope
from opentemis.notifications import emails, events
from opentemis.notifications.learning_events import remind_course_deadlines
from opentemis.notifications.services import deliver_reminder_emails


@task()
def send_reminder_emails(reminder_id: int) -> None:
    """Send the emails of reminder ``reminder_id``; failures are counted, never raised."""
    deliver_reminder_emails(reminder_id)


@task()
def send_notice_emails() -> list[int]:
    """Send the emails of notices due at once; returns [sent, failed]."""
    return list(emails.deliver_pending())


@task()
def daily_notices() -> dict[str, int]:
    """Deadline notices, then the digests; returns the counts."""
    with system_scope():
        concerned = events.remind_deadlines() + remind_course_deadlines()
        digests, included = emails.send_digests()
    return {"deadline_recipients": concerned, "digests": digests, "digest_notices": included}
