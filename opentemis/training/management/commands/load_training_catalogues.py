"""Load the shipped BDTX data (requirements, module catalogues) into a school year: idempotent."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from opentemis.core.scoping import system_scope
from opentemis.orgs.selectors import school_year_for
from opentemis.training.services import Outcome, load_builtin_catalogues


class Command(BaseCommand):
    help = (
        "Load the built-in BDTX requirements and module catalogues (training/data/"
        "catalogues.yaml) into a school year (default: the current one). Unchanged data writes "
        "nothing; a locked catalogue version is never changed (changed data becomes a new one)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", help="school year code, e.g. 2025-2026")

    def handle(self, *args: Any, **options: Any) -> None:
        year = school_year_for(options["year"])
        if year is None:
            raise CommandError("No such school year (create one first).")
        try:
            # System code: national data; the provinces of programme-02 contents are looked
            # up by code across the whole tree.
            with system_scope():
                result = load_builtin_catalogues(school_year=year)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(f"{year.code}: {result.requirements} requirements")
        for catalogue, outcome in result.catalogues:
            note = "" if outcome != Outcome.UNCHANGED else " (unchanged)"
            self.stdout.write(f"  {catalogue.code} v{catalogue.version}{note}")
