"""Paper fallback: a school that evaluated on paper enters the results from an Excel template.

:mod:`.sheets` (the file format), :mod:`.template` (the download), :mod:`.importer` (check, then
an all-or-nothing save), :mod:`.uploads` (the checked file kept between the two steps).
"""

from opentemis.evaluations.paper.importer import (
    PaperCheck,
    PaperIssue,
    PaperResult,
    PaperRow,
    paper_import_apply,
    paper_import_check,
)
from opentemis.evaluations.paper.template import paper_template_xlsx

__all__ = [
    "PaperCheck",
    "PaperIssue",
    "PaperResult",
    "PaperRow",
    "paper_import_apply",
    "paper_import_check",
    "paper_template_xlsx",
]
