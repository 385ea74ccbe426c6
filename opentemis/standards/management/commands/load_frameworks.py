"""Load the built-in frameworks (idempotent), or those of a YAML or xlsx file as new versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from opentemis.standards.files import FrameworkFileError, read_framework_file
from opentemis.standards.services import framework_load, load_builtin_frameworks


class Command(BaseCommand):
    help = (
        "Load professional-standard frameworks: the built-in ones, or those of a file "
        "(YAML or Excel .xlsx, see docs/frameworks.md). Changed data becomes a new version; "
        "locked versions never change."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            help="a YAML file (one framework, or a `frameworks:` list) or an .xlsx workbook",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            try:
                frameworks = read_framework_file(path, path.name)
                with transaction.atomic():
                    loaded = [framework_load(data=fw, source="upload") for fw in frameworks]
            except FrameworkFileError as exc:
                raise CommandError("\n".join(exc.messages)) from None
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages)) from None
        else:
            loaded = load_builtin_frameworks()
        for fw in loaded:
            flag = "" if not fw.needs_verification else "  (to verify)"
            self.stdout.write(f"{fw.code} v{fw.version}: {fw.criteria.count()} criteria{flag}")
