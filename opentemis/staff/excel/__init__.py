"""Staff spreadsheets: the import template, the import itself and the export.

The file format is a contract with the users' spreadsheets: the sheet name, the Vietnamese column
headers and the Vietnamese values ("Nam", "Đại học", "Đang công tác") are data, not interface
text, so they are not translated; an export re-imports unchanged. Everything the user reads about
the file (instructions, error messages) is translated.

The import runs on the project's import framework (:mod:`opentemis.core.imports`: the safe
reader, the located issues, the check/confirm flow) and keeps only what is the staff list's:

1. *Check*: the upload goes through the safe reader (container checks before any XML, then the
   sheet streamed); each cell is parsed and every problem collected (up to :data:`ERROR_CAP`)
   with its row, column and a fix; the rows are resolved against the database in bulk (units of
   the importing subtree, existing people by staff code, subject groups, current positions and
   subjects) and checked against the actor's reach.
2. *Write*, in the same transaction: bulk inserts and updates, and the audit event. Nothing is
   written when any row has an error (unless ``partial=True``), nor by a dry run.

The package is split by responsibility: :mod:`.columns` (the file format), :mod:`.results`
(the counts), :mod:`.reader` (the staff sheet found and streamed), :mod:`.parsing` (cell and
row validation), :mod:`.importer` (planning and the writes), :mod:`.template` and
:mod:`.export`.
"""

from opentemis.staff.excel.columns import (
    BATCH,
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    GENDER_LABELS,
    GENDERS,
    HEADER_SEARCH_ROWS,
    HELP_SHEET,
    MAX_CELL_CHARS,
    PERSON_FIELDS,
    QUALIFICATION_LABELS,
    QUALIFICATIONS,
    STATUS_LABELS,
    STATUSES,
    TEXT_COLUMNS,
    XLSX_CONTENT_TYPE,
    Column,
)
from opentemis.staff.excel.export import export_staff_xlsx
from opentemis.staff.excel.importer import staff_import
from opentemis.staff.excel.results import ERROR_CAP, ImportResult
from opentemis.staff.excel.template import staff_template_xlsx

__all__ = [
    "BATCH",
    "COLUMNS",
    "COLUMN_BY_KEY",
    "DATA_SHEET",
    "ERROR_CAP",
    "GENDERS",
    "GENDER_LABELS",
    "HEADER_SEARCH_ROWS",
    "HELP_SHEET",
    "MAX_CELL_CHARS",
    "PERSON_FIELDS",
    "QUALIFICATIONS",
    "QUALIFICATION_LABELS",
    "STATUSES",
    "STATUS_LABELS",
    "TEXT_COLUMNS",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportResult",
    "export_staff_xlsx",
    "staff_import",
    "staff_template_xlsx",
]
