"""The daily notices: `opentemis send_notices [--loop SECONDS] [--date YYYY-MM-DD]`.

Tells everyone with pending work that a cycle's deadline is near (``NOTICE_DEADLINE_DAYS``),
sends the emails still due, then one digest email per person who chose the daily digest.
Run it once a day from cron or a systemd timer, or with ``--loop 86400`` beside the web
server; a second run on the same day sends nothing twice. See docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opentemis.core.scoping import system_scope
from opentemis.notifications import emails, events
from opentemis.notifications.learning_events import remind_course_deadlines


class Command(BaseCommand):
    help = "Deadline notices, pending notice emails, and the daily digests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        while True:
            with system_scope():
                concerned = events.remind_deadlines(today=today)
                concerned += remind_course_deadlines(today=today)
                sent, failed = emails.deliver_pending()
                digests, included = emails.send_digests(today=today)
            self.stdout.write(
                f"deadline notices: {concerned} people; emails: {sent} sent, {failed} failed; "
                f"digests: {digests} ({included} notices)"
            )
            if not options["loop"]:
                return
            time.sleep(options["loop"])
