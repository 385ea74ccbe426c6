"""The Excel form of a BDTX data file: two sheets, read through the one safe reader
(:mod:`opentemis.core.imports.reader`) into the same data as the YAML form, with each value's
place (sheet, row, column) so that the check's issues point at the cell.

* «Yêu cầu»: Chức danh | Nội dung | Số tiết | Điều chỉnh | Nguồn | Cần kiểm chứng
* «Mô-đun»: Danh mục | Loại | Tên danh mục | Căn cứ | Mã | Tên | Đối tượng | Cấp học |
  Số tiết | Khung | Tiêu chí | Nội dung | Yêu cầu cần đạt | Cần kiểm chứng | Tương ứng

A module's «Cần kiểm chứng» holds one note per line, "field: note" (hours: ...); «Tương ứng»
the cross-walk targets, "CATALOGUE/MODULE", separated by ";". Lists (levels, criteria) are
separated by commas.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from opentemis.core.imports.reader import (
    Cell,
    DuplicateColumn,
    FileRejected,
    Limits,
    Source,
    cell_text,
    column_letter,
    find_header,
    formula_problem,
    header_key,
    open_workbook,
)

Path = tuple[str | int, ...]
LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_rows=2000, max_columns=30)
REQUIREMENTS = "Yêu cầu"
MODULES = "Mô-đun"
# The columns' headers (as the template writes them) and the fields they hold.
REQUIREMENT_COLUMNS = {
    "Chức danh": "titles",
    "Nội dung": "programme",
    "Số tiết": "hours",
    "Điều chỉnh": "rebalanceable",
    "Nguồn": "source",
    "Cần kiểm chứng": "to_verify",
}
MODULE_COLUMNS = {
    "Danh mục": "catalogue",
    "Loại": "kind",
    "Tên danh mục": "catalogue_title",
    "Căn cứ": "legal_ref",
    "Mã": "code",
    "Tên": "title",
    "Đối tượng": "audience",
    "Cấp học": "levels",
    "Số tiết": "hours",
    "Khung": "framework",
    "Tiêu chí": "criteria",
    "Nội dung": "contents",
    "Yêu cầu cần đạt": "outcomes",
    "Cần kiểm chứng": "to_verify",
    "Tương ứng": "crosswalk",
}
YES = {"x", "co", "có", "true", "1", "yes"}


def raw_from_xlsx(content: bytes) -> tuple[dict[str, Any], dict[Path, dict[str, Any]]]:
    """The file's data as the YAML form gives it, and the place of each value; raises
    :exc:`FileRejected` for a file that is not a readable workbook with the sheets."""
    raw: dict[str, Any] = {}
    places: dict[Path, dict[str, Any]] = {}
    with (
        Source(io.BytesIO(content)) as source,
        open_workbook(source, document=_("catalogue file"), limits=LIMITS) as book,
    ):
        requirements = book.find(REQUIREMENTS)
        modules = book.find(MODULES)
        if requirements is None and modules is None:
            raise FileRejected(
                _("The workbook needs a sheet «%(a)s» or «%(b)s».")
                % {"a": REQUIREMENTS, "b": MODULES}
            )
        if requirements is not None:
            raw["requirements"] = []
            for index, (values, cells) in enumerate(
                _rows(book.rows(requirements), requirements, REQUIREMENT_COLUMNS)
            ):
                path: Path = ("requirements", index)
                _place(places, path, cells, "titles")
                for field, place in cells.items():
                    places[(*path, field)] = place
                raw["requirements"].append(
                    {
                        "titles": [values.get("titles", "")],
                        "programme": values.get("programme", "").zfill(2),
                        "hours": _number(values.get("hours")),
                        "rebalanceable": values.get("rebalanceable", "").lower() in YES,
                        "source": values.get("source", ""),
                        "to_verify": values.get("to_verify", ""),
                    }
                )
        if modules is not None:
            catalogues: dict[str, dict[str, Any]] = {}
            for values, cells in _rows(book.rows(modules), modules, MODULE_COLUMNS):
                code = values.get("catalogue", "")
                if code not in catalogues:
                    catalogues[code] = {
                        "code": code,
                        "kind": values.get("kind", ""),
                        "title": values.get("catalogue_title", ""),
                        "legal_ref": values.get("legal_ref", ""),
                        "modules": [],
                    }
                    at = len(catalogues) - 1
                    _place(places, ("catalogues", at), cells, "catalogue")
                    for field, key in (("code", "catalogue"), ("title", "catalogue_title")):
                        if key in cells:
                            places[("catalogues", at, field)] = cells[key]
                    if "kind" in cells:
                        places[("catalogues", at, "kind")] = cells["kind"]
                catalogue = catalogues[code]
                at = list(catalogues).index(code)
                path = ("catalogues", at, "modules", len(catalogue["modules"]))
                _place(places, path, cells, "code")
                for field, place in cells.items():
                    places[(*path, field)] = place
                catalogue["modules"].append(_module(values))
            raw["catalogues"] = list(catalogues.values())
    return raw, places


def _module(values: dict[str, str]) -> dict[str, Any]:
    notes: dict[str, str] = {}
    for line in values.get("to_verify", "").splitlines():
        field, _sep, note = line.partition(":")
        if field.strip():
            notes[field.strip()] = note.strip()
    return {
        "code": values.get("code", ""),
        "title": values.get("title", ""),
        "audience": values.get("audience", "").upper(),
        "levels": _list(values.get("levels", "")),
        "hours": _number(values.get("hours")),
        "framework": values.get("framework", ""),
        "criteria": [_number(c) for c in _list(values.get("criteria", ""))],
        "contents": values.get("contents", ""),
        "outcomes": values.get("outcomes", ""),
        "to_verify": notes,
        "crosswalk": [{"target": target} for target in _list(values.get("crosswalk", ""), sep=";")],
    }


def _rows(
    rows: Iterator[tuple[int, dict[int, Cell]]], sheet: str, columns: dict[str, str]
) -> Iterator[tuple[dict[str, str], dict[str, dict[str, Any]]]]:
    """(values by field, places by field) of each data row of a sheet."""
    keys = {header_key(header): field for header, field in columns.items()}
    shown = {field: header for header, field in columns.items()}
    try:
        titles = find_header(rows, lambda v: keys.get(header_key(v)), required=[])
    except DuplicateColumn as exc:
        raise FileRejected(
            _("Sheet «%(sheet)s»: the column «%(column)s» appears twice.")
            % {"sheet": sheet, "column": shown.get(exc.key, exc.key)}
        ) from None
    if not titles:
        return
    for number, cells in rows:
        values: dict[str, str] = {}
        places: dict[str, dict[str, Any]] = {}
        for field, column in titles.items():
            cell: Cell | None = cells.get(column)
            if cell is None:
                continue
            letter = column_letter(column)
            place = {"sheet": sheet, "row": number, "column": shown[field], "letter": letter}
            if cell.formula:
                raise FileRejected(
                    _("Sheet «%(sheet)s»: %(problem)s")
                    % {"sheet": sheet, "problem": formula_problem(f"{letter}{number}")}
                )
            values[field] = cell_text(cell.value).strip()
            places[field] = {**place, "value": values[field]}
        if any(values.values()):
            yield values, places


def _place(
    places: dict[Path, dict[str, Any]], path: Path, cells: dict[str, Any], field: str
) -> None:
    place = cells.get(field) or next(iter(cells.values()), None)
    if place is not None:
        places[path] = {k: v for k, v in place.items() if k != "column" and k != "letter"}


def _list(text: str, sep: str = ",") -> list[str]:
    return [part.strip() for part in text.split(sep) if part.strip()]


def _number(text: str | None) -> Any:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text
