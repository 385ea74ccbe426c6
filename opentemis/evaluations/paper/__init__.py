"""Paper fallback: a school that evaluated on paper enters the results from an Excel template.

:mod:`.sheets` (the file format), :mod:`.template` (the download), :mod:`.reading` (the sheets
read through the one safe reader) and :mod:`.importer` (check, then an all-or-nothing save, on
the import framework :mod:`opentemis.core.imports`).
"""

from opentemis.evaluations.paper.importer import (
    PaperCheck,
    PaperResult,
    PaperRow,
    paper_import_apply,
    paper_import_check,
)
from opentemis.evaluations.paper.template import paper_template_xlsx

__all__ = [
    "PaperCheck",
    "PaperResult",
    "PaperRow",
    "paper_import_apply",
    "paper_import_check",
    "paper_template_xlsx",
]
