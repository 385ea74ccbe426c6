"""Bring the TEMIS report summaries up to date: `opentemis refresh_reports [--rebuild]`.

Reads refresh the summaries themselves when they are older than REPORT_MAX_STALENESS; this
command is for operations: a full ``--rebuild`` after a data load (synth, a large import) or
nightly, ``--loop N`` to keep them fresh every N seconds beside the web server (so that no
reader waits for a refresh during the deadline rush; it also takes each week's completion
snapshot when the week has none), and ``--snapshot`` for the weekly history from cron instead.
See docs/operations.md.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear
from opentemis.orgs.selectors import school_year_for
from opentemis.reports.models import CompletionSnapshot
from opentemis.reports.refresh import rebuild, refresh
from opentemis.reports.snapshots import monday, snapshot_week


def _has_this_weeks_snapshot(year: SchoolYear) -> bool:
    with system_scope():
        week = monday(timezone.localdate())
        return CompletionSnapshot.objects.filter(school_year=year, week=week).exists()


class Command(BaseCommand):
    help = "Bring the TEMIS report summaries up to date (incrementally, or --rebuild)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", help="school year code, e.g. 2025-2026 (default: current)")
        parser.add_argument("--rebuild", action="store_true", help="recount everything")
        parser.add_argument("--snapshot", action="store_true", help="this week's snapshot too")
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        with system_scope():
            year = school_year_for(options["year"])
        if year is None:
            raise CommandError(_("No such school year."))
        while True:
            started = time.perf_counter()
            units: int | None
            if options["rebuild"]:
                units = rebuild(year)
                options["rebuild"] = False  # a loop goes on incrementally
                self.stdout.write(f"rebuilt {year.code}: {units} units")
            else:
                units = refresh(year)
                self.stdout.write(f"refreshed {year.code}: {units} units")
            if options["snapshot"] or (options["loop"] and not _has_this_weeks_snapshot(year)):
                # A loop beside the web server keeps the weekly history by itself.
                count = snapshot_week(year)
                options["snapshot"] = False
                self.stdout.write(f"snapshot: {count} units")
            self.stdout.write(f"  {time.perf_counter() - started:.2f} s")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
