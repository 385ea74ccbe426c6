"""`opentemis import_staff FILE --unit CODE --as USERNAME [--dry-run] [--partial]`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from opentemis.core.scoping import actor_scope
from opentemis.orgs.models import Unit
from opentemis.staff.excel import staff_import


class Command(BaseCommand):
    help = (
        "Import a staff spreadsheet (.xlsx, the import template's format) into a unit, acting as "
        "a user: the same checks, rights and audit trail as an upload in the web interface."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="path of the .xlsx file")
        parser.add_argument("--unit", required=True, help="code of the unit to import into")
        parser.add_argument(
            "--as", dest="username", required=True, help="username whose rights the import uses"
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--partial", action="store_true", help="write the valid rows even if others fail"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['username']!r}.")
        # The user's own scope, not the system scope: the command can do no more than they can.
        with actor_scope(user):
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit {options['unit']!r} within {user.username}'s units.")
            try:
                result = staff_import(
                    actor=user,
                    unit=unit,
                    file=options["file"],
                    dry_run=options["dry_run"],
                    partial=options["partial"],
                )
            except FileNotFoundError as exc:
                raise CommandError(str(exc)) from exc
            except Http404 as exc:
                raise CommandError(f"{user.username} may not import into {unit.code}.") from exc
        for issue in result.errors:
            self.stderr.write(issue.message)
        if result.errors_truncated:
            self.stderr.write(f"(stopped after {len(result.errors)} errors)")
        summary = ", ".join(f"{k}={v}" for k, v in result.counts().items())
        mode = "dry run" if result.dry_run else ("written" if result.written else "nothing written")
        line = f"{mode}: {summary}"
        if result.errors and not (options["partial"] and result.written):
            raise CommandError(line)
        self.stdout.write(self.style.SUCCESS(line))
