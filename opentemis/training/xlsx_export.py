"""Writing the Excel form of a BDTX data file (decision 0017): the template to fill in and the
export of a catalogue version. The sheets and headers are those :mod:`opentemis.training.xlsx`
reads («Yêu cầu», «Mô-đun», «Nội dung»), plus a sheet «Hướng dẫn» explaining each column, which
the reader ignores; so an exported workbook uploaded again reads back to the same data (and,
over an unchanged version, changes nothing).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from opentemis.training.files import MODULE_FIELDS, TrainingData
from opentemis.training.models import Catalogue
from opentemis.training.selectors import catalogue_as_data
from opentemis.training.xlsx import (
    CONTENT_COLUMNS,
    CONTENTS,
    MODULE_COLUMNS,
    MODULES,
    REQUIREMENT_COLUMNS,
    REQUIREMENTS,
    note_label,
)

HELP = "Hướng dẫn"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_WRAP = Alignment(wrap_text=True, vertical="top")
# Wide columns for long texts; the rest 14.
_WIDTHS = {
    "title": 40,
    "catalogue_title": 36,
    "contents": 40,
    "outcomes": 40,
    "description": 40,
    "to_verify": 36,
    "catalogue_to_verify": 30,
    "crosswalk": 30,
    "source": 24,
}


def _notes() -> dict[str, dict[str, str]]:
    """What each column holds, per sheet (the «Hướng dẫn» sheet)."""
    return {
        REQUIREMENTS: {
            "titles": _("Teacher title code: gv_mn, gv_th, gv_thcs, gv_thpt, cbql_pt, cbql_mn."),
            "programme": _("Programme: 01 (national), 02 (local) or 03 (self-chosen modules)."),
            "hours": _("Periods (tiết) the title studies in the programme during the year."),
            "rebalanceable": _(
                "«có» if the Sở may move hours between programmes 01 and 02; programme 03 is "
                "fixed (TT 17/2019 §IV)."
            ),
            "source": _("The text that sets the requirement."),
            "to_verify": _("What is not confirmed yet; empty when confirmed."),
            "regulation_version": _(
                "The regulation in force for these requirements: the same text on every row."
            ),
        },
        MODULES: {
            "catalogue": _(
                "Catalogue code (e.g. TT17-GVPT), repeated on each of its modules; the other "
                "catalogue columns are read from its first row."
            ),
            "kind": _("Catalogue kind: tt17_p03, etep_4660 or other."),
            "catalogue_title": _("Catalogue title."),
            "legal_ref": _("Legal basis of the catalogue."),
            "catalogue_regulation_version": _("The regulation the catalogue follows."),
            "catalogue_to_verify": _("What is not confirmed about the catalogue."),
            "code": _("Module code, unique in the catalogue (e.g. GVPT 05)."),
            "title": _("Module title."),
            "audience": _("Audience: GV (teachers) or CBQL (managers)."),
            "levels": _("School level codes, separated by commas (e.g. TH, THCS, THPT)."),
            "hours": _("Periods of the module; empty while unknown."),
            "framework": _(
                "Code of the standards framework whose criteria the module develops (e.g. "
                "TT20_2018_GVPT); required when criteria are given."
            ),
            "criteria": _("Numbers of the criteria developed, separated by commas (e.g. 5, 6)."),
            "contents": _("Contents of the module."),
            "outcomes": _("Expected outcomes."),
            "to_verify": _(
                "What is not confirmed, one line per field: «column: note», the column among "
                "%(columns)s (e.g. «Số tiết: chưa biết»)."
            )
            % {"columns": ", ".join(note_label(field) for field in MODULE_FIELDS)},
            "crosswalk": _(
                "Corresponding modules of other catalogues, one per line: «CATALOGUE/MODULE» "
                "or «CATALOGUE/MODULE: note»."
            ),
        },
        CONTENTS: {
            "programme": _("Programme: 01 (national) or 02 (set by a Sở for its province)."),
            "unit": _("Unit code of the Sở for programme 02; empty for programme 01."),
            "code": _("Content code, unique in the programme (and the province)."),
            "title": _("Title of the content."),
            "titles": _("Teacher title codes it is for, separated by commas; empty: every title."),
            "hours": _("Periods of the content; empty while unknown."),
            "description": _("Description of the content."),
            "to_verify": _("What is not confirmed yet; empty when confirmed."),
        },
    }


def _header(ws: Any, columns: dict[str, str]) -> None:
    for index, (header, field) in enumerate(columns.items(), start=1):
        cell = ws.cell(row=1, column=index, value=header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(field, 14)
    ws.freeze_panes = "A2"


def _append(ws: Any, columns: dict[str, str], values: dict[str, Any]) -> None:
    """A data row: each value under its column's header; text stays text (a value starting
    with "=" is never written as a formula, which the reader refuses)."""
    row = ws.max_row + 1
    for index, field in enumerate(columns.values(), start=1):
        value = values.get(field)
        if value is None or value == "":
            continue
        cell = ws.cell(row=row, column=index, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
            cell.alignment = _WRAP


def _requirement_row(row: dict[str, Any], regulation_version: str) -> dict[str, Any]:
    return {
        "titles": row["title"],
        "programme": row["programme"],
        "hours": row["hours"],
        "rebalanceable": "có" if row["rebalanceable"] else "không",
        "source": row["source"],
        "to_verify": row["to_verify"],
        "regulation_version": regulation_version,
    }


def _module_row(catalogue: dict[str, Any], module: dict[str, Any]) -> dict[str, Any]:
    links = [
        f"{link['target_catalogue']}/{link['target_module']}"
        + (f": {link['to_verify']}" if link["to_verify"] else "")
        for link in module["crosswalk"]
    ]
    return {
        "catalogue": catalogue["code"],
        "kind": catalogue["kind"],
        "catalogue_title": catalogue["title"],
        "legal_ref": catalogue["legal_ref"],
        "catalogue_regulation_version": catalogue["regulation_version"],
        "catalogue_to_verify": catalogue["to_verify"],
        "code": module["code"],
        "title": module["title"],
        "audience": module["audience"],
        "levels": ", ".join(module["levels"]),
        "hours": module["hours"],
        "framework": module["framework"],
        "criteria": ", ".join(str(c) for c in module["criteria"]),
        "contents": module["contents"],
        "outcomes": module["outcomes"],
        "to_verify": "\n".join(
            f"{note_label(field)}: {note}" for field, note in module["to_verify"].items()
        ),
        "crosswalk": "\n".join(links),
    }


def _content_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "titles": ", ".join(row["titles"])}


def training_to_xlsx(data: TrainingData) -> bytes:
    """A workbook in the upload format holding ``data`` (its requirements, catalogues and
    contents; the year's rules are not part of the Excel form)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = REQUIREMENTS
    _header(sheet, REQUIREMENT_COLUMNS)
    for row in data.requirements:
        _append(sheet, REQUIREMENT_COLUMNS, _requirement_row(row, data.regulation_version))
    sheet = workbook.create_sheet(MODULES)
    _header(sheet, MODULE_COLUMNS)
    for catalogue in data.catalogues:
        first = True
        for module in catalogue["modules"]:
            values = _module_row(catalogue, module)
            if not first:  # the catalogue's fields are read from its first row only
                for field in ("catalogue_regulation_version", "catalogue_to_verify"):
                    values.pop(field)
            _append(sheet, MODULE_COLUMNS, values)
            first = False
    sheet = workbook.create_sheet(CONTENTS)
    _header(sheet, CONTENT_COLUMNS)
    for row in data.contents:
        _append(sheet, CONTENT_COLUMNS, _content_row(row))
    _write_help(workbook.create_sheet(HELP))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def catalogue_to_xlsx(catalogue: Catalogue) -> bytes:
    """The export of one catalogue version: its modules in «Mô-đun» (the other sheets empty)."""
    return training_to_xlsx(TrainingData(catalogues=[catalogue_as_data(catalogue)]))


def _example() -> TrainingData:
    """One example row per sheet, valid as it stands."""
    return TrainingData(
        regulation_version="TT 19/2019/TT-BGDĐT",
        requirements=[
            {
                "title": "gv_th",
                "programme": "01",
                "hours": 40,
                "rebalanceable": True,
                "source": "TT 17/2019/TT-BGDĐT §IV",
                "to_verify": "",
            }
        ],
        catalogues=[
            {
                "code": "TT17-GVPT",
                "kind": "tt17_p03",
                "title": "Chương trình bồi dưỡng thường xuyên giáo viên phổ thông: nội dung 03",
                "legal_ref": "TT 17/2019/TT-BGDĐT, mục III",
                "regulation_version": "TT 17/2019/TT-BGDĐT",
                "to_verify": "",
                "modules": [
                    {
                        "code": "GVPT 06",
                        "title": "Kiểm tra, đánh giá theo hướng phát triển phẩm chất, năng lực "
                        "học sinh",
                        "audience": "GV",
                        "levels": ["TH", "THCS", "THPT"],
                        "hours": None,
                        "framework": "TT20_2018_GVPT",
                        "criteria": [6],
                        "contents": "",
                        "outcomes": "",
                        "to_verify": {"hours": "Số tiết của mô-đun chưa biết."},
                        "crosswalk": [
                            {
                                "target_catalogue": "ETEP-4660",
                                "target_module": "GV3",
                                "to_verify": "",
                            }
                        ],
                    }
                ],
            }
        ],
        contents=[
            {
                "programme": "01",
                "unit": "",
                "code": "01-1",
                "title": "Thực hiện nhiệm vụ năm học",
                "titles": [],
                "hours": 40,
                "description": "",
                "to_verify": "",
            }
        ],
    )


def template_xlsx() -> bytes:
    """The template: the headers, one example row per sheet and the «Hướng dẫn» sheet."""
    return training_to_xlsx(_example())


def _write_help(ws: Any) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 90
    ws.append([_("How to fill in this workbook")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            _(
                "One row per requirement, module or content. The file is checked and previewed "
                "before anything is stored; a locked catalogue version never changes: changed "
                "data becomes a new version. This sheet is not read."
            )
        ]
    )
    ws.append([])
    ws.append([_("Sheet"), _("Column"), _("What it holds")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    sheets: Sequence[tuple[str, dict[str, str]]] = (
        (REQUIREMENTS, REQUIREMENT_COLUMNS),
        (MODULES, MODULE_COLUMNS),
        (CONTENTS, CONTENT_COLUMNS),
    )
    notes = _notes()
    for sheet, columns in sheets:
        for header, field in columns.items():
            ws.append([sheet, header, notes[sheet][field]])
            ws.cell(row=ws.max_row, column=3).alignment = _WRAP
