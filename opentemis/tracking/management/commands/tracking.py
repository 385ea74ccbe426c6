"""`manage.py tracking snapshot [--week YYYY-MM-DD]`: take the weekly progress snapshot of
every course and unit (decision 0022), for the week holding the given day (default today).

Run it from cron every Monday morning for the week just ended (``--week`` of last Sunday) and
daily for the week in progress; running a week again replaces its figures in one transaction.
Whoever runs a command administers the server: it works in the system scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opentemis.tracking import services


class Command(BaseCommand):
    help = "Weekly progress: take the snapshot of a week (every course and unit)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        take = actions.add_parser("snapshot", help="take (or take again) a week's snapshot")
        take.add_argument("--week", help="any day of the week (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        if options.get("week"):
            try:
                day = dt.date.fromisoformat(options["week"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        run = services.snapshot_week(day=day)
        self.stdout.write(
            f"week {run.week.isoformat()}: {run.courses} courses, {run.rows} rows, "
            f"{run.seconds:.1f} s"
        )
