"""The Excel form written (decision 0017): the template and the export of a catalogue version
read back, through the one reader of uploads, to the data they were written from."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.training import services
from opentemis.training.files import TrainingData, read_training_file
from opentemis.training.importer import training_file_import
from opentemis.training.models import Catalogue, Module, ProgrammeContent, Requirement
from opentemis.training.selectors import catalogue_as_data
from opentemis.training.xlsx import CONTENTS, MODULES, REQUIREMENTS
from opentemis.training.xlsx_export import (
    HELP,
    catalogue_to_xlsx,
    template_xlsx,
    training_to_xlsx,
)
from tests.factories import make_user

SHIPPED = services.BUILTIN_FILE.read_bytes()


@pytest.fixture
def admin(db: Any) -> Any:
    return make_user("root", superuser=True)


@pytest.fixture
def loaded(world: Any) -> Any:
    services.load_builtin_catalogues(school_year=world.year)
    return world


def _read(content: bytes) -> tuple[TrainingData, list[Any]]:
    return read_training_file(content, levels=services.level_codes())


def _sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_the_shipped_data_exported_reads_back_the_same(world: Any) -> None:
    shipped, issues = _read(SHIPPED)
    assert issues == []
    again, issues = _read(training_to_xlsx(shipped))
    assert issues == [], [i.message for i in issues]
    assert again.requirements == shipped.requirements
    assert again.catalogues == shipped.catalogues
    assert again.regulation_version == shipped.regulation_version
    # The cross-walk notes and the catalogue's own notes survive (they are in the hash).
    # Notes name their field by its column, in Vietnamese.
    modules = _sheets(training_to_xlsx(shipped))[MODULES]
    notes = modules[1][modules[0].index("Cần kiểm chứng")]
    assert notes.splitlines()[1] == "Số tiết: Số tiết của mô-đun chưa biết."
    etep = next(c for c in again.catalogues if c["code"] == "ETEP-4660")
    assert etep["to_verify"] and etep["regulation_version"]
    assert etep["modules"][1]["crosswalk"][0]["to_verify"].startswith("Đối chiếu")


def test_contents_round_trip_through_the_contents_sheet(world: Any) -> None:
    data = TrainingData(
        contents=[
            {
                "programme": "01",
                "unit": "",
                "code": "BO-1",
                "title": "Nhiệm vụ năm học",
                "titles": [],
                "hours": 40,
                "description": "Theo hướng dẫn của Bộ",
                "to_verify": "",
            },
            {
                "programme": "02",
                "unit": "SA",
                "code": "SA-1",
                "title": "Giáo dục địa phương",
                "titles": ["gv_th", "gv_thcs"],
                "hours": None,
                "description": "",
                "to_verify": "Số tiết chưa biết.",
            },
        ]
    )
    again, issues = _read(training_to_xlsx(data))
    assert issues == [] and again.contents == data.contents


def _contents_book(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Nội dung"
    sheet.append(["Chương trình", "Sở", "Mã", "Tên", "Chức danh", "Số tiết", "Mô tả"])
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_the_contents_sheet_is_checked_like_the_yaml_with_cells_named(world: Any) -> None:
    content = _contents_book(
        [
            ["01", "SA", "X-1", "Quốc gia có Sở", "", None, ""],
            ["02", "", "X-2", "Địa phương không Sở", "", None, ""],
            ["01", "", "X-3", "Chức danh lạ", "giao_vien", None, ""],
            ["01", "", "X-4", "Số tiết sai", "", "nhiều", ""],
            ["03", "", "X-5", "Chương trình 03", "", None, ""],
            [1, "", "X-6", "Đúng", "gv_th", 20, "Mô tả"],
        ]
    )
    data, issues = _read(content)
    places = sorted((i.sheet, i.row, i.column) for i in issues)
    assert places == [
        ("Nội dung", 2, "Sở"),
        ("Nội dung", 3, "Sở"),
        ("Nội dung", 4, "Chức danh"),
        ("Nội dung", 5, "Số tiết"),
        ("Nội dung", 6, "Chương trình"),
    ], [i.message for i in issues]
    assert [c["code"] for c in data.contents] == ["X-4", "X-6"]
    assert data.contents[1]["programme"] == "01" and data.contents[1]["titles"] == ["gv_th"]


def test_contents_from_excel_load_like_the_yaml(world: Any, admin: Any) -> None:
    content = _contents_book([["02", "SA", "SA-9", "Lịch sử địa phương", "gv_th", 10, ""]])
    with system_scope():  # the provinces are found by code, as a superuser's request does
        result = training_file_import(
            actor=admin, school_year=world.year, file=content, dry_run=False
        )
        assert result.errors == [] and result.written
        row = ProgrammeContent.objects.get(code="SA-9")
    assert (row.unit, row.titles, row.hours) == (world.province_a, ["gv_th"], 10)


def test_the_template_has_the_headers_an_example_and_notes(world: Any) -> None:
    content = template_xlsx()
    sheets = _sheets(content)
    assert list(sheets) == [REQUIREMENTS, MODULES, CONTENTS, HELP]
    assert sheets[MODULES][0][:5] == (
        "Danh mục",
        "Loại",
        "Tên danh mục",
        "Căn cứ",
        "Phiên bản quy định",
    )
    assert sheets[CONTENTS][0][:2] == ("Chương trình", "Sở")
    for name in (REQUIREMENTS, MODULES, CONTENTS):
        assert len(sheets[name]) == 2, name  # the headers and one example
    help_rows = sheets[HELP]
    noted = {(row[0], row[1]) for row in help_rows if row[0] and row[1] and row[2]}
    for name in (REQUIREMENTS, MODULES, CONTENTS):
        assert all((name, header) in noted for header in sheets[name][0]), name
    # The notes are in Vietnamese (the interface language by default).
    assert any("Chương trình" in str(row[2]) for row in help_rows if row[0] == CONTENTS)
    data, issues = _read(content)
    assert issues == [], [i.message for i in issues]
    assert len(data.requirements) == len(data.catalogues) == len(data.contents) == 1


def test_the_export_of_a_locked_version_uploaded_again_changes_nothing(
    loaded: Any, admin: Any
) -> None:
    catalogue = Catalogue.objects.get(school_year=loaded.year, code="ETEP-4660")
    catalogue = services.catalogue_lock(actor=admin, catalogue=catalogue)
    content = catalogue_to_xlsx(catalogue)
    assert _read(content)[0].catalogues == [catalogue_as_data(catalogue)]
    result = training_file_import(actor=admin, school_year=loaded.year, file=content, dry_run=True)
    assert result.errors == [] and not result.to_save
    assert [p.outcome for p in result.previews] == [services.Outcome.UNCHANGED]
    result = training_file_import(actor=admin, school_year=loaded.year, file=content, dry_run=False)
    assert not result.written
    assert Catalogue.objects.filter(code="ETEP-4660").count() == 1


def test_a_changed_export_over_a_locked_version_makes_a_new_version(
    loaded: Any, admin: Any
) -> None:
    catalogue = services.catalogue_lock(
        actor=admin, catalogue=Catalogue.objects.get(school_year=loaded.year, code="TT17-GVPT")
    )
    book = openpyxl.load_workbook(io.BytesIO(catalogue_to_xlsx(catalogue)))
    sheet = book[MODULES]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("Số tiết") + 1, value=15)
    stream = io.BytesIO()
    book.save(stream)
    result = training_file_import(
        actor=admin, school_year=loaded.year, file=stream.getvalue(), dry_run=False
    )
    assert result.written and result.errors == []
    new = Catalogue.objects.get(school_year=loaded.year, code="TT17-GVPT", version=2)
    assert new.modules.get(code="GVPT 01").hours == 15
    assert Module.objects.get(catalogue=catalogue, code="GVPT 01").hours is None


def test_an_edited_draft_exported_and_uploaded_again_changes_nothing(
    loaded: Any, admin: Any
) -> None:
    catalogue = Catalogue.objects.get(school_year=loaded.year, code="TT17-GVPT")
    module = catalogue.modules.get(code="GVPT 06")
    services.module_update(actor=admin, module=module, fields={"hours": 12})
    catalogue.refresh_from_db()
    result = training_file_import(
        actor=admin, school_year=loaded.year, file=catalogue_to_xlsx(catalogue), dry_run=True
    )
    assert [p.outcome for p in result.previews] == [services.Outcome.UNCHANGED]
    # ... and the shipped file (hours unknown) is a change again.
    result = training_file_import(actor=admin, school_year=loaded.year, file=SHIPPED, dry_run=True)
    outcomes = {p.code: p.outcome for p in result.previews}
    assert outcomes["TT17-GVPT"] == services.Outcome.REPLACED


def test_requirements_exported_from_the_year_read_back(loaded: Any, admin: Any) -> None:
    from_db = [
        {
            k: getattr(r, k)
            for k in ("title", "programme", "hours", "rebalanceable", "source", "to_verify")
        }
        for r in Requirement.objects.filter(school_year=loaded.year).order_by("title", "programme")
    ]
    data, issues = _read(training_to_xlsx(TrainingData(requirements=from_db)))
    assert issues == [] and data.requirements == from_db


def test_a_text_like_a_formula_stays_text(world: Any) -> None:
    shipped, _issues = _read(SHIPPED)
    shipped.catalogues[0]["modules"][0]["contents"] = "=1+1 không phải công thức"
    again, issues = _read(training_to_xlsx(shipped))
    assert issues == [] and again.catalogues[0]["modules"][0]["contents"].startswith("=1+1")


def test_template_and_export_pages(loaded: Any, admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    upload = client.get(reverse("training_upload"))
    assert reverse("training_template") in upload.content.decode()
    response = client.get(reverse("training_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mau-danh-muc-bdtx.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    catalogue = Catalogue.objects.get(school_year=loaded.year, code="TT17-GVPT")
    detail = client.get(reverse("training_catalogue", args=[catalogue.pk]))
    assert reverse("training_catalogue_export", args=[catalogue.pk]) in detail.content.decode()
    response = client.get(reverse("training_catalogue_export", args=[catalogue.pk]))
    assert response.status_code == 200
    name = f"danh-muc-tt17-gvpt-v1-{loaded.year.code}.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    data, issues = _read(response.content)
    assert issues == [] and data.catalogues == [catalogue_as_data(catalogue)]
    # The page to upload it again takes it as it is.
    check = client.post(
        reverse("training_upload"),
        {"year": loaded.year.code, "file": SimpleUploadedFile(name, response.content)},
    )
    assert check.status_code == 200 and "không thay đổi" in check.content.decode()
    assert 'name="token"' not in check.content.decode()  # nothing to confirm


def test_template_and_export_are_for_superusers_only(loaded: Any) -> None:
    catalogue = Catalogue.objects.get(school_year=loaded.year, code="TT17-GVPT")
    client = Client()
    client.force_login(loaded.officer_a)
    assert client.get(reverse("training_template")).status_code == 404
    export = client.get(reverse("training_catalogue_export", args=[catalogue.pk]))
    assert export.status_code == 404


def test_an_unknown_province_is_placed_at_its_cell(world: Any, admin: Any) -> None:
    content = _contents_book([["02", "SA-TH1", "X-1", "Không phải Sở", "", None, ""]])
    with system_scope():
        result = training_file_import(
            actor=admin, school_year=world.year, file=content, dry_run=True
        )
    located = [(i.sheet, i.row, i.column, i.cell) for i in result.errors if i.sheet]
    assert located == [("Nội dung", 2, "Sở", "B2")]
    assert "SA-TH1" in result.errors[0].message and not result.to_save
