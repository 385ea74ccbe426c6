"""Finding and reading the staff sheet of an upload, through the one safe reader.

The container checks and the streaming are :mod:`opentemis.core.imports.reader`'s; this module
chooses the staff sheet and hands its rows to :mod:`.parsing`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.core.imports.issues import Issues
from opentemis.core.imports.reader import FileRejected, Source, Workbook, open_workbook
from opentemis.core.text import fold
from opentemis.staff.excel.columns import DATA_SHEET, HELP_SHEET
from opentemis.staff.excel.parsing import _read_sheet, _Row

# Translators: what the staff import expects, named in the messages about a file that cannot
# be read ("Choose the filled-in staff list (.xlsx) and upload it again.").
STAFF_LIST = gettext_lazy("staff list")


def read_rows(source: Source, issues: Issues) -> tuple[list[_Row], int]:
    """Check the upload, stream the staff sheet and parse every row; returns the rows and the
    data-row count."""
    with open_workbook(source, document=STAFF_LIST) as workbook:
        return _read_sheet(workbook.rows(_pick_sheet(workbook)), issues)


def _pick_sheet(workbook: Workbook) -> str:
    """The name of the staff sheet: the template's sheet, else the first other one."""
    found = workbook.find(DATA_SHEET)
    if found is not None:
        return found
    for name in workbook.sheet_names:
        if fold(name) != fold(HELP_SHEET):
            return name
    raise FileRejected(
        _(
            "The workbook has no sheet with a staff list. Download the template and fill in "
            "the sheet «%(sheet)s»."
        )
        % {"sheet": DATA_SHEET}
    )
