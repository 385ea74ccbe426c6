"""A framework as an Excel workbook: the documented template, and reading it back.

Three sheets (documented in ``docs/frameworks.md``): «Khung» (the framework's fields, one per
row), «Tiêu chí» (one row per criterion, with its standard, descriptors per level and the key
flag) and «Quy tắc» (one row per rating rule). Sheet and column names are Vietnamese and
fixed: the reader finds them by name, ignoring case, accents and column order.
:func:`framework_from_xlsx` gives the same dict as the YAML format, so both go through
:func:`opentemis.standards.services.framework_load` and its validation. The upload is read by
the import framework's one safe reader (:mod:`opentemis.core.imports.reader`) like every other
spreadsheet import, and its problems are the framework's located issues.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from fractions import Fraction
from typing import Any, NoReturn

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from opentemis.core.imports.issues import Issue, Issues, TooManyIssues
from opentemis.core.imports.reader import (
    Cell,
    FileRejected,
    Limits,
    Source,
    cell_text,
    column_letter,
    formula_problem,
    open_workbook,
)
from opentemis.core.imports.reader import Workbook as UploadedWorkbook
from opentemis.core.text import fold, normalize_text
from opentemis.standards.files import MAX_FILE_BYTES, FrameworkFileError
from opentemis.standards.frameworks import framework_data
from opentemis.standards.rules import DESCRIBED_LEVEL_CODES, Level

FRAMEWORK_SHEET = "Khung"
CRITERIA_SHEET = "Tiêu chí"
RULES_SHEET = "Quy tắc"
HELP_SHEET = "Hướng dẫn"

# Translators: what the framework import expects, named in the messages about a file that cannot
# be read ("Choose the filled-in framework (.xlsx) and upload it again.").
FRAMEWORK = gettext_lazy("framework")

# A framework has tens of criteria and a few rules; a sheet this long is not a framework.
MAX_ROWS = 2000
MAX_COLUMNS = 40
MAX_ISSUES = 50


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14
    text: bool = False  # formatted as text so Excel keeps "2/3" and "3-7" (not dates)


FRAMEWORK_FIELDS = [
    Column("code", "Mã khung", required=True),
    Column("title_vi", "Tên khung (tiếng Việt)", required=True),
    Column("title_en", "Tên khung (tiếng Anh)"),
    Column("legal_ref", "Văn bản quy định"),
    Column("subject", "Đối tượng áp dụng"),
    Column("rules_legal_ref", "Căn cứ xếp loại"),
    Column("rules_verified", "Quy tắc đã đối chiếu văn bản gốc"),
    Column("fallback", "Kết quả khi không quy tắc nào thỏa"),
]

CRITERIA_COLUMNS = [
    Column("standard", "Tiêu chuẩn số", required=True, width=10),
    Column("standard_name", "Tên tiêu chuẩn", required=True, width=30),
    Column("article", "Điều", width=10),
    Column("standard_description", "Mô tả tiêu chuẩn", width=30),
    Column("number", "Tiêu chí số", required=True, width=10),
    Column("name", "Tên tiêu chí", required=True, width=40),
    Column("Dat", "Mức Đạt", width=45),
    Column("Kha", "Mức Khá", width=45),
    Column("Tot", "Mức Tốt", width=45),
    Column("key", "Then chốt", width=10),
    Column("unverified", "Cần kiểm chứng", width=12),
]

RULE_COLUMNS = [
    Column("order", "Thứ tự", required=True, width=8),
    Column("result", "Kết quả", required=True, width=12),
    Column("all_at_least", "Mọi tiêu chí từ mức", width=14),
    Column("min_level", "Tỉ lệ tối thiểu: mức", width=14),
    Column("min_fraction", "Tỉ lệ tối thiểu: tỉ lệ", width=14, text=True),
    Column("key_level", "Tiêu chí then chốt: mức", width=14),
    Column("key_criteria", "Tiêu chí then chốt: danh sách", width=24, text=True),
    Column("below_level", "Tỉ lệ tối đa dưới mức: mức", width=14),
    Column("below_fraction", "Tỉ lệ tối đa dưới mức: tỉ lệ", width=14, text=True),
]

LEVEL_NAMES = {level.code: level.legal_name for level in Level}


def _level_name(code: object) -> str | None:
    """The legal name of a level code read from framework data (None: no such level)."""
    return LEVEL_NAMES.get(code) if isinstance(code, str) else None


_YES = {"x", "co", "yes", "y", "1", "true", "dung"}
_NO = {"", "khong", "no", "n", "0", "false", "sai"}

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


# ---------------------------------------------------------------------------------------------
# Writing: the template (TT 20/2018 as the example) or any framework's data
# ---------------------------------------------------------------------------------------------


def framework_template_xlsx() -> bytes:
    """The documented template, filled in with TT 20/2018 as the example to follow."""
    return framework_to_xlsx(framework_data()["TT20_2018_GVPT"])


def framework_to_xlsx(data: dict[str, Any]) -> bytes:
    """A workbook in the upload format holding ``data`` (a framework dict, as in the YAML)."""
    workbook = Workbook()
    _write_framework(workbook.active, data)
    _write_criteria(workbook.create_sheet(CRITERIA_SHEET), data)
    _write_rules(workbook.create_sheet(RULES_SHEET), data)
    _write_help(workbook.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(ws: Any, columns: list[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"


def _level_dropdown(ws: Any, columns: list[Column], keys: set[str]) -> None:
    names = ",".join(LEVEL_NAMES.values())
    validation = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True)
    validation.error = _("Choose a level from the list.")
    validation.showErrorMessage = True
    for index, column in enumerate(columns, start=1):
        if column.key in keys:
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{MAX_ROWS}")
    ws.add_data_validation(validation)


def _write_framework(ws: Any, data: dict[str, Any]) -> None:
    ws.title = FRAMEWORK_SHEET
    _header(ws, [Column("field", "Thông tin", width=36), Column("value", "Giá trị", width=80)])
    rules = data.get("rating_rules") or {}
    verification = str(rules.get("verification") or "")
    values = {
        "code": data.get("code"),
        "title_vi": data.get("title_vi"),
        "title_en": data.get("title_en"),
        "legal_ref": data.get("legal_ref"),
        "subject": data.get("subject"),
        "rules_legal_ref": rules.get("legal_ref"),
        "rules_verified": ("Có" if not verification.upper().startswith("UNVERIFIED") else "Không")
        if rules.get("rules")
        else None,
        "fallback": LEVEL_NAMES.get(rules.get("fallback") or Level.CHUA_DAT.code),
    }
    for row, field in enumerate(FRAMEWORK_FIELDS, start=2):
        ws.cell(row=row, column=1, value=field.header).font = Font(bold=field.required)
        ws.cell(row=row, column=2, value=values[field.key])


def _write_criteria(ws: Any, data: dict[str, Any]) -> None:
    _header(ws, CRITERIA_COLUMNS)
    key_numbers = set((data.get("rating_rules") or {}).get("key_criteria") or [])
    standards = data["standards"] if isinstance(data.get("standards"), list) else []
    wrap = Alignment(wrap_text=True, vertical="top")
    for standard in standards:
        criteria = standard.get("criteria")
        for criterion in criteria if isinstance(criteria, list) else []:
            descriptors = criterion.get("descriptors") or {}
            verification = str(criterion.get("verification") or "")
            ws.append(
                [
                    standard.get("number"),
                    standard.get("name"),
                    standard.get("article"),
                    standard.get("description"),
                    criterion.get("number"),
                    criterion.get("name"),
                    *(descriptors.get(code) for code in DESCRIBED_LEVEL_CODES),
                    "x" if criterion.get("number") in key_numbers else None,
                    "x" if verification.upper().startswith("UNVERIFIED") else None,
                ]
            )
            for cell in ws[ws.max_row]:
                cell.alignment = wrap
    _yes_no_dropdown(ws, ("J", "K"))


def _yes_no_dropdown(ws: Any, letters: tuple[str, ...]) -> None:
    validation = DataValidation(type="list", formula1='"x"', allow_blank=True)
    for letter in letters:
        validation.add(f"{letter}2:{letter}{MAX_ROWS}")
    ws.add_data_validation(validation)


def _write_rules(ws: Any, data: dict[str, Any]) -> None:
    _header(ws, RULE_COLUMNS)
    for index, column in enumerate(RULE_COLUMNS, start=1):
        if column.text:
            letter = get_column_letter(index)
            for row in range(2, 30):
                ws[f"{letter}{row}"].number_format = "@"
    rules = (data.get("rating_rules") or {}).get("rules") or []
    for row, rule in enumerate(rules, start=2):
        mf = rule.get("min_fraction_at_least") or {}
        key = rule.get("key_criteria_at_least") or {}
        mb = rule.get("max_fraction_below") or {}
        values = [
            rule.get("order"),
            _level_name(rule.get("result")),
            _level_name(rule.get("all_at_least") or rule.get("none_below")),
            _level_name(mf.get("level")),
            str(mf["fraction"]) if mf.get("fraction") is not None else None,
            _level_name(key.get("level")),
            ", ".join(str(n) for n in key.get("criteria") or []) or None,
            _level_name(mb.get("level")),
            str(mb["fraction"]) if mb.get("fraction") is not None else None,
        ]
        for number, value in enumerate(values, start=1):
            ws.cell(row=row, column=number, value=value)
    _level_dropdown(
        ws, RULE_COLUMNS, {"result", "all_at_least", "min_level", "key_level", "below_level"}
    )


def _write_help(ws: Any) -> None:
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 110
    ws.append([_("How to describe a framework in this workbook")])
    ws["A1"].font = Font(bold=True, size=14)
    steps = [
        _("Sheet «%(sheet)s»: one field per row. The code and the Vietnamese title are "
          "required. Loading a file whose code already exists makes a new version of that "
          "framework; a version used by a finished cycle is never changed.")
        % {"sheet": FRAMEWORK_SHEET},
        _("Sheet «%(sheet)s»: one row per criterion, numbered across the framework as in the "
          "regulation (1, 2, 3 ...). Repeat the standard's number on each of its criteria. "
          "Write the requirement of each level in the columns Mức Đạt, Mức Khá, Mức Tốt. Put "
          "x in Then chốt for the criteria the rating rules name, and x in Cần kiểm chứng for "
          "a criterion whose text is not confirmed against the official text.")
        % {"sheet": CRITERIA_SHEET},
        _("Sheet «%(sheet)s»: one row per overall result, checked in the order given; the first "
          "row whose conditions all hold gives the result, else the result in «Kết quả khi "
          "không quy tắc nào thỏa» (Chưa đạt). Leave a condition empty when it does not apply.")
        % {"sheet": RULES_SHEET},
        _("Levels are written Chưa đạt, Đạt, Khá or Tốt. Fractions are written like 2/3 (the "
          "cells are formatted as text so that Excel does not turn them into dates). Lists of "
          "criteria are written like 3, 4, 5 or 3-7."),
        _("«Mọi tiêu chí từ mức»: every criterion at this level or above. «Tỉ lệ tối thiểu»: at "
          "least this fraction of the criteria at the level or above (rounded up). «Tiêu chí "
          "then chốt»: each listed criterion at the level or above. «Tỉ lệ tối đa dưới mức»: at "
          "most this fraction of the criteria below the level (rounded down)."),
        _("A framework without rules, or whose criteria are not all known, loads as incomplete: "
          "it can be read but not applied to a school year."),
    ]  # fmt: skip
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, step in enumerate(steps, start=1):
        ws.append([f"{number}.", step])
        ws.cell(row=ws.max_row, column=2).alignment = wrap


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


class _Skip(Exception):
    """A cell could not be read; the issue is recorded and the row goes on."""


# What a framework workbook may hold: a framework has tens of criteria and a few rules.
LIMITS = Limits(max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)


def framework_from_xlsx(file: Any) -> dict[str, Any]:
    """The framework dict held by a workbook in the template's format.

    ``file`` is a path, bytes or a binary file object. It is read by the one safe reader
    (:func:`opentemis.core.imports.reader.open_workbook`: size, zip bombs, encryption, legacy
    .xls checked before any XML; the sheets streamed). Every problem found is reported (up to
    :data:`MAX_ISSUES`), each with its sheet, row and column, in one
    :class:`FrameworkFileError`.
    """
    issues = Issues(cap=MAX_ISSUES)
    try:
        with (
            Source(file) as source,
            open_workbook(source, document=FRAMEWORK, limits=LIMITS) as workbook,
        ):
            data = _read_workbook(workbook, issues)
    except FileRejected as exc:
        raise FrameworkFileError([*issues.items, Issue(exc.problem)]) from None
    except TooManyIssues:
        raise FrameworkFileError(issues.items, truncated=True) from None
    if issues:
        raise FrameworkFileError(issues.items)
    return data


def _read_workbook(workbook: UploadedWorkbook, issues: Issues) -> dict[str, Any]:
    found: dict[str, _Sheet] = {}
    for name in (FRAMEWORK_SHEET, CRITERIA_SHEET, RULES_SHEET):
        actual = workbook.find(name)
        if actual is not None:
            found[name] = _Sheet(workbook, actual, name)
        else:
            issues.add(
                _("The sheet is missing. Download the template and keep its three sheets."),
                sheet=name,
            )
    if issues:
        return {}
    data = _read_framework_sheet(found[FRAMEWORK_SHEET], issues)
    standards, key_numbers = _read_criteria_sheet(found[CRITERIA_SHEET], issues)
    rules = _read_rules_sheet(found[RULES_SHEET], issues)
    if issues:
        return {}
    rating_rules = data.pop("_rules")
    if rules:
        rating_rules["rules"] = rules
    if not key_numbers:
        # No criterion flagged: the key criteria are those the rules name.
        key_numbers = sorted(
            {n for r in rules for n in (r.get("key_criteria_at_least") or {}).get("criteria", [])}
        )
    if key_numbers:
        rating_rules["key_criteria"] = key_numbers
    data["standards"] = standards
    data["rating_rules"] = rating_rules
    return data


@dataclass
class _Sheet:
    """One sheet of the uploaded workbook, under the name the template gives it."""

    workbook: UploadedWorkbook
    actual: str  # the name in the file (case and accents may differ)
    name: str  # the template's name, used in the issues


@dataclass
class _Cells:
    """A non-empty row: values by 0-based column, and which columns hold a formula."""

    values: tuple[Any, ...]
    formulas: set[int] = dataclass_field(default_factory=set)


def _rows(sheet: _Sheet, issues: Issues) -> Iterator[tuple[int, _Cells]]:
    """(row number, cells) of the non-empty rows, at most MAX_ROWS under the header."""
    for number, cells in sheet.workbook.rows(sheet.actual):
        if number > MAX_ROWS + 1:
            issues.add(
                _("The sheet has more than %(limit)s rows; a framework has far fewer.")
                % {"limit": MAX_ROWS},
                sheet=sheet.name,
            )
            return
        row = _row_cells(cells)
        if row is not None:
            yield number, row


def _row_cells(cells: dict[int, Cell]) -> _Cells | None:
    width = max(cells, default=0)
    values = tuple(cells[i].value if i in cells else None for i in range(1, width + 1))
    formulas = {i - 1 for i, cell in cells.items() if cell.formula}
    if not formulas and not any(v is not None and str(v).strip() for v in values):
        return None
    return _Cells(values, formulas)


def _columns(header: _Cells, columns: list[Column], issues: Issues, sheet: str) -> dict[str, int]:
    """Column key -> 0-based index, found by header text (case, accents and order ignored)."""
    wanted = {fold(c.header): c for c in columns}
    found: dict[str, int] = {}
    for index, value in enumerate(header.values):
        column = wanted.get(fold(cell_text(value))) if value is not None else None
        if column is not None and column.key not in found:
            found[column.key] = index
    issues.columns_at(
        {c.header: column_letter(found[c.key] + 1) for c in columns if c.key in found},
        sheet=sheet,
    )
    for column in columns:
        if column.required and column.key not in found:
            issues.add(
                _("The column is missing from the header row (row 1)."),
                sheet=sheet,
                row=1,
                column=column.header,
            )
    return found


class _RowReader:
    """Typed access to one row's cells; a bad value records an issue naming the cell."""

    def __init__(
        self,
        cells: _Cells,
        index: dict[str, int],
        columns: list[Column],
        where: tuple[Issues, str, int],
    ) -> None:
        self.cells, self.index, self.where = cells, index, where
        self.headers = {c.key: c.header for c in columns}
        self.issues: Issues = where[0]
        self.ok = True

    def raw(self, key: str) -> Any:
        i = self.index.get(key)
        values = self.cells.values
        value = values[i] if i is not None and i < len(values) else None
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def fail(self, key: str, problem: str) -> NoReturn:
        _issues, sheet, row = self.where
        column = self.headers.get(key, key)
        self.issues.add(problem, sheet=sheet, row=row, column=column, value=self.raw(key))
        self.ok = False
        raise _Skip

    def get(self, key: str, parse: Any, required: bool = False) -> Any:
        i = self.index.get(key)
        if i is not None and i in self.cells.formulas:
            try:
                self.fail(key, formula_problem(f"{column_letter(i + 1)}{self.where[2]}"))
            except _Skip:
                return None
        value = self.raw(key)
        if value is None:
            if required:
                try:
                    self.fail(key, _("This cell is required."))
                except _Skip:
                    return None
            return None
        try:
            return parse(self, key, value)
        except _Skip:
            return None


def _text(reader: _RowReader, key: str, value: Any) -> str:
    return cell_text(value)


def _long_text(reader: _RowReader, key: str, value: Any) -> str:
    return normalize_text(str(value))


def _number(reader: _RowReader, key: str, value: Any) -> int:
    if isinstance(value, bool):
        reader.fail(key, _("Write a whole number, e.g. 3."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value <= 0 or value > 10_000:
        reader.fail(key, _("“%(value)s” is not a whole number greater than 0.") % {"value": value})
    return int(value)


def _level(reader: _RowReader, key: str, value: Any) -> str:
    level = Level.from_text(str(value))
    if level is None:
        reader.fail(
            key,
            _("“%(value)s” is not a level: write Chưa đạt, Đạt, Khá or Tốt.") % {"value": value},
        )
    return level.code


def _flag(reader: _RowReader, key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(str(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    reader.fail(key, _("Write x (yes) or leave the cell empty (no)."))
    return False


def _date_problem() -> str:
    return _(
        "Excel turned the value into a date. Format the cell as Text, then type the value "
        "again (e.g. 2/3 or 3-7)."
    )


def _fraction(reader: _RowReader, key: str, value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        reader.fail(key, _date_problem())
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            fraction = Fraction(value).limit_denominator(100)
        else:
            fraction = Fraction(str(value).strip().replace(" ", "").replace(",", "."))
    except (ValueError, ZeroDivisionError):
        reader.fail(key, _("“%(value)s” is not a fraction like 2/3.") % {"value": value})
    if not 0 <= fraction <= 1:
        reader.fail(key, _("A fraction must be between 0 and 1, like 2/3."))
    return f"{fraction.numerator}/{fraction.denominator}"


_RANGE = re.compile(r"^(\d+)\s*[-\u2013]\s*(\d+)$")


def _criteria_list(reader: _RowReader, key: str, value: Any) -> list[int]:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        reader.fail(key, _date_problem())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [_number(reader, key, value)]
    numbers: list[int] = []
    text = re.sub(r"\s*[-\u2013]\s*", "-", str(value).strip())
    for token in re.split(r"[,;\s]+", text):
        if not token:
            continue
        match = _RANGE.match(token)
        if token.isdigit():
            numbers.append(int(token))
        elif match and int(match[1]) <= int(match[2]) <= int(match[1]) + 1000:
            numbers.extend(range(int(match[1]), int(match[2]) + 1))
        else:
            reader.fail(
                key,
                _("“%(value)s” is not a list of criteria like 3, 4, 5 or 3-7.") % {"value": value},
            )
    return sorted(set(numbers))


def _read_framework_sheet(ws: _Sheet, issues: Issues) -> dict[str, Any]:
    sheet = FRAMEWORK_SHEET
    issues.columns_at({f.header: "B" for f in FRAMEWORK_FIELDS}, sheet=sheet)
    by_label = {fold(f.header): f for f in FRAMEWORK_FIELDS}
    index = {"value": 1}
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row, cells in _rows(ws, issues):
        if row == 1:
            continue
        label = cells.values[0] if cells.values else None
        field = by_label.get(fold(cell_text(label))) if label is not None else None
        if field is None:
            continue  # notes and blank labels are allowed
        reader = _RowReader(cells, index, [Column("value", field.header)], (issues, sheet, row))
        parse = {"rules_verified": _flag, "fallback": _level}.get(field.key, _text)
        values[field.key] = reader.get("value", parse, required=field.required)
        rows[field.key] = row
    for field in FRAMEWORK_FIELDS:
        if field.required and field.key not in rows:
            issues.add(
                _("The row «%(label)s» is missing (column A holds the label, B the value).")
                % {"label": field.header},
                sheet=sheet,
            )
    rules: dict[str, Any] = {}
    if values.get("rules_legal_ref"):
        rules["legal_ref"] = values["rules_legal_ref"]
    if values.get("rules_verified") is not None:
        rules["verification"] = "VERIFIED" if values["rules_verified"] else "UNVERIFIED"
    rules["fallback"] = values.get("fallback") or Level.CHUA_DAT.code
    data: dict[str, Any] = {"code": values.get("code"), "title_vi": values.get("title_vi")}
    for key in ("title_en", "legal_ref", "subject"):
        if values.get(key):
            data[key] = values[key]
    data["_rules"] = rules
    return data


def _read_criteria_sheet(ws: _Sheet, issues: Issues) -> tuple[list[dict[str, Any]], list[int]]:
    sheet = CRITERIA_SHEET
    standards: dict[int, dict[str, Any]] = {}
    seen: dict[int, int] = {}  # criterion number -> row
    keys: list[int] = []
    index: dict[str, int] | None = None
    for row, cells in _rows(ws, issues):
        if index is None:
            before = len(issues.items)
            index = _columns(cells, CRITERIA_COLUMNS, issues, sheet)
            if row != 1:
                issues.add(_("The header row must be row 1, as in the template."), sheet=sheet)
            if row != 1 or len(issues.items) > before:
                return [], []
            continue
        reader = _RowReader(cells, index, CRITERIA_COLUMNS, (issues, sheet, row))
        standard_number = reader.get("standard", _number, required=True)
        standard_name = reader.get("standard_name", _text)
        article = reader.get("article", _text)
        description = reader.get("standard_description", _long_text)
        number = reader.get("number", _number, required=True)
        name = reader.get("name", _text, required=True)
        descriptors = {code: reader.get(code, _long_text) for code in DESCRIBED_LEVEL_CODES}
        is_key = reader.get("key", _flag)
        unverified = reader.get("unverified", _flag)
        if number is not None and number in seen:
            issues.add(
                _("Criterion %(number)s appears twice (also on row %(other)s).")
                % {"number": number, "other": seen[number]},
                sheet=sheet,
                row=row,
                column=reader.headers["number"],
            )
            continue
        if not reader.ok or standard_number is None or number is None:
            continue
        seen[number] = row
        standard = standards.get(standard_number)
        if standard is None:
            if not standard_name:
                issues.add(
                    _("The first row of a standard needs its name."),
                    sheet=sheet,
                    row=row,
                    column=reader.headers["standard_name"],
                )
                continue
            standard = standards[standard_number] = {
                "number": standard_number,
                "name": standard_name,
                "criteria": [],
            }
            if article:
                standard["article"] = article
            if description:
                standard["description"] = description
        elif standard_name and standard_name != standard["name"]:
            issues.add(
                _("Standard %(number)s is named differently on an earlier row: “%(name)s”.")
                % {"number": standard_number, "name": standard["name"]},
                sheet=sheet,
                row=row,
                column=reader.headers["standard_name"],
            )
            continue
        criterion: dict[str, Any] = {"number": number, "name": name}
        if any(descriptors.values()):
            criterion["descriptors"] = {k: v for k, v in descriptors.items() if v}
        if unverified:
            criterion["verification"] = "UNVERIFIED"
        standard["criteria"].append(criterion)
        if is_key:
            keys.append(number)
    if index is None:
        issues.add(_("The sheet is empty: it needs the header row and one row per criterion."),
                   sheet=sheet)  # fmt: skip
    return sorted(standards.values(), key=lambda s: s["number"]), sorted(keys)


def _read_rules_sheet(ws: _Sheet, issues: Issues) -> list[dict[str, Any]]:
    sheet = RULES_SHEET
    rules: list[dict[str, Any]] = []
    orders: dict[int, int] = {}
    index: dict[str, int] | None = None
    for row, cells in _rows(ws, issues):
        if index is None:
            before = len(issues.items)
            index = _columns(cells, RULE_COLUMNS, issues, sheet)
            if row != 1:
                issues.add(_("The header row must be row 1, as in the template."), sheet=sheet)
            if row != 1 or len(issues.items) > before:
                return []
            continue
        reader = _RowReader(cells, index, RULE_COLUMNS, (issues, sheet, row))
        rule: dict[str, Any] = {
            "order": reader.get("order", _number, required=True),
            "result": reader.get("result", _level, required=True),
        }
        all_at_least = reader.get("all_at_least", _level)
        if all_at_least:
            rule["all_at_least"] = all_at_least
        pairs = (
            ("min_fraction_at_least", "min_level", "min_fraction", "fraction", _fraction),
            ("key_criteria_at_least", "key_level", "key_criteria", "criteria", _criteria_list),
            ("max_fraction_below", "below_level", "below_fraction", "fraction", _fraction),
        )
        for name, level_key, value_key, field, parse in pairs:
            level = reader.get(level_key, _level)
            value = reader.get(value_key, parse)
            if (reader.raw(level_key) is None) != (reader.raw(value_key) is None):
                issues.add(
                    _("Fill in both «%(level)s» and «%(value)s», or neither.")
                    % {"level": reader.headers[level_key], "value": reader.headers[value_key]},
                    sheet=sheet,
                    row=row,
                )
                reader.ok = False
            elif level and value:
                rule[name] = {"level": level, field: value}
        if rule["order"] is not None and rule["order"] in orders:
            issues.add(
                _("The order %(order)s is used twice (also on row %(other)s).")
                % {"order": rule["order"], "other": orders[rule["order"]]},
                sheet=sheet,
                row=row,
                column=reader.headers["order"],
            )
            continue
        if reader.ok:
            orders[rule["order"]] = row
            rules.append(rule)
    return sorted(rules, key=lambda r: r["order"])
