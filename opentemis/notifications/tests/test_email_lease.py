"""Notice emails whose sending died are sent again, a bounded number of times, then failed.

"Dying" is a process killed while sending: here the mail backend raises ``SystemExit`` from
inside the send, which no ``except Exception`` catches, so the delivery stops where it stood.
Lease and attempts are set here (600 s, 2 attempts); the clock is passed to the sweep.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.jobs.services import sweep_all
from opentemis.notifications import emails
from opentemis.notifications.models import EmailState, Notice, Reminder
from opentemis.notifications.tests import test_notifications
from opentemis.notifications.tests.test_notifications import remind

rw = test_notifications.rw  # the reminders' world: two schools with principals with addresses

pytestmark = pytest.mark.django_db
LEASE = 600


class DyingMailServer(BaseEmailBackend):
    """The process is killed while the first message is being sent."""

    def send_messages(self, email_messages: Any) -> int:
        raise SystemExit("killed")


@pytest.fixture(autouse=True)
def lease() -> Any:
    with override_settings(NOTICE_EMAIL_LEASE_SECONDS=LEASE, NOTICE_EMAIL_MAX_ATTEMPTS=2):
        yield


def reminded(rw: Any, django_capture_on_commit_callbacks: Any) -> Reminder:
    """A reminder to two principals whose email sending died."""
    backend = f"{__name__}.DyingMailServer"
    # The task runs after the commit; the immediate backend records its death as a failure.
    with override_settings(EMAIL_BACKEND=backend), django_capture_on_commit_callbacks(execute=True):
        remind(rw.officer_a, [rw.school_a1, rw.school_a2])
    return Reminder.objects.filter(notices__isnull=False).distinct().get()


def states() -> list[tuple[str, int]]:
    return list(Notice.objects.order_by("id").values_list("email_state", "email_attempts"))


def counters(reminder: Reminder) -> tuple[int, int, int]:
    with system_scope():
        stored = Reminder.objects.get(pk=reminder.pk)
    return stored.email_count, stored.email_sent, stored.email_failed


def test_a_died_sending_is_sent_again_after_the_lease(
    rw, mailoutbox, django_capture_on_commit_callbacks
):
    with system_scope():
        reminder = reminded(rw, django_capture_on_commit_callbacks)
    assert states() == [(EmailState.SENDING, 1), (EmailState.SENDING, 1)]
    claimed = Notice.objects.first().email_claimed_at
    # Within the lease the claim may still be alive: nothing is sent twice.
    assert emails.sweep_sending(now=claimed + dt.timedelta(seconds=LEASE - 1)) == (0, 0)
    assert emails.deliver_pending() == (0, 0) and mailoutbox == []
    # Past it, the claims died: pending again, and the next delivery sends them.
    assert emails.sweep_sending(now=claimed + dt.timedelta(seconds=LEASE + 1)) == (2, 0)
    assert emails.deliver_pending() == (2, 0)
    assert sorted(m.to[0] for m in mailoutbox) == ["ht.a1@example.edu.vn", "ht.a2@example.edu.vn"]
    assert "Kính gửi" in mailoutbox[0].body
    assert states() == [(EmailState.SENT, 2), (EmailState.SENT, 2)]
    assert counters(reminder) == (2, 2, 0)


def test_after_the_last_attempt_died_the_email_is_failed_and_counted(
    rw, mailoutbox, django_capture_on_commit_callbacks
):
    with system_scope():
        reminder = reminded(rw, django_capture_on_commit_callbacks)
    later = timezone.now() + dt.timedelta(seconds=LEASE + 1)
    assert emails.sweep_sending(now=later) == (2, 0)
    with override_settings(EMAIL_BACKEND=f"{__name__}.DyingMailServer"), pytest.raises(SystemExit):
        emails.deliver_pending()  # the second attempt dies too
    assert states() == [(EmailState.SENDING, 2), (EmailState.SENDING, 2)]
    later += dt.timedelta(seconds=LEASE + 1)
    assert emails.sweep_sending(now=later) == (0, 2)  # NOTICE_EMAIL_MAX_ATTEMPTS=2
    assert states() == [(EmailState.FAILED, 2), (EmailState.FAILED, 2)]
    assert counters(reminder) == (2, 0, 2)
    assert emails.deliver_pending() == (0, 0) and mailoutbox == []


def test_the_task_worker_s_sweep_gives_died_claims_back_and_sends_them(
    rw, mailoutbox, django_capture_on_commit_callbacks
):
    with system_scope():
        reminder = reminded(rw, django_capture_on_commit_callbacks)
    Notice.objects.update(email_claimed_at=timezone.now() - dt.timedelta(seconds=LEASE + 1))
    sweep_all()  # what db_worker runs; tests run the queued task at once
    assert len(mailoutbox) == 2
    assert counters(reminder) == (2, 2, 0)
