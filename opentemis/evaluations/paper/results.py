"""What a paper import reports: problems with their place in the file, valid rows, results."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opentemis.evaluations.models import Evaluation
from opentemis.evaluations.paper.sheets import LEVEL_LABELS
from opentemis.staff.models import Person
from opentemis.standards.models import Framework

ERROR_CAP = 300


@dataclass(frozen=True)
class PaperIssue:
    """One problem: where it is (sheet, spreadsheet row, column header) and how to fix it."""

    problem: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    @property
    def message(self) -> str:
        where = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "problem": self.problem,
        }
        if not self.sheet:
            return self.problem
        if self.row is None and not self.column:
            return _("Sheet «%(sheet)s»: %(problem)s") % where
        if self.row is None:
            return _("Sheet «%(sheet)s», column «%(column)s»: %(problem)s") % where
        if not self.column:
            return _("Sheet «%(sheet)s», row %(row)s: %(problem)s") % where
        return _("Sheet «%(sheet)s», row %(row)s, column «%(column)s»: %(problem)s") % where

    def __str__(self) -> str:
        return self.message


@dataclass
class PaperRow:
    """A valid row: whom it is about, the levels read and the rating the law gives them."""

    sheet: str
    row: int
    person: Person
    framework: Framework
    kind: str
    levels: dict[str, str]
    written: str | None  # the overall rating written in the file (a level code), if any
    computed: str
    explanation: list[str]
    evaluation: Evaluation | None
    unchanged: bool = False

    @property
    def disagrees(self) -> bool:
        return self.written is not None and self.written != self.computed

    @property
    def written_label(self) -> str:
        return LEVEL_LABELS.get(self.written or "", "")

    @property
    def computed_label(self) -> str:
        return LEVEL_LABELS[self.computed]


@dataclass
class PaperCheck:
    """What a file would do: valid rows, errors, and rows left empty (skipped)."""

    rows: list[PaperRow] = field(default_factory=list)
    errors: list[PaperIssue] = field(default_factory=list)
    errors_truncated: bool = False
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # sheet, row, name
    file_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def disagreements(self) -> list[PaperRow]:
        return [r for r in self.rows if r.disagrees]

    @property
    def to_save(self) -> list[PaperRow]:
        return [r for r in self.rows if not r.unchanged]

    @property
    def unchanged(self) -> list[PaperRow]:
        return [r for r in self.rows if r.unchanged]


@dataclass
class PaperResult:
    """What a confirmed import did. ``written`` is False when anything was wrong."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    check: PaperCheck = field(default_factory=PaperCheck)

    @property
    def errors(self) -> list[PaperIssue]:
        return self.check.errors

    @property
    def ok(self) -> bool:
        return self.check.ok


class _TooManyErrors(Exception):
    pass


class _Issues:
    def __init__(self) -> None:
        self.items: list[PaperIssue] = []
        self.truncated = False

    def add(self, problem: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        if len(self.items) >= ERROR_CAP:
            self.truncated = True
            raise _TooManyErrors
        self.items.append(PaperIssue(problem=problem, sheet=sheet, row=row, column=column))
