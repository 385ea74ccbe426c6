"""Reading the uploaded workbook: the shared safe reader's container checks, then each sheet.

The upload goes through :mod:`opentemis.core.xlsx_reader`: the container is checked before any
XML is parsed (size, magic bytes, zip structure, declared sizes and ratios, encryption), then
each sheet is streamed by :meth:`~opentemis.core.xlsx_reader.Workbook.rows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.core.text import fold
from opentemis.core.xlsx_reader import FileRejected, Source, open_workbook
from opentemis.evaluations.paper.results import _Issues, _TooManyErrors
from opentemis.evaluations.paper.sheets import (
    CODE_HEADER,
    HEADER_SEARCH_ROWS,
    HELP_SHEET,
    MAX_CELL_CHARS,
    MAX_DATA_ROWS,
    NAME_HEADER,
    OVERALL_HEADER,
    PaperSheet,
    cell_text,
    criterion_header,
    header_key,
)

# Translators: what the paper import expects, named in the messages about a file that cannot
# be read ("Choose the filled-in paper evaluation form (.xlsx) and upload it again.").
PAPER_FORM = gettext_lazy("paper evaluation form")


@dataclass
class _RawRow:
    """A non-empty data row as read: cell texts by role, before any lookup."""

    sheet: PaperSheet
    number: int
    code: str
    name: str
    levels: dict[int, str]  # criterion -> text ("" when the cell is empty)
    overall: str
    formulas: set[Any] = field(default_factory=set)  # keys of cells already reported

    @property
    def bad(self) -> bool:
        return bool(self.formulas)

    @property
    def has_results(self) -> bool:
        return bool(self.overall) or any(self.levels.values())


def _read_workbook(source: Source, sheets: list[PaperSheet], issues: _Issues) -> list[_RawRow]:
    """Stream every sheet of the workbook; rows of the template's data sheets are returned.

    ``source`` must have passed :func:`opentemis.core.xlsx_reader.check_container`.
    """
    known = {fold(s.name): s for s in sheets}
    names = ", ".join(f"«{s.name}»" for s in sheets)
    rows: list[_RawRow] = []
    seen = 0
    with open_workbook(source, reraise=(_TooManyErrors,)) as workbook:
        for name in workbook.sheet_names:
            if fold(name) == fold(HELP_SHEET):
                continue
            cells = workbook.rows(name)
            sheet = known.get(fold(name))
            if sheet is None:
                if next(cells, None) is not None:
                    issues.add(
                        _(
                            "this sheet is not one of the template's sheets (%(sheets)s), "
                            "so it was not read; move its rows to the sheet of their "
                            "standard, or delete it."
                        )
                        % {"sheets": names},
                        sheet=name,
                    )
                continue
            seen += 1
            rows.extend(_read_sheet(sheet, cells, issues))
    if not seen:
        raise FileRejected(
            _(
                "The workbook has none of the template's sheets (%(sheets)s). Download the "
                "template for this school and copy the results into it."
            )
            % {"sheets": names or "—"}
        )
    return rows


def _read_sheet(
    sheet: PaperSheet, cells: Iterator[tuple[int, dict[int, Any]]], issues: _Issues
) -> list[_RawRow]:
    columns = _find_header(sheet, cells, issues)
    if columns is None:
        return []
    rows: list[_RawRow] = []
    headers = {index: _column_name(key) for key, index in columns.items()}
    for number, row_cells in cells:
        values: dict[Any, str] = {}
        formulas: set[Any] = set()
        for key, index in columns.items():
            cell = row_cells.get(index)
            if cell is None:
                continue
            if cell.formula:
                issues.add(
                    _("the cell contains a formula; type the value itself."),
                    sheet=sheet.name,
                    row=number,
                    column=headers[index],
                )
                formulas.add(key)
                continue
            values[key] = cell_text(cell.value)[:MAX_CELL_CHARS]
        if not any(values.values()) and not formulas:
            continue
        if len(rows) >= MAX_DATA_ROWS:
            raise FileRejected(
                _(
                    "The sheet «%(sheet)s» has more than %(limit)s rows: this is not the "
                    "results of one school. Upload one school's file at a time."
                )
                % {"sheet": sheet.name, "limit": MAX_DATA_ROWS}
            )
        rows.append(
            _RawRow(
                sheet=sheet,
                number=number,
                code=values.get("code", ""),
                name=values.get("name", ""),
                levels={n: values.get(n, "") for n in sheet.criteria},
                overall=values.get("overall", ""),
                formulas=formulas,
            )
        )
    return rows


def _column_name(key: Any) -> str:
    if isinstance(key, int):
        return criterion_header(key)
    return {"code": CODE_HEADER, "name": NAME_HEADER, "overall": OVERALL_HEADER}[key]


def _find_header(
    sheet: PaperSheet, cells: Iterator[tuple[int, dict[int, Any]]], issues: _Issues
) -> dict[Any, int] | None:
    """{"code"|"name"|"overall"|criterion: column number} from the header row, or None after
    reporting why the sheet cannot be read."""
    for _i, (_number, row_cells) in zip(range(HEADER_SEARCH_ROWS), cells, strict=False):
        keys = {index: header_key(cell.value) for index, cell in row_cells.items()}
        if "code" not in keys.values():
            continue
        columns: dict[Any, int] = {}
        for index, key in sorted(keys.items()):
            if key is None:
                continue
            if key in columns:
                issues.add(
                    _("the column appears twice in the header row; keep only one."),
                    sheet=sheet.name,
                    column=_column_name(key),
                )
                return None
            if isinstance(key, int) and key not in sheet.criteria:
                issues.add(
                    _("this standard has no criterion %(n)s; delete the column.") % {"n": key},
                    sheet=sheet.name,
                    column=_column_name(key),
                )
                return None
            columns[key] = index
        missing = [criterion_header(n) for n in sheet.criteria if n not in columns]
        if missing:
            issues.add(
                _(
                    "the columns %(columns)s are missing, so the sheet cannot be read; "
                    "download the template again and copy the results into it."
                )
                % {"columns": ", ".join(f"«{m}»" for m in missing)},
                sheet=sheet.name,
            )
            return None
        return columns
    issues.add(
        _(
            "no header row with the column «%(column)s» was found in the first %(n)s rows; "
            "download the template again and copy the results into it."
        )
        % {"column": CODE_HEADER, "n": HEADER_SEARCH_ROWS},
        sheet=sheet.name,
    )
    return None
