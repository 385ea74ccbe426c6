"""The problems an import finds in a file: one located issue type and one collector.

Every import (the staff list, the paper evaluation, a framework, and the ones to come) reports
what is wrong in a file as :class:`Issue` values: the problem and how to fix it, and where it
is (sheet, spreadsheet row, column header and letter, the value read). The pages render them
with one partial (``imports/_issues.html``), the API with one serializer
(``opentemis.core.imports.api.ImportIssueSerializer``), the CLI prints :attr:`Issue.message`.

:class:`Issues` collects them up to a cap: past it, :exc:`TooManyIssues` stops the reading
(the user has enough to fix) and the result says the list was cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

ERROR_CAP = 500
# A value is quoted in an issue to show what was read; a long one is cut.
VALUE_CHARS = 100


@dataclass(frozen=True)
class Issue:
    """One problem in an uploaded file: where it is and how to fix it.

    ``row`` is the spreadsheet's row number and ``column`` the column's header as the user sees
    it in the file, ``letter`` its letter (D); ``sheet`` is left empty by an import that reads
    one sheet. An issue with no place at all is about the whole file. ``line`` places a problem
    in a text file (YAML). ``value`` is the cell's content as read.
    """

    problem: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    letter: str = ""
    value: str = ""
    line: int | None = None

    @property
    def cell(self) -> str:
        """The cell's reference (D3), when both its column letter and row are known."""
        return f"{self.letter}{self.row}" if self.letter and self.row is not None else ""

    @property
    def located(self) -> bool:
        """Whether the issue has a place in a sheet (otherwise it is about the whole file)."""
        return bool(self.sheet or self.row is not None or self.column)

    @property
    def message(self) -> str:
        """The problem preceded by its place, as one sentence (the CLI, the API, a log)."""
        where = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "line": self.line,
            "problem": self.problem,
        }
        has_row = self.row is not None
        if self.sheet:
            if has_row and self.column:
                return _("Sheet «%(sheet)s», row %(row)s, column «%(column)s»: %(problem)s") % where
            if has_row:
                return _("Sheet «%(sheet)s», row %(row)s: %(problem)s") % where
            if self.column:
                return _("Sheet «%(sheet)s», column «%(column)s»: %(problem)s") % where
            return _("Sheet «%(sheet)s»: %(problem)s") % where
        if has_row and self.column:
            return _("Row %(row)s, column «%(column)s»: %(problem)s") % where
        if has_row:
            return _("Row %(row)s: %(problem)s") % where
        if self.column:
            return _("Column «%(column)s»: %(problem)s") % where
        if self.line is not None:
            return _("Line %(line)s: %(problem)s") % where
        return self.problem

    def __str__(self) -> str:
        return self.message


class TooManyIssues(Exception):
    """The issue cap was reached: stop reading, the user has enough to fix."""


class CellError(Exception):
    """A cell's value cannot be used; ``problem`` says why (the caller knows where)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass
class Issues:
    """Collects the issues of one file, up to ``cap``, and remembers which rows are bad.

    Name a column by its header; once the import has found the header row it calls
    :meth:`columns_at` so that each issue also gets the column's letter.
    """

    cap: int = ERROR_CAP
    items: list[Issue] = field(default_factory=list)
    truncated: bool = False
    bad_rows: set[tuple[str, int]] = field(default_factory=set)
    _letters: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def add(
        self,
        problem: str,
        *,
        sheet: str = "",
        row: int | None = None,
        column: str = "",
        value: Any = None,
        letter: str = "",
    ) -> None:
        """Record a problem; raises :exc:`TooManyIssues` once the cap is reached."""
        if len(self.items) >= self.cap:
            self.truncated = True
            raise TooManyIssues
        self.items.append(
            Issue(
                problem=problem,
                sheet=sheet,
                row=row,
                column=column,
                letter=letter or self._letters.get((sheet, column), ""),
                value=_shown(value),
            )
        )
        if row is not None:
            self.bad_rows.add((sheet, row))

    def reject(self, problem: str, *, line: int | None = None) -> None:
        """Record a problem with the whole file (never refused by the cap: it ends the read)."""
        self.items.append(Issue(problem=problem, line=line))

    def extend(self, items: list[Issue], *, truncated: bool = False) -> None:
        """Take the issues another reader collected (its own cap already applied)."""
        self.items.extend(items)
        self.truncated = self.truncated or truncated
        self.bad_rows.update((i.sheet, i.row) for i in items if i.row is not None)

    def columns_at(self, letters: dict[str, str], *, sheet: str = "") -> None:
        """Remember the letters of the columns of ``sheet``: {header: letter}."""
        self._letters.update({(sheet, header): letter for header, letter in letters.items()})

    def is_bad(self, row: int, *, sheet: str = "") -> bool:
        return (sheet, row) in self.bad_rows

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.items)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"
