"""What an import reports: the issues found in a file and the result of an import."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

ERROR_CAP = 500


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in an uploaded file: where it is and how to fix it.

    ``row`` is the spreadsheet row number (``None`` for a problem with the whole file) and
    ``column`` the Vietnamese header of the column, as the user sees it in the file.
    """

    row: int | None
    column: str
    problem: str
    cell: str = ""

    @property
    def message(self) -> str:
        if self.row is None:
            return self.problem
        if not self.column:
            return _("Row %(row)s: %(problem)s") % {"row": self.row, "problem": self.problem}
        return _("Row %(row)s, column «%(column)s»: %(problem)s") % {
            "row": self.row,
            "column": self.column,
            "problem": self.problem,
        }

    def __str__(self) -> str:
        return self.message


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused file, would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transferred: int = 0
    skipped: int = 0
    rows: int = 0
    groups_created: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    errors_truncated: bool = False
    dry_run: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[ImportIssue]:
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[ImportIssue]:
        return [e for e in self.errors if e.row is not None]

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "transferred": self.transferred,
            "skipped": self.skipped,
            "groups_created": self.groups_created,
        }


class _TooManyErrors(Exception):
    """The error cap was reached: stop reading, the user has enough to fix."""


class _Issues:
    """Collects issues up to a cap and remembers which rows are bad."""

    def __init__(self) -> None:
        self.cap = ERROR_CAP
        self.items: list[ImportIssue] = []
        self.bad_rows: set[int] = set()
        self.truncated = False

    def add(self, row: int | None, column: str, problem: str, cell: str = "") -> None:
        if len(self.items) >= self.cap:
            self.truncated = True
            raise _TooManyErrors
        self.items.append(ImportIssue(row=row, column=column, problem=problem, cell=cell))
        if row is not None:
            self.bad_rows.add(row)


class _CellError(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
