"""What a paper import reports: valid rows, results, and the file's issues (located problems,
:class:`opentemis.core.imports.issues.Issue`, as every import reports them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from opentemis.core.imports.issues import Issue
from opentemis.evaluations.models import Evaluation
from opentemis.evaluations.paper.sheets import LEVEL_LABELS
from opentemis.staff.models import Person
from opentemis.standards.models import Framework

ERROR_CAP = 300


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
    errors: list[Issue] = field(default_factory=list)
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
    def errors(self) -> list[Issue]:
        return self.check.errors

    @property
    def ok(self) -> bool:
        return self.check.ok
