"""Load the built-in frameworks (idempotent), or one from a YAML file as a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError

from opentemis.standards.services import framework_load, load_builtin_frameworks


class Command(BaseCommand):
    help = "Load professional-standard frameworks (built-in, or from a YAML file)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="a YAML file with a `frameworks:` list")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            raw = yaml.safe_load(Path(options["file"]).read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or not isinstance(raw.get("frameworks"), list):
                raise CommandError("The file must hold a `frameworks:` list (see docs).")
            loaded = [framework_load(data=fw, source="upload") for fw in raw["frameworks"]]
        else:
            loaded = load_builtin_frameworks()
        for fw in loaded:
            flag = "" if not fw.needs_verification else "  (to verify)"
            self.stdout.write(f"{fw.code} v{fw.version}: {fw.criteria.count()} criteria{flag}")
