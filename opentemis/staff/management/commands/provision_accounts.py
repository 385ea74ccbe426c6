"""Provision accounts for a whole unit from the command line (no request size limit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opentemis.accounts.models import User
from opentemis.core.scoping import actor_scope
from opentemis.orgs.models import Unit
from opentemis.staff.accounts_admin import accounts_provision, provisioned_accounts_xlsx


class Command(BaseCommand):
    help = "Create accounts for every working staff member of a unit who has none; write an xlsx."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--as", dest="actor", required=True, help="acting username (audited)")
        parser.add_argument("-o", "--output", required=True, help="xlsx file of initial passwords")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"No user {options['actor']!r}")
        with actor_scope(actor):
            unit = Unit.objects.filter(code=options["unit"].upper()).first()
            if unit is None:
                raise CommandError(f"Unit {options['unit']!r} not found in {actor}'s units")
            # The request-size cap does not apply to the command line.
            created = accounts_provision(actor=actor, unit=unit, limit=None)
        Path(options["output"]).write_bytes(provisioned_accounts_xlsx(created, unit_name=unit.name))
        self.stdout.write(
            self.style.SUCCESS(f"{len(created)} accounts created -> {options['output']}")
        )
