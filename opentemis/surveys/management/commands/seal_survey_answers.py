"""Seal the satisfaction survey's answers: `opentemis seal_survey_answers [--loop SECONDS]`.

Rewrites, per survey with answers new since the last run, its answers in a random order with
new keys and touches its receipts (``surveys.services.answers_seal``), so that no live row
shares its writing transaction or its place in the table with its receipt (decision 0024).
Run it once a day from cron or a systemd timer (after the day's answers, before the nightly
backup), or with ``--loop 86400``; a second run with nothing new does nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from opentemis.core.scoping import system_scope
from opentemis.surveys.models import Survey
from opentemis.surveys.services import answers_seal


class Command(BaseCommand):
    help = "Rewrite the survey answers new since the last run so nothing pairs them with receipts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            with system_scope():  # every survey's answers and receipts, rewritten, never read out
                sealed = sum(
                    answers_seal(survey=survey) for survey in Survey.objects.order_by("pk")
                )
            self.stdout.write(f"{sealed} answers sealed.")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
