"""Hostile and broken uploads: each gets a clear message and changes nothing."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from opentemis.core.scoping import system_scope
from opentemis.staff import excel
from opentemis.staff.models import Person
from opentemis.staff.tests.test_excel import book, mai, row


def run(world: Any, data: Any) -> Any:
    with translation.override("en"):
        return excel.staff_import(actor=world.officer_a, unit=world.province_a, file=data)


def only_file_error(world: Any, data: Any) -> str:
    """Import ``data``; assert it was refused as a whole, changed nothing; return the message."""
    with system_scope():
        before = Person.objects.count()
    result = run(world, data)
    assert not result.ok and not result.written
    assert len(result.errors) == 1 and result.errors[0].row is None, result.errors
    with system_scope():
        assert Person.objects.count() == before
    with translation.override("en"):
        return result.errors[0].message


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Copy an .xlsx, replacing some members' content."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_empty_file(world):
    message = only_file_error(world, b"")
    assert "The file is empty. Choose the filled-in staff list (.xlsx)" in message


def test_truncated_upload(world):
    data = book([mai()])
    assert "damaged or was not uploaded completely" in only_file_error(
        world, data[: len(data) // 2]
    )


def test_password_protected_workbook(world):
    # An encrypted OOXML package is an OLE compound file with an EncryptedPackage stream.
    cfb = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
    cfb += "EncryptionInfo".encode("utf-16-le") + b"\0" * 50
    cfb += "EncryptedPackage".encode("utf-16-le") + b"\0" * 2000
    assert "protected by a password" in only_file_error(world, cfb)


def test_legacy_xls_workbook(world):
    cfb = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "Workbook".encode("utf-16-le")
    assert "Excel 97-2003 format (.xls)" in only_file_error(world, cfb + b"\0" * 1000)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "Mã cán bộ,Họ và tên\nN001,Lê Thị Mai\n".encode(),
        b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
    ],
    ids=["pdf", "csv", "png"],
)
def test_renamed_files_are_recognised_by_content(world, content, tmp_path):
    path = tmp_path / "danh-sach.xlsx"  # the name says xlsx, the content does not
    path.write_bytes(content)
    assert "not an Excel workbook (.xlsx)" in only_file_error(world, path)


def test_zip_that_is_not_a_workbook(world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "not an Excel workbook (.xlsx)" in only_file_error(world, out.getvalue())


def test_formula_cells_are_refused_with_the_cell_named(world):
    data = book([mai(), mai(staff_code="N002", date_of_birth="=DATE(1990,1,2)")])
    result = run(world, data)
    assert [(e.row, e.column, e.cell) for e in result.errors] == [(3, "Ngày sinh", "D3")]
    with translation.override("en"):
        message = result.errors[0].message
    assert "the cell D3 contains a formula" in message and "values only" in message
    with system_scope():
        assert not Person.objects.filter(staff_code="N001").exists()


def test_zip_bomb_with_huge_declared_size_is_refused_before_parsing(world):
    data = bytearray(book([mai()]))
    # Rewrite the declared uncompressed size of the sheet in the central directory to ~4 GB.
    name = b"xl/worksheets/sheet1.xml"
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<I", data, entry + 24, 0xFFFF0000)
    assert "unpacks to" in only_file_error(world, bytes(data))


def test_highly_compressed_member_is_refused(world):
    sheet = b"<worksheet>" + b" " * (30 * 1024 * 1024) + b"</worksheet>"
    data = rezip(book([mai()]), {"xl/worksheets/sheet1.xml": sheet})
    assert "refused for safety" in only_file_error(world, data)


def test_doctype_in_a_sheet_is_refused(world):
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    data = rezip(book([mai()]), {"xl/worksheets/sheet1.xml": sheet})
    assert "damaged" in only_file_error(world, data)


def test_oversized_file(world, settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert "more than the 0.0 MB allowed" in only_file_error(world, book([mai()]))


def test_too_many_rows(world, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [mai(staff_code=f"N{i:03d}") for i in range(4)]
    assert "more than 3 data rows" in only_file_error(world, book(rows))


def test_too_many_formatted_empty_rows(world, settings):
    settings.IMPORT_MAX_ROWS = 3
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in excel.COLUMNS])
    for number in range(2, 40):
        ws.cell(row=number, column=1).number_format = "@"  # styled, no value
    out = io.BytesIO()
    wb.save(out)
    assert "counting empty rows" in only_file_error(world, out.getvalue())


def test_missing_header(world):
    data = book([["N001", "Lê Thị Mai"]], headers=["Code", "Name"])
    assert "header row was not found" in only_file_error(world, data)


def test_duplicate_header(world):
    data = book([["N001", "Lê Thị Mai", "Lê"]], headers=["Mã cán bộ", "Họ và tên", "Họ tên"])
    assert "appears twice" in only_file_error(world, data)


def test_no_data_rows(world):
    assert "no data rows" in only_file_error(world, book([]))


def test_workbook_with_only_the_help_sheet(world):
    wb = Workbook()
    wb.active.title = excel.HELP_SHEET
    out = io.BytesIO()
    wb.save(out)
    assert "no sheet with a staff list" in only_file_error(world, out.getvalue())


def test_long_cells_are_refused(world):
    result = run(world, book([row(staff_code="N001", full_name="A" * 600, gender="Nam")]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Họ và tên")]


def test_file_objects_paths_and_uploads_are_all_accepted(world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = book([mai()])
    path = tmp_path / "a.xlsx"
    path.write_bytes(data)
    for source in (str(path), path, io.BytesIO(data), SimpleUploadedFile("a.xlsx", data)):
        assert run(world, source).ok
