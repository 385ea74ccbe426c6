"""The email copies of event notices: at once (:func:`deliver_pending`, a task queued after the
commit that wrote them) or in one daily digest per person (:func:`send_digests`, run daily by
``manage.py send_notices``).

A mail server that is down fails nothing: the notice stays in the inbox, its email is marked
failed (at once) or left for the next digest. Each notice is claimed before its email is sent
(``pending`` → ``sent`` in one UPDATE), so two workers never send the same email twice.
Reminders keep their own emails and counters (``services.deliver_reminder_emails``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opentemis.notifications.models import EmailState, Notice, NoticePreference

logger = logging.getLogger(__name__)

LIMIT = 2000  # emails sent at once per run; the rest wait for the next run


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "")
    return f"{base}{url}" if url.startswith("/") and base else url


def _footer() -> str:
    prefs = _absolute(reverse("notice_preferences"))
    inbox = _absolute(reverse("notice_list"))
    return "\n\n".join(
        [
            _("Your notices in OpenTEMIS: %(url)s") % {"url": inbox},
            _("Choose how you receive these emails: %(url)s") % {"url": prefs},
        ]
    )


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


def deliver_pending(*, limit: int = LIMIT) -> tuple[int, int]:
    """Send the emails of notices due at once; returns (sent, failed)."""
    notices = list(
        Notice.objects.filter(email_state=EmailState.PENDING)
        .select_related("recipient")
        .order_by("id")[:limit]
    )
    claimed = [
        n
        for n in notices
        if Notice.objects.filter(pk=n.pk, email_state=EmailState.PENDING).update(
            email_state=EmailState.SENT
        )
    ]
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for notice in claimed:
            body = "\n\n".join(filter(None, [_notice_text(notice), _footer()]))
            messages.append(
                EmailMessage(
                    subject=" ".join(notice.title.split()),
                    body=body,
                    to=[notice.recipient.email],
                )
            )
    results = _send(messages)
    failed = [n.pk for n, ok in zip(claimed, results, strict=True) if not ok]
    if failed:
        Notice.objects.filter(pk__in=failed).update(email_state=EmailState.FAILED)
    return len(claimed) - len(failed), len(failed)


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
