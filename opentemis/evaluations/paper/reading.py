"""Reading the uploaded workbook: the staff reader's container checks, then each sheet streamed.

The upload goes through the staff import's hardened reader (``opentemis.staff.excel.reader``):
the container is checked before any XML is parsed (size, magic bytes, zip structure, declared
sizes and ratios, encryption), then each sheet is streamed by its ``_sheet_rows``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet

from opentemis.core.text import fold
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
from opentemis.staff.excel.reader import (
    _check_container,
    _damaged_message,
    _not_xlsx_message,
    _sheet_rows,
    _Source,
)
from opentemis.staff.excel.results import _FileRejected

logger = logging.getLogger(__name__)


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


def _check_file(source: _Source) -> None:
    """The staff import's container checks, with the two commonest refusals reworded: they
    name the staff list, and this file is the paper results."""
    try:
        _check_container(source)
    except _FileRejected as exc:
        if exc.problem == _not_xlsx_message():
            raise _FileRejected(
                _(
                    "The file is not an Excel workbook (.xlsx), whatever its name says: it may "
                    "be a PDF, a Word or CSV file, or a renamed file. Download the template on "
                    "this page, copy the results into it and upload that file."
                )
            ) from None
        if source.size() == 0:
            raise _FileRejected(
                _("The file is empty. Choose the filled-in template (.xlsx) and upload it again.")
            ) from None
        raise


def _read_workbook(source: _Source, sheets: list[PaperSheet], issues: _Issues) -> list[_RawRow]:
    """Stream every sheet of the workbook; rows of the template's data sheets are returned.

    The workbook parts are read by openpyxl (defusedxml), each sheet streamed by the staff
    reader's ``_sheet_rows``, as in ``opentemis.staff.excel.reader._read_rows``.
    """
    try:
        reader = ExcelReader(source.stream, read_only=True, data_only=False, keep_links=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
    except Exception:  # openpyxl raises many kinds on hostile input; all mean "unreadable"
        logger.info("Unreadable paper workbook uploaded", exc_info=True)
        raise _FileRejected(_damaged_message()) from None
    known = {fold(s.name): s for s in sheets}
    names = ", ".join(f"«{s.name}»" for s in sheets)
    rows: list[_RawRow] = []
    seen = 0
    try:
        members = set(reader.archive.namelist())
        for meta, rel in reader.parser.find_sheets():
            if rel.target not in members or "chartsheet" in rel.Type:
                continue
            if fold(meta.name) == fold(HELP_SHEET):
                continue
            with reader.archive.open(rel.target) as xml:
                cells = _sheet_rows(
                    xml, reader.shared_strings, reader.wb._date_formats, reader.wb.epoch
                )
                sheet = known.get(fold(meta.name))
                if sheet is None:
                    if next(cells, None) is not None:
                        issues.add(
                            _(
                                "this sheet is not one of the template's sheets (%(sheets)s), "
                                "so it was not read; move its rows to the sheet of their "
                                "standard, or delete it."
                            )
                            % {"sheets": names},
                            sheet=meta.name,
                        )
                    continue
                seen += 1
                rows.extend(_read_sheet(sheet, cells, issues))
    except (_FileRejected, _TooManyErrors):
        raise
    except Exception:
        logger.info("Paper workbook failed while streaming", exc_info=True)
        raise _FileRejected(_damaged_message()) from None
    finally:
        reader.archive.close()
    if not seen:
        raise _FileRejected(
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
            raise _FileRejected(
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
