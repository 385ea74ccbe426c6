"""Delete stored files nobody needs any more: ``manage.py cleanup [--dry-run]``.

Old job results, evidence bytes no item uses, abandoned paper-import uploads
(``opentemis.site.cleanup``). Safe to run while users work and to run again; schedule it daily
(``docs/operations.md``). ``-v 2`` lists every file.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.site.cleanup import SWEEPS, cleanup_all

LABELS = {
    "job_results": gettext_lazy("Expired job results"),
    "evidence_files": gettext_lazy("Evidence files no item uses"),
    "evidence_strays": gettext_lazy("Evidence files without a record (failed uploads)"),
    "paper_uploads": gettext_lazy("Abandoned paper-import uploads"),
}


class Command(BaseCommand):
    help = "Delete old job results, unused evidence files and abandoned paper-import uploads."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only show what would be removed."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        verbose = options["verbosity"] >= 2

        def report(key: str, name: str) -> None:
            if verbose:
                self.stdout.write(f"  {key}: {name}")

        totals = cleanup_all(dry_run=dry_run, report=report)
        for key in SWEEPS:
            if key in totals.failed:
                line = _("%(what)s: failed (see the log)") % {"what": LABELS[key]}
                self.stderr.write(self.style.ERROR(line))
                continue
            values = {"what": LABELS[key], "n": totals.counts[key]}
            if dry_run:
                self.stdout.write(_("%(what)s: %(n)d would be removed") % values)
            else:
                self.stdout.write(_("%(what)s: %(n)d removed") % values)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was removed."))
        if totals.failed:
            raise CommandError(_("Some of the clean-up failed; the rest was done."))
