"""`manage.py cascade assign --unit CODE [--year CODE]`.

Assign every mass teacher of the unit's subtree without a core teacher for the year to one
(``cascade.services.caseload_balance``: subject, level, place, never past the maximum; existing
assignments are kept). Whoever runs a command administers the server: it works in the system
scope, and the audit names the command.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opentemis.cascade import services
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import school_year_for


class Command(BaseCommand):
    help = "The cascade: assign mass teachers to core teachers for a school year."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        assign = actions.add_parser("assign", help="assign a unit's mass teachers")
        assign.add_argument("--unit", required=True, help="the unit's code (e.g. a Sở)")
        assign.add_argument("--year", help="the school year's code (default: the current one)")

    def handle(self, *args: Any, **options: Any) -> None:
        with system_scope():
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit {options['unit']}")
            year = school_year_for(options.get("year"))
            if year is None:
                raise CommandError(f"no school year {options.get('year') or '(current)'}")
            started = time.perf_counter()
            result = services.caseload_balance(actor=None, unit=unit, school_year=year)
            took = time.perf_counter() - started
        self.stdout.write(
            f"{unit.code} {year.code}: assigned={result.assigned} "
            f"unassigned={result.unassigned} cores={result.cores} ({took:.1f} s)"
        )
