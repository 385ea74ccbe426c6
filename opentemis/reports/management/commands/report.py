"""`opentemis report --unit CODE --year 2025-2026 --format pdf|xlsx|json [-o FILE]`.

The TEMIS report of one unit as a file, for operations and for officers without a browser
session (the same :class:`ReportData` and renderers as the web download). Whoever runs the
command administers the server, so it reads through ``report_for_system`` (no actor); the figures
are protected all the same. ``-o -`` writes to standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from opentemis.core.scoping import system_scope
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import school_year_for
from opentemis.reports import selectors
from opentemis.reports.exports import FORMATS, filename, render


class Command(BaseCommand):
    help = "Write the TEMIS report of a unit for a school year as PDF, xlsx or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code, e.g. SA")
        parser.add_argument("--year", help="school year code, e.g. 2025-2026 (default: current)")
        parser.add_argument("--format", default="pdf", help="pdf, xlsx or json (default pdf)")
        parser.add_argument(
            "-o", "--output", help="file to write (default: Bao_cao_TEMIS_<unit>_<year>.<fmt>)"
        )

    def handle(self, *args: Any, **options: Any) -> None:

        fmt = (options["format"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(
                _("Unknown format %(format)s: choose one of %(formats)s.")
                % {"format": fmt, "formats": ", ".join(FORMATS)}
            )
        with system_scope():
            unit = Unit.objects.filter(code=options["unit"]).first()
            year = school_year_for(options["year"])
        if unit is None:
            raise CommandError(_("No unit with the code %(code)s.") % {"code": options["unit"]})
        if year is None:
            raise CommandError(
                _("No school year %(year)s.") % {"year": options["year"] or _("(current)")}
            )
        data = selectors.report_for_system(unit=unit, school_year=year)
        content = render(data, fmt)
        output = options["output"] or filename(data, fmt)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        Path(output).write_bytes(content)
        if options["verbosity"] >= 1:
            self.stdout.write(
                _(
                    "TEMIS report of %(unit)s (%(code)s), school year %(year)s: %(path)s "
                    "(%(format)s, %(size)s bytes, %(children)d child units)."
                )
                % {
                    "unit": data.unit_name,
                    "code": data.unit_code,
                    "year": data.school_year,
                    "path": output,
                    "format": fmt.upper(),
                    "size": f"{len(content):,}",
                    "children": len(data.children),
                }
            )
