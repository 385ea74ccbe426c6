"""The email copies of event notices: at once (:func:`deliver_pending`, a task queued after the
commit that wrote them) or in one daily digest per person (:func:`send_digests`, run daily by
``manage.py send_notices``).

A mail server that is down fails nothing: the notice stays in the inbox, its email is marked
failed (at once) or left for the next digest. The emails of reminders go the same way (their
notices are ``pending`` too) and are counted on their :class:`Reminder`.

Each notice is claimed before its email is sent (``pending`` → ``sending`` in one UPDATE, with
the time and an attempt count), so two workers never send the same email at once, and marked
``sent`` or ``failed`` after. A process that dies while sending (killed, out of memory) leaves
its claims ``sending``: :func:`sweep_sending` (run by every delivery, by ``send_notices`` and by
the task worker's sweep) gives claims older than ``NOTICE_EMAIL_LEASE_SECONDS`` back to
``pending``, up to ``NOTICE_EMAIL_MAX_ATTEMPTS`` attempts in all, then marks them ``failed``.
An email whose process died after the mail server took it may so arrive twice (at least once,
at most that many times), never silently not at all. A digest whose run died is simply sent by
the next run: its notices become ``sent`` only after it left.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opentemis.core.scoping import system_scope
from opentemis.notifications.models import EmailState, Notice, NoticePreference, Reminder

logger = logging.getLogger(__name__)

LIMIT = 2000  # emails sent at once per run; the rest wait for the next run


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "")
    return f"{base}{url}" if url.startswith("/") and base else url


def _footer(preferences: bool = True) -> str:
    """Links to the inbox and (not for reminders, which go to everyone) the email choice."""
    inbox = _absolute(reverse("notice_list"))
    lines = [_("Your notices in OpenTEMIS: %(url)s") % {"url": inbox}]
    if preferences:
        prefs = _absolute(reverse("notice_preferences"))
        lines.append(_("Choose how you receive these emails: %(url)s") % {"url": prefs})
    return "\n\n".join(lines)


def _notice_text(notice: Notice) -> str:
    lines = [notice.body] if notice.body else []
    if notice.url:
        lines.append(_("Details: %(url)s") % {"url": _absolute(notice.url)})
    return "\n".join(lines)


def _send(messages: list[EmailMessage]) -> list[bool]:
    """Send each message on one connection; True where it left. Never raises."""
    results = [False] * len(messages)
    if not messages:
        return results
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        logger.exception("mail server unavailable: %s notice emails not sent", len(messages))
        return results
    try:
        for i, message in enumerate(messages):
            try:
                results[i] = bool(connection.send_messages([message]))
            except Exception:
                logger.warning("notice email to %s failed", message.to[0], exc_info=True)
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("closing the mail connection failed", exc_info=True)
    return results


def _message(notice: Notice) -> EmailMessage:
    if notice.reminder_id:
        lines = [notice.body]
        if notice.url:
            lines.append(_("Details: %(url)s") % {"url": _absolute(notice.url)})
        body = "\n\n".join([*lines, _footer(preferences=False)])
    else:
        body = "\n\n".join(filter(None, [_notice_text(notice), _footer()]))
    return EmailMessage(
        subject=" ".join(notice.title.split()), body=body, to=[notice.recipient.email]
    )


def deliver_pending(*, limit: int = LIMIT, reminder_id: int | None = None) -> tuple[int, int]:
    """Send the emails of notices due at once (of one reminder's notices only, if given);
    returns (sent, failed)."""
    sweep_sending()
    due = Notice.objects.filter(email_state=EmailState.PENDING)
    if reminder_id is not None:
        due = due.filter(reminder_id=reminder_id)
    notices = list(due.select_related("recipient").order_by("id")[:limit])
    now = timezone.now()
    claimed = [
        n
        for n in notices
        if Notice.objects.filter(pk=n.pk, email_state=EmailState.PENDING).update(
            email_state=EmailState.SENDING,
            email_claimed_at=now,
            email_attempts=F("email_attempts") + 1,
        )
    ]
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_message(notice) for notice in claimed]
    results = _send(messages)
    sent = [n for n, ok in zip(claimed, results, strict=True) if ok]
    failed = [n for n, ok in zip(claimed, results, strict=True) if not ok]
    for state, group in ((EmailState.SENT, sent), (EmailState.FAILED, failed)):
        if group:
            Notice.objects.filter(
                pk__in=[n.pk for n in group], email_state=EmailState.SENDING
            ).update(email_state=state)
    _count_reminder_emails(sent, failed)
    return len(sent), len(failed)


def _count_reminder_emails(sent: list[Notice], failed: list[Notice]) -> None:
    """Add the outcome of reminder notices' emails to their reminders' counters."""
    counts: dict[int, list[int]] = {}
    for i, group in enumerate((sent, failed)):
        for notice in group:
            if notice.reminder_id:
                counts.setdefault(notice.reminder_id, [0, 0])[i] += 1
    # System code: recording the delivery of a reminder already sent, whoever reads it.
    with system_scope():
        for reminder_id, (n_sent, n_failed) in counts.items():
            Reminder.objects.filter(pk=reminder_id).update(
                email_sent=F("email_sent") + n_sent, email_failed=F("email_failed") + n_failed
            )


def sweep_sending(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Claims older than the lease died with their process: back to ``pending`` (another
    attempt) or, after ``NOTICE_EMAIL_MAX_ATTEMPTS``, ``failed``. Returns (retried, failed)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.NOTICE_EMAIL_LEASE_SECONDS)
    stale = Notice.objects.filter(email_state=EmailState.SENDING, email_claimed_at__lt=cutoff)
    exhausted = list(
        stale.filter(email_attempts__gte=settings.NOTICE_EMAIL_MAX_ATTEMPTS).only(
            "pk", "reminder_id"
        )
    )
    given_up = [
        n
        for n in exhausted
        if Notice.objects.filter(pk=n.pk, email_state=EmailState.SENDING).update(
            email_state=EmailState.FAILED
        )
    ]
    _count_reminder_emails([], given_up)
    retried = stale.filter(email_attempts__lt=settings.NOTICE_EMAIL_MAX_ATTEMPTS).update(
        email_state=EmailState.PENDING, email_claimed_at=None
    )
    if retried or given_up:
        logger.warning(
            "notice emails whose sending died: %s sent again, %s failed", retried, len(given_up)
        )
    return retried, len(given_up)


def sweep_and_send() -> int:
    """The task worker's sweep (``jobs.services.register_sweep``): give died claims back and
    queue their sending; returns how many were given back."""
    retried, _failed = sweep_sending()
    if retried:
        # Local: the tasks module imports this one at load time.
        from opentemis.notifications.tasks import send_notice_emails

        send_notice_emails.enqueue()
    return retried


def send_digests(*, today: dt.date | None = None) -> tuple[int, int]:
    """One email per person listing their notices waiting for the digest, at most one per
    person per day; returns (emails sent, notices included)."""
    today = today or timezone.localdate()
    waiting = Notice.objects.filter(email_state=EmailState.DIGEST)
    recipient_ids = sorted(set(waiting.values_list("recipient_id", flat=True)))
    done_today = set(
        NoticePreference.objects.filter(
            user_id__in=recipient_ids, last_digest_on=today
        ).values_list("user_id", flat=True)
    )
    sent = included = 0
    for user_id in recipient_ids:
        if user_id in done_today:
            continue
        notices = list(
            waiting.filter(recipient_id=user_id).select_related("recipient").order_by("id")
        )
        if not notices:
            continue
        address = notices[0].recipient.email
        if not address:  # the address was removed since: nothing to send, ever
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(
                email_state=EmailState.NONE
            )
            continue
        with translation.override(settings.LANGUAGE_CODE):
            message = _digest_message(notices, address, today)
        if not _send([message])[0]:
            continue  # left for the next digest
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(email_state=EmailState.SENT)
        NoticePreference.objects.update_or_create(
            user_id=user_id, defaults={"last_digest_on": today}
        )
        sent += 1
        included += len(notices)
    return sent, included


def _digest_message(notices: list[Notice], address: str, today: dt.date) -> EmailMessage:
    n = len(notices)
    subject = ngettext(
        "OpenTEMIS: %(n)d notice of %(date)s",
        "OpenTEMIS: %(n)d notices of %(date)s",
        n,
    ) % {"n": n, "date": today.strftime("%d/%m/%Y")}
    parts = []
    for i, notice in enumerate(notices, 1):
        text = _notice_text(notice)
        parts.append(f"{i}. {notice.title}" + (f"\n{text}" if text else ""))
    parts.append(_footer())
    return EmailMessage(subject=subject, body="\n\n".join(parts), to=[address])
