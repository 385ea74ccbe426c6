"""Reading the uploaded workbook: the one safe reader's container checks, then each sheet.

The upload goes through :mod:`opentemis.core.imports.reader`: the container is checked before
any XML is parsed (size, magic bytes, zip structure, declared sizes and ratios, encryption),
then each sheet is streamed by :meth:`~opentemis.core.imports.reader.Workbook.rows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.core.imports.issues import Issues
from opentemis.core.imports.reader import (
    Cell,
    DuplicateColumn,
    FileRejected,
    Source,
    cell_text,
    column_letter,
    find_header,
    formula_problem,
    open_workbook,
)
from opentemis.core.text import fold
from opentemis.evaluations.paper.sheets import (
    CODE_HEADER,
    HEADER_SEARCH_ROWS,
    HELP_SHEET,
    MAX_CELL_CHARS,
    MAX_DATA_ROWS,
    NAME_HEADER,
    OVERALL_HEADER,
    PaperSheet,
    criterion_header,
    header_key,
)

# Translators: what the paper import expects, named in the messages about a file that cannot
# be read ("Choose the filled-in paper evaluation form (.xlsx) and upload it again.").
PAPER_FORM = gettext_lazy("paper evaluation form")

#: What a column holds: "code", "name", "overall" or a criterion number (``sheets.header_key``).
ColumnKey = str | int


@dataclass
class _RawRow:
    """A non-empty data row as read: cell texts by role, before any lookup."""

    sheet: PaperSheet
    number: int
    code: str
    name: str
    levels: dict[int, str]  # criterion -> text ("" when the cell is empty)
    overall: str
    formulas: set[ColumnKey] = field(default_factory=set)  # keys of cells already reported

    @property
    def bad(self) -> bool:
        return bool(self.formulas)

    @property
    def has_results(self) -> bool:
        return bool(self.overall) or any(self.levels.values())


def _read_workbook(source: Source, sheets: list[PaperSheet], issues: Issues) -> list[_RawRow]:
    """Check the upload, then stream every sheet of the workbook; rows of the template's data
    sheets are returned."""
    known = {fold(s.name): s for s in sheets}
    names = ", ".join(f"«{s.name}»" for s in sheets)
    rows: list[_RawRow] = []
    seen = 0
    with open_workbook(source, document=PAPER_FORM) as workbook:
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
    sheet: PaperSheet, cells: Iterator[tuple[int, dict[int, Cell]]], issues: Issues
) -> list[_RawRow]:
    columns = _find_header(sheet, cells, issues)
    if columns is None:
        return []
    rows: list[_RawRow] = []
    headers = {index: _column_name(key) for key, index in columns.items()}
    issues.columns_at(
        {header: column_letter(index) for index, header in headers.items()}, sheet=sheet.name
    )
    for number, row_cells in cells:
        values: dict[ColumnKey, str] = {}
        formulas: set[ColumnKey] = set()
        for key, index in columns.items():
            cell = row_cells.get(index)
            if cell is None:
                continue
            if cell.formula:
                issues.add(
                    formula_problem(f"{column_letter(index)}{number}"),
                    sheet=sheet.name,
                    row=number,
                    column=headers[index],
                    value=cell.value,
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


def _column_name(key: ColumnKey) -> str:
    if isinstance(key, int):
        return criterion_header(key)
    return {"code": CODE_HEADER, "name": NAME_HEADER, "overall": OVERALL_HEADER}[key]


def _find_header(
    sheet: PaperSheet, cells: Iterator[tuple[int, dict[int, Cell]]], issues: Issues
) -> dict[ColumnKey, int] | None:
    """{"code"|"name"|"overall"|criterion: column number} from the header row, or None after
    reporting why the sheet cannot be read."""
    try:
        columns = find_header(cells, header_key, required=("code",), search_rows=HEADER_SEARCH_ROWS)
    except DuplicateColumn as exc:
        issues.add(
            _("the column appears twice in the header row; keep only one."),
            sheet=sheet.name,
            column=_column_name(exc.key),
        )
        return None
    if columns is None:
        issues.add(
            _(
                "no header row with the column «%(column)s» was found in the first %(n)s rows; "
                "download the template again and copy the results into it."
            )
            % {"column": CODE_HEADER, "n": HEADER_SEARCH_ROWS},
            sheet=sheet.name,
        )
        return None
    for key, index in sorted(columns.items(), key=lambda item: item[1]):
        if isinstance(key, int) and key not in sheet.criteria:
            issues.add(
                _("this standard has no criterion %(n)s; delete the column.") % {"n": key},
                sheet=sheet.name,
                column=_column_name(key),
                letter=column_letter(index),
            )
            return None
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
