"""The Excel form of a BDTX data file: three sheets, read through the one safe reader
(:mod:`opentemis.core.imports.reader`) into the same data as the YAML form, with each value's
place (sheet, row, column) so that the check's issues point at the cell. The writer
(:mod:`opentemis.training.xlsx_export`: the template and the export of a version) writes the
same sheets and headers, so an exported workbook reads back to the same data.

* «Yêu cầu»: Chức danh | Nội dung | Số tiết | Điều chỉnh | Nguồn | Cần kiểm chứng |
  Phiên bản quy định (the file's ``regulation_version``: the same on every row)
* «Mô-đun»: Danh mục | Loại | Tên danh mục | Căn cứ | Phiên bản quy định | Ghi chú danh mục |
  Mã | Tên | Đối tượng | Cấp học | Số tiết | Khung | Tiêu chí | Nội dung | Yêu cầu cần đạt |
  Cần kiểm chứng | Tương ứng (the catalogue's columns are read from its first row)
* «Nội dung» (the programme 01 and 02 contents): Chương trình | Sở | Mã | Tên | Chức danh |
  Số tiết | Mô tả | Cần kiểm chứng

A module's «Cần kiểm chứng» holds one note per line, "field: note", the field named by its
column or its key («Số tiết: ...» or «hours: ...»); «Tương ứng»
one cross-walk target per line, "CATALOGUE/MODULE" optionally followed by ": note" (targets
without notes may also be separated by ";"). Lists (levels, criteria, titles) are separated by
commas.
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
from opentemis.core.text import nfc

Path = tuple[str | int, ...]
LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_rows=2000, max_columns=30)
REQUIREMENTS = "Yêu cầu"
MODULES = "Mô-đun"
CONTENTS = "Nội dung"
# The columns' headers (as the template writes them) and the fields they hold.
REQUIREMENT_COLUMNS = {
    "Chức danh": "titles",
    "Nội dung": "programme",
    "Số tiết": "hours",
    "Điều chỉnh": "rebalanceable",
    "Nguồn": "source",
    "Cần kiểm chứng": "to_verify",
    "Phiên bản quy định": "regulation_version",
}
MODULE_COLUMNS = {
    "Danh mục": "catalogue",
    "Loại": "kind",
    "Tên danh mục": "catalogue_title",
    "Căn cứ": "legal_ref",
    "Phiên bản quy định": "catalogue_regulation_version",
    "Ghi chú danh mục": "catalogue_to_verify",
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
CONTENT_COLUMNS = {
    "Chương trình": "programme",
    "Sở": "unit",
    "Mã": "code",
    "Tên": "title",
    "Chức danh": "titles",
    "Số tiết": "hours",
    "Mô tả": "description",
    "Cần kiểm chứng": "to_verify",
}
YES = {"x", "co", "có", "true", "1", "yes"}
# A catalogue's fields and the columns of its first module row that place them.
CATALOGUE_PLACES = (
    ("code", "catalogue"),
    ("title", "catalogue_title"),
    ("kind", "kind"),
    ("legal_ref", "legal_ref"),
    ("regulation_version", "catalogue_regulation_version"),
    ("to_verify", "catalogue_to_verify"),
)


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
        contents = book.find(CONTENTS)
        if requirements is None and modules is None and contents is None:
            raise FileRejected(
                _("The workbook needs a sheet «%(a)s», «%(b)s» or «%(c)s».")
                % {"a": REQUIREMENTS, "b": MODULES, "c": CONTENTS}
            )
        if requirements is not None:
            raw["requirements"] = []
            versions: set[str] = set()
            for index, (values, cells) in enumerate(
                _rows(book.rows(requirements), requirements, REQUIREMENT_COLUMNS)
            ):
                path: Path = ("requirements", index)
                if values.get("regulation_version"):
                    versions.add(values["regulation_version"])
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
            if len(versions) > 1:
                raise FileRejected(
                    _(
                        "Sheet «%(sheet)s»: the column «%(column)s» must hold the same text on "
                        "every row."
                    )
                    % {"sheet": requirements, "column": "Phiên bản quy định"}
                )
            if versions:
                raw["regulation_version"] = versions.pop()
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
                        "regulation_version": values.get("catalogue_regulation_version", ""),
                        "to_verify": values.get("catalogue_to_verify", ""),
                        "modules": [],
                    }
                    at = len(catalogues) - 1
                    _place(places, ("catalogues", at), cells, "catalogue")
                    for field, key in CATALOGUE_PLACES:
                        if key in cells:
                            places[("catalogues", at, field)] = cells[key]
                catalogue = catalogues[code]
                at = list(catalogues).index(code)
                path = ("catalogues", at, "modules", len(catalogue["modules"]))
                _place(places, path, cells, "code")
                for field, place in cells.items():
                    places[(*path, field)] = place
                catalogue["modules"].append(_module(values))
            raw["catalogues"] = list(catalogues.values())
        if contents is not None:
            raw["contents"] = []
            for index, (values, cells) in enumerate(
                _rows(book.rows(contents), contents, CONTENT_COLUMNS)
            ):
                path = ("contents", index)
                _place(places, path, cells, "code")
                for field, place in cells.items():
                    places[(*path, field)] = place
                raw["contents"].append(
                    {
                        "programme": values.get("programme", "").zfill(2),
                        "unit": values.get("unit", ""),
                        "code": values.get("code", ""),
                        "title": values.get("title", ""),
                        "titles": _list(values.get("titles", "")),
                        "hours": _number(values.get("hours")),
                        "description": values.get("description", ""),
                        "to_verify": values.get("to_verify", ""),
                    }
                )
    return raw, places


def note_field(name: str) -> str:
    """The module field a note is about, named by its column («Số tiết») or its key (hours);
    an unknown name is returned as written, for the check to refuse."""
    key = header_key(name)
    for header, field in MODULE_COLUMNS.items():
        if header_key(header) == key:
            return field
    return name.strip()


def note_label(field: str) -> str:
    """The column a module field is written in («Số tiết» for hours): how notes name it."""
    return next((header for header, name in MODULE_COLUMNS.items() if name == field), field)


def _module(values: dict[str, str]) -> dict[str, Any]:
    notes: dict[str, str] = {}
    for line in values.get("to_verify", "").splitlines():
        field, _sep, note = line.partition(":")
        if field.strip():
            notes[note_field(field)] = note.strip()
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
        "crosswalk": _links(values.get("crosswalk", "")),
    }


def _links(text: str) -> list[dict[str, str]]:
    """The cross-walk of a «Tương ứng» cell: a target per line, "CATALOGUE/MODULE: note", or
    targets without notes separated by ";"."""
    links: list[dict[str, str]] = []
    for line in text.splitlines():
        target, colon, note = line.partition(":")
        if colon:
            links.append({"target": target.strip(), "to_verify": note.strip()})
        else:
            links.extend({"target": part} for part in _list(line, sep=";"))
    return links


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
            letter = column_letter(column)
            place = {"sheet": sheet, "row": number, "column": shown[field], "letter": letter}
            if cell is None:  # an empty cell: its place still names it (a required value)
                places[field] = {**place, "value": ""}
                continue
            if cell.formula:
                raise FileRejected(
                    _("Sheet «%(sheet)s»: %(problem)s")
                    % {"sheet": sheet, "problem": formula_problem(f"{letter}{number}")}
                )
            values[field] = _text(cell.value)
            places[field] = {**place, "value": values[field]}
        if any(values.values()):
            yield values, places


def _text(value: Any) -> str:
    """A cell as text, like :func:`cell_text` but keeping its line breaks: a module's notes
    and cross-walk are one per line, and contents and outcomes keep their paragraphs."""
    if not isinstance(value, str):
        return cell_text(value)
    return "\n".join(nfc(line) for line in value.splitlines()).strip("\n")


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
