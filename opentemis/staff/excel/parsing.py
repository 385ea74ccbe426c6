"""Parsing and validating the cells of each row of the staff sheet."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from opentemis.core.imports.issues import CellError, Issues
from opentemis.core.imports.reader import (
    Cell,
    DuplicateColumn,
    FileRejected,
    cell_text,
    column_letter,
    find_header,
    formula_problem,
    header_key,
    is_blank,
)
from opentemis.core.text import fold
from opentemis.staff.ethnicities import code_for
from opentemis.staff.excel.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    GENDERS,
    HEADER_SEARCH_ROWS,
    HELP_SHEET,
    MAX_CELL_CHARS,
    QUALIFICATION_LABELS,
    QUALIFICATIONS,
    STATUS_LABELS,
    STATUSES,
)
from opentemis.staff.models import Position, Subject
from opentemis.staff.validators import validate_full_name, validate_staff_code

# ---------------------------------------------------------------------------------------------
# Parsing cells
# ---------------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row after cell parsing. ``None`` means "cell empty: keep what is recorded"."""

    number: int
    staff_code: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    positions: frozenset[int] | None = None
    subjects: frozenset[int] | None = None
    group_name: str | None = None
    unit_code: str | None = None
    invalid: set[str] = field(default_factory=set)  # keys of cells already reported


_HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    _HEADER_LOOKUP[header_key(_column.header)] = _column.key
    for _alias in _column.aliases:
        _HEADER_LOOKUP[header_key(_alias)] = _column.key


def _ref_key(text: str) -> str:
    return " ".join(fold(text).replace(",", " ").split())


_T = TypeVar("_T")


@dataclass(frozen=True)
class _Failed:
    problem: str


class _Parsers:
    """Cell parsers with per-import caches (the same few values repeat on every row)."""

    def __init__(self) -> None:
        self.positions = self._lookup(Position.objects.all())
        self.subjects = self._lookup(Subject.objects.all())
        self._cache: dict[tuple[str, str], Any] = {}
        today = timezone.localdate()
        # Plausible dates of birth for someone working in a school (day 28 avoids 29 Feb).
        self.oldest = dt.date(1920, 1, 1)
        self.youngest = dt.date(today.year - 15, today.month, min(today.day, 28))

    @staticmethod
    def _lookup(queryset: Iterable[Position | Subject]) -> dict[str, int]:
        items = list(queryset)
        lookup: dict[str, int] = {}
        for item in items:
            lookup.setdefault(_ref_key(item.name), item.pk)
        for item in items:  # codes win over a name that folds to the same key
            lookup[_ref_key(item.code)] = item.pk
        return lookup

    def cached(self, kind: str, text: str, parse: Callable[[str], _T]) -> _T:
        """``parse(text)``, remembered; a failure is remembered as its message. One ``kind``
        per parser: what was stored under it is what ``parse`` returns."""
        key = (kind, text)
        if key not in self._cache:
            try:
                self._cache[key] = parse(text)
            except CellError as exc:
                self._cache[key] = _Failed(exc.problem)
        hit = self._cache[key]
        if isinstance(hit, _Failed):
            raise CellError(hit.problem)  # a fresh exception: re-raising one grows its traceback
        parsed: _T = hit
        return parsed

    # Each parser takes the raw cell value (not None, not blank) and returns the stored value.

    # Codes and names: the rules of every way in (staff/validators.py), with their messages.

    def staff_code(self, value: Any) -> str:
        _judge(validate_staff_code, cell_text(value))
        return cell_text(value).upper()

    def full_name(self, value: Any) -> str:
        text = cell_text(value)
        if len(text) > 150:
            raise CellError(_too_long(150))
        _judge(validate_full_name, text)
        return text

    def gender(self, value: Any) -> str:
        return self.cached("gender", cell_text(value), self._gender)

    def _gender(self, text: str) -> str:
        code = GENDERS.get(fold(text))
        if code is None:
            raise CellError(_("«%(value)s» is not a gender; enter Nam or Nữ.") % {"value": text})
        return code

    def date_of_birth(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # A date typed into a cell formatted as a number: Excel's day serial.
            if not 1 <= value < 100_000:
                raise CellError(_bad_date(cell_text(value)))
            day = from_excel(value).date()
        else:
            day = self.cached("date", cell_text(value), self._date_text)
        if not self.oldest <= day <= self.youngest:
            raise CellError(
                _(
                    "%(value)s is not a plausible date of birth; check the day, month and year "
                    "(dd/mm/yyyy)."
                )
                % {"value": day.strftime("%d/%m/%Y")}
            )
        return day

    def _date_text(self, text: str) -> dt.date:
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
        try:
            if match:
                return dt.date(int(match[3]), int(match[2]), int(match[1]))
            if iso:
                return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            pass
        raise CellError(_bad_date(text))

    def ethnicity(self, value: Any) -> str:
        return self.cached("ethnicity", cell_text(value), self._ethnicity)

    def _ethnicity(self, text: str) -> str:
        code = code_for(text)
        if code is None:
            raise CellError(
                _(
                    "«%(value)s» is not an ethnic group; enter a name or a code listed in the "
                    "sheet «%(sheet)s», e.g. Kinh or 01."
                )
                % {"value": text, "sheet": HELP_SHEET}
            )
        return code

    def phone(self, value: Any) -> str:
        text = cell_text(value)
        if isinstance(value, int | float) and len(text) == 9:
            text = "0" + text  # the cell was a number, so Excel dropped the leading zero
        digits = "".join(ch for ch in text if ch.isdigit())
        cleaned = ("+" if text.startswith("+") else "") + digits
        if not 9 <= len(digits) <= 15 or re.search(r"[^\d\s.+()-]", text):
            raise CellError(
                _("«%(value)s» is not a phone number; enter 9 to 15 digits, e.g. 0912345678.")
                % {"value": text}
            )
        return cleaned

    def email(self, value: Any) -> str:
        text = cell_text(value).lower()
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(
                _("«%(value)s» is not an email address; write it like ten@truong.edu.vn.")
                % {"value": cell_text(value)}
            ) from None
        if len(text) > 254:
            raise CellError(_too_long(254))
        return text

    def qualification(self, value: Any) -> str:
        return self.cached("qualification", cell_text(value), self._qualification)

    def _qualification(self, text: str) -> str:
        code = QUALIFICATIONS.get(fold(text))
        if code is None:
            raise CellError(
                _("«%(value)s» is not a qualification; choose one of: %(choices)s.")
                % {"value": text, "choices": ", ".join(QUALIFICATION_LABELS.values())}
            )
        return str(code)

    def status(self, value: Any) -> str:
        return self.cached("status", cell_text(value), self._status)

    def _status(self, text: str) -> str:
        code = STATUSES.get(fold(text))
        if code is None:
            raise CellError(
                _("«%(value)s» is not an employment status; choose one of: %(choices)s.")
                % {"value": text, "choices": ", ".join(STATUS_LABELS.values())}
            )
        return str(code)

    def position_ids(self, value: Any) -> frozenset[int]:
        return self.cached("positions", cell_text(value), self._position_ids)

    def _position_ids(self, text: str) -> frozenset[int]:
        ids, unknown = _parse_refs(text, self.positions)
        if unknown:
            raise CellError(
                _(
                    "«%(value)s» is not a known position; use the codes or names listed in "
                    "the sheet «%(sheet)s», separated by commas."
                )
                % {"value": unknown[0], "sheet": HELP_SHEET}
            )
        return ids

    def subject_ids(self, value: Any) -> frozenset[int]:
        return self.cached("subjects", cell_text(value), self._subject_ids)

    def _subject_ids(self, text: str) -> frozenset[int]:
        ids, unknown = _parse_refs(text, self.subjects)
        if unknown:
            raise CellError(
                _(
                    "«%(value)s» is not a known subject; use the codes or names listed in "
                    "the sheet «%(sheet)s», separated by commas."
                )
                % {"value": unknown[0], "sheet": HELP_SHEET}
            )
        return ids

    def group_name(self, value: Any) -> str:
        text = cell_text(value)
        if len(text) > 150:
            raise CellError(_too_long(150))
        return text

    def unit_code(self, value: Any) -> str:
        text = cell_text(value)
        if len(text) > 32:
            raise CellError(_too_long(32))
        return text


def _judge(rule: Callable[[str], None], text: str) -> None:
    try:
        rule(text)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def _too_long(limit: int) -> str:
    return _("the text is longer than %(limit)s characters; shorten it.") % {"limit": limit}


def _bad_date(text: str) -> str:
    return _("«%(value)s» is not a valid date; enter it as dd/mm/yyyy.") % {"value": text}


def _parse_refs(text: str, lookup: dict[str, int]) -> tuple[frozenset[int], list[str]]:
    """Several codes or names in one cell, separated by commas or semicolons.

    A name may itself contain a comma ("Hoạt động trải nghiệm, hướng nghiệp"), so within a
    semicolon-separated chunk the longest run of comma-separated pieces that names something wins.
    """
    ids: set[int] = set()
    unknown: list[str] = []
    for chunk in re.split(r"[;\n]", text):
        pieces = [p.strip() for p in chunk.split(",")]
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                found = lookup.get(_ref_key(",".join(pieces[i:j])))
                if found is not None:
                    ids.add(found)
                    i = j
                    break
            else:
                if pieces[i]:
                    unknown.append(pieces[i])
                i += 1
    return frozenset(ids), unknown


# Which parser fills which part of a row.
_FIELD_PARSERS: dict[str, str] = {
    "full_name": "full_name",
    "gender": "gender",
    "date_of_birth": "date_of_birth",
    "ethnicity": "ethnicity",
    "phone": "phone",
    "email": "email",
    "qualification": "qualification",
    "status": "status",
}


def _read_sheet(
    rows: Iterator[tuple[int, dict[int, Cell]]], issues: Issues
) -> tuple[list[_Row], int]:
    columns = _find_header(rows)
    issues.columns_at({COLUMN_BY_KEY[k].header: column_letter(i) for k, i in columns.items()})
    parsers = _Parsers()
    max_rows = settings.IMPORT_MAX_ROWS
    parsed: list[_Row] = []
    first_row_of: dict[str, int] = {}
    code_column = COLUMN_BY_KEY["staff_code"].header
    for number, cells in rows:
        values = {key: cells[index] for key, index in columns.items() if index in cells}
        values = {
            key: cell for key, cell in values.items() if cell.formula or not is_blank(cell.value)
        }
        if not values:
            continue
        if len(parsed) >= max_rows:
            raise FileRejected(
                _(
                    "The file has more than %(limit)s data rows. Split it into several files "
                    "(for example one per school) and import them one by one."
                )
                % {"limit": max_rows}
            )
        row = _parse_row(number, values, parsers, issues)
        parsed.append(row)
        if row.staff_code:
            first = first_row_of.setdefault(row.staff_code, number)
            if first != number:
                issues.add(
                    _(
                        "the staff code «%(value)s» is already on row %(first)s; keep one row "
                        "per person."
                    )
                    % {"value": row.staff_code, "first": first},
                    row=number,
                    column=code_column,
                    value=row.staff_code,
                )
    return parsed, len(parsed)


def _find_header(rows: Iterator[tuple[int, dict[int, Cell]]]) -> dict[str, int]:
    """Find the header among the first rows; returns {column key: column number}."""
    try:
        columns = find_header(
            rows,
            lambda value: _HEADER_LOOKUP.get(header_key(value)),
            required=("staff_code", "full_name"),
            search_rows=HEADER_SEARCH_ROWS,
        )
    except DuplicateColumn as exc:
        raise FileRejected(
            _("The column «%(column)s» appears twice in the header row; keep only one.")
            % {"column": COLUMN_BY_KEY[exc.key].header}
        ) from None
    if columns is not None:
        return columns
    raise FileRejected(
        _(
            "The header row was not found: one of the first rows must contain the columns "
            "«%(code)s» and «%(name)s». Download the template and copy your data into it."
        )
        % {"code": COLUMN_BY_KEY["staff_code"].header, "name": COLUMN_BY_KEY["full_name"].header}
    )


def _parse_row(number: int, cells: dict[str, Cell], parsers: _Parsers, issues: Issues) -> _Row:
    """Parse the non-empty cells of one row; each bad cell adds an issue."""
    row = _Row(number=number)
    for key, cell in cells.items():
        column = COLUMN_BY_KEY[key]
        if cell.formula or (isinstance(cell.value, str) and len(cell.value) > MAX_CELL_CHARS):
            row.invalid.add(key)
        if cell.formula:
            letter = column_letter(cell.column)
            issues.add(
                formula_problem(f"{letter}{number}"),
                row=number,
                column=column.header,
                letter=letter,
                value=cell.value,
            )
            continue
        value = cell.value
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            issues.add(_too_long(MAX_CELL_CHARS), row=number, column=column.header, value=value)
            continue
        try:
            if key == "staff_code":
                row.staff_code = parsers.staff_code(value)
            elif key == "positions":
                row.positions = parsers.position_ids(value)
            elif key == "subjects":
                row.subjects = parsers.subject_ids(value)
            elif key == "subject_group":
                row.group_name = parsers.group_name(value)
            elif key == "unit_code":
                row.unit_code = parsers.unit_code(value)
            else:
                name = "employment_status" if key == "status" else key
                row.fields[name] = getattr(parsers, _FIELD_PARSERS[key])(value)
        except CellError as exc:
            row.invalid.add(key)
            issues.add(exc.problem, row=number, column=column.header, value=value)
    if "staff_code" not in cells:
        issues.add(
            _("the staff code is required on every row; fill it in."),
            row=number,
            column=COLUMN_BY_KEY["staff_code"].header,
        )
    return row
