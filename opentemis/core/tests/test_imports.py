"""The spreadsheet import framework (opentemis.core.imports): the safe reader's limits, the
located issues, the check/confirm flow and the file kept between the two."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from openpyxl import Workbook

from opentemis.core.imports.api import ImportIssueSerializer
from opentemis.core.imports.container import looks_like_workbook, zip_declared_entries
from opentemis.core.imports.flow import (
    ImportRun,
    pending_keep,
    pending_take,
    run_import,
)
from opentemis.core.imports.issues import Issue, Issues, TooManyIssues
from opentemis.core.imports.reader import (
    MAX_ZIP_MEMBERS,
    Cell,
    DuplicateColumn,
    FileRejected,
    Limits,
    cell_text,
    find_header,
    header_key,
    open_upload,
)

DOC = "test list"


def book(rows: list[list[Any]], title: str = "Danh sách") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_all(data: Any, limits: Limits | None = None) -> list[tuple[int, dict[int, Any]]]:
    with open_upload(data, document=DOC, limits=limits) as workbook:
        return [
            (number, {column: cell.value for column, cell in cells.items()})
            for number, cells in workbook.rows(workbook.sheet_names[0])
        ]


def refusal(data: Any, limits: Limits | None = None) -> str:
    with translation.override("en"), pytest.raises(FileRejected) as info:
        read_all(data, limits)
    return info.value.problem


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- the reader and its limits -----------------------------------------------------------------


def test_rows_are_streamed_with_their_numbers_and_typed_values():
    rows = read_all(book([["Mã", "Tên"], ["A1", 3.0], [], ["B2", True]]))
    assert rows == [(1, {1: "Mã", 2: "Tên"}), (2, {1: "A1", 2: 3}), (4, {1: "B2", 2: True})]


def test_a_crafted_zip_bomb_is_refused_before_its_xml_is_parsed():
    # 40 MB of spaces deflate ~1000x: the ratio check refuses it on the declared sizes.
    bomb = b"<worksheet>" + b" " * (40 * 1024 * 1024) + b"</worksheet>"
    data = rezip(book([["x"]]), {"xl/worksheets/sheet1.xml": bomb})
    assert len(data) < 200 * 1024
    assert "refused for safety" in refusal(data)


def test_a_member_declaring_a_huge_size_is_refused():
    data = bytearray(book([["x"]]))
    name = b"xl/worksheets/sheet1.xml"
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<I", data, entry + 24, 0xFFFF0000)  # uncompressed size: ~4 GB
    assert "unpacks to" in refusal(bytes(data))


def test_a_zip_directory_declaring_too_many_entries_is_refused_unparsed():
    data = bytearray(book([["x"]]))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, MAX_ZIP_MEMBERS + 1, MAX_ZIP_MEMBERS + 1)
    assert zip_declared_entries(io.BytesIO(bytes(data))) == MAX_ZIP_MEMBERS + 1
    assert "not an Excel workbook (.xlsx)" in refusal(bytes(data))


def test_a_zip_without_its_directory_record_is_damaged():
    data = book([["x"]])
    cut = data[: data.rfind(b"PK\x05\x06")]
    assert zip_declared_entries(io.BytesIO(cut)) is None
    assert "damaged or was not uploaded completely" in refusal(cut)


def test_a_zip_directory_pointing_nowhere_is_damaged():
    data = bytearray(book([["x"]]))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 16, len(data) * 2)  # the directory's offset
    assert "damaged" in refusal(bytes(data))


def test_the_imports_own_size_limit_applies():
    data = book([["x"]])
    message = refusal(data, Limits(max_bytes=1000))
    assert "more than the 0.0 MB allowed" in message and DOC in message
    assert read_all(data, Limits(max_bytes=len(data)))


def test_formatted_empty_rows_count_against_the_row_limit():
    workbook = Workbook()
    for number in range(1, 40):
        workbook.active.cell(row=number, column=1).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    assert "counting empty rows" in refusal(out.getvalue(), Limits(max_rows=10))
    assert read_all(out.getvalue(), Limits(max_rows=20)) == []


def test_columns_past_the_limit_are_not_read():
    rows = read_all(book([list(range(1, 12))]), Limits(max_columns=3))
    assert rows == [(1, {1: 1, 2: 2, 3: 3})]


def test_a_doctype_is_refused():
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    assert "damaged" in refusal(rezip(book([["x"]]), {"xl/worksheets/sheet1.xml": sheet}))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty. Choose the filled-in test list"),
        (b"%PDF-1.7\n", "not an Excel workbook (.xlsx)"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "Excel 97-2003 format (.xls)"),
        (
            bytes.fromhex("D0CF11E0A1B11AE1") + "EncryptedPackage".encode("utf-16-le"),
            "protected by a password",
        ),
    ],
    ids=["empty", "pdf", "xls", "encrypted"],
)
def test_files_that_are_not_plain_workbooks_are_refused_by_content(content, expected):
    assert expected in refusal(content)


def test_office_files_are_told_by_their_first_bytes():
    assert looks_like_workbook(b"PK\x03\x04rest")
    assert looks_like_workbook(bytes.fromhex("D0CF11E0A1B11AE1"))
    assert not looks_like_workbook(b"code: X\n")


def test_the_header_is_found_among_the_first_rows_and_its_rows_consumed():
    rows = iter([(1, {1: _c("Title")}), (2, {2: _c("Mã *"), 3: _c("Tên (đầy đủ)")}), (3, {})])
    keys = {"ma": "code", "ten": "name"}
    assert find_header(rows, lambda v: keys.get(header_key(v)), required=("code",)) == {
        "code": 2,
        "name": 3,
    }
    assert next(rows) == (3, {})
    again = iter([(1, {1: _c("Mã"), 2: _c("MÃ")})])
    with pytest.raises(DuplicateColumn) as info:
        find_header(again, lambda v: keys.get(header_key(v)), required=("code",))
    assert info.value.key == "code"
    assert find_header(iter([(1, {1: _c("x")})]), lambda v: None, required=("code",)) is None


def test_cell_text_is_nfc_and_drops_the_excel_point_zero():
    assert cell_text(12.0) == "12" and cell_text(None) == ""
    assert cell_text("Nguye\u0302\u0303n") == "Nguyễn"


def _c(value: Any) -> Cell:
    return Cell(1, value)


# --- located issues ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issue", "message"),
    [
        (Issue("bad", sheet="S", row=3, column="Tên"), "Sheet «S», row 3, column «Tên»: bad"),
        (Issue("bad", sheet="S", row=3), "Sheet «S», row 3: bad"),
        (Issue("bad", sheet="S", column="Tên"), "Sheet «S», column «Tên»: bad"),
        (Issue("bad", sheet="S"), "Sheet «S»: bad"),
        (Issue("bad", row=3, column="Tên"), "Row 3, column «Tên»: bad"),
        (Issue("bad", row=3), "Row 3: bad"),
        (Issue("bad", column="Tên"), "Column «Tên»: bad"),
        (Issue("bad", line=7), "Line 7: bad"),
        (Issue("bad"), "bad"),
    ],
)
def test_an_issue_says_where_it_is(issue, message):
    with translation.override("en"):
        assert issue.message == message == str(issue)


def test_issue_messages_are_vietnamese():
    with translation.override("vi"):
        assert Issue("sai", sheet="S", row=3, column="Tên").message == (
            "Trang tính «S», dòng 3, cột «Tên»: sai"
        )
        assert Issue("sai", row=3, column="Tên").message == "Dòng 3, cột «Tên»: sai"


def test_the_collector_gives_each_issue_its_column_letter_cell_and_value():
    issues = Issues()
    issues.columns_at({"Ngày sinh": "D"}, sheet="S")
    issues.add("bad", sheet="S", row=3, column="Ngày sinh", value=1990.0)
    issues.add("long", sheet="S", row=4, column="Other", value="x" * 500)
    first, second = issues.items
    assert (first.letter, first.cell, first.value) == ("D", "D3", "1990")
    assert (second.letter, second.cell, len(second.value)) == ("", "", 100)
    assert issues.is_bad(3, sheet="S") and not issues.is_bad(3)


def test_the_collector_stops_at_its_cap_but_never_drops_a_file_problem():
    issues = Issues(cap=2)
    issues.add("a", row=1)
    issues.add("b", row=2)
    with pytest.raises(TooManyIssues):
        issues.add("c", row=3)
    issues.reject("the file")
    assert [i.problem for i in issues] == ["a", "b", "the file"] and issues.truncated


def test_the_api_shape_of_an_issue():
    issue = Issue("bad", sheet="S", row=3, column="Tên", letter="B", value="x")
    data = ImportIssueSerializer(issue).data
    assert (data["cell"], data["row"], data["value"]) == ("B3", 3, "x")
    assert data["message"] == issue.message


def test_one_partial_renders_file_problems_then_located_ones():
    issues = [Issue("whole file"), Issue("bad date", row=3, column="Ngày sinh", letter="D")]
    template = Template("{% load imports %}{% import_issues issues truncated %}")
    with translation.override("en"):
        html = template.render(Context({"issues": issues, "truncated": True}))
    assert "<p>whole file</p>" in html
    assert 'Ngày sinh <span class="muted">(D)</span>' in html
    assert "1 error was found" in html and "Checking stopped" in html
    assert "<th>Sheet</th>" not in html  # one-sheet imports have no sheet column
    assert (
        Template("{% load imports %}{% import_issues issues %}")
        .render(Context({"issues": []}))
        .strip()
        == ""
    )


# --- the check/confirm flow --------------------------------------------------------------------


def _user(username: str) -> Any:
    return get_user_model().objects.create(username=username)


def _exists(username: str) -> bool:
    return get_user_model().objects.filter(username=username).exists()


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_even_if_the_check_did():
    calls: list[str] = []

    def check(run: ImportRun) -> str:
        assert not run.lock
        _user("during-check")  # a check that wrote by mistake
        return "plan"

    def write(plan: str) -> bool:
        calls.append(plan)
        return True

    outcome = run_import(file=book([["x"]]), check=check, write=write, dry_run=True)
    assert outcome.ok and outcome.plan == "plan" and outcome.dry_run
    assert not outcome.written and calls == []
    assert not _exists("during-check")


@pytest.mark.django_db
def test_a_file_with_issues_writes_nothing_unless_partial():
    def check(run: ImportRun) -> None:
        run.issues.add("bad", row=2)

    def write(plan: None) -> bool:
        _user("written")
        return True

    outcome = run_import(file=b"x", check=check, write=write, dry_run=False)
    assert not outcome.written and [i.row for i in outcome.issues] == [2]
    assert not _exists("written")
    partial = run_import(file=b"x", check=check, write=write, dry_run=False, partial=True)
    assert partial.written and _exists("written")


@pytest.mark.django_db
def test_confirm_is_atomic_a_failed_write_leaves_nothing():
    _user("taken")

    def check(run: ImportRun) -> list[str]:
        assert run.lock
        return ["first", "taken"]

    def write(names: list[str]) -> bool:
        for name in names:
            _user(name)  # the second collides: the first must not stay
        return True

    with translation.override("en"):
        outcome = run_import(file=b"x", check=check, write=write, dry_run=False)
    assert not outcome.written
    assert [i.message for i in outcome.issues] == [
        "Some of these records were changed by someone else while the file was being saved, "
        "so nothing was saved. Upload the file again to see the current state."
    ]
    assert not _exists("first")


@pytest.mark.django_db
def test_an_imports_own_conflict_is_reported_with_its_message():
    class Stale(Exception):
        pass

    def write(plan: None) -> bool:
        _user("half")
        raise Stale

    outcome = run_import(
        file=b"x",
        check=lambda run: None,
        write=write,
        dry_run=False,
        conflicts=(Stale,),
        conflict_message="changed meanwhile",
    )
    assert [i.problem for i in outcome.issues] == ["changed meanwhile"]
    assert not _exists("half")


@pytest.mark.django_db
def test_a_refused_file_and_the_issue_cap_end_the_check():
    def refused(run: ImportRun) -> None:
        _user("before-refusal")
        raise FileRejected("not a workbook")

    outcome = run_import(file=b"x", check=refused, write=lambda p: True, dry_run=False)
    assert [(i.problem, i.located) for i in outcome.issues] == [("not a workbook", False)]
    assert outcome.plan is None and not _exists("before-refusal")

    def many(run: ImportRun) -> None:
        for row in range(10):
            run.issues.add("bad", row=row)

    capped = run_import(file=b"x", check=many, write=lambda p: True, dry_run=False, cap=3)
    assert len(capped.issues) == 3 and capped.truncated and not capped.written


@pytest.mark.django_db
def test_a_write_with_nothing_to_change_is_not_written():
    outcome = run_import(file=b"x", check=lambda run: [], write=lambda p: False, dry_run=False)
    assert outcome.ok and not outcome.written


def test_an_unexpected_error_is_not_swallowed(db):
    def broken(run: ImportRun) -> None:
        raise IntegrityError("unique")  # from the check: a collision too, reported

    assert run_import(file=b"x", check=broken, write=lambda p: True, dry_run=False).issues

    def bug(run: ImportRun) -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run_import(file=b"x", check=bug, write=lambda p: True, dry_run=False)


# --- the checked file, kept for the confirmation -----------------------------------------------


@pytest.fixture
def session_request(settings, tmp_path):
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    request = RequestFactory().post("/")
    request.session = SessionStore()
    return request


def test_the_kept_file_is_given_back_once_to_the_right_confirmation(session_request, tmp_path):
    upload = io.BytesIO(b"the checked bytes")
    upload.name = "danh-sach.xlsx"
    token = pending_keep(session_request, kind="staff", file=upload, bound={"unit": 1})
    assert len(list((tmp_path / "imports").iterdir())) == 1

    # Another unit's confirmation, another import, a forged token: refused, the file stays.
    assert pending_take(session_request, kind="staff", token=token, bound={"unit": 2}) is None
    assert pending_take(session_request, kind="paper", token=token, bound={"unit": 1}) is None
    assert pending_take(session_request, kind="staff", token="0" * 64, bound={"unit": 1}) is None

    taken = pending_take(session_request, kind="staff", token=token, bound={"unit": 1})
    assert taken is not None and taken.read() == b"the checked bytes"
    assert taken.name == "danh-sach.xlsx"
    assert pending_take(session_request, kind="staff", token=token, bound={"unit": 1}) is None
    assert not list((tmp_path / "imports").iterdir())


def test_a_kept_file_changed_in_storage_is_not_used(session_request, tmp_path):
    token = pending_keep(session_request, kind="staff", file=io.BytesIO(b"checked"))
    [stored] = (tmp_path / "imports").iterdir()
    stored.write_bytes(b"tampered")
    assert pending_take(session_request, kind="staff", token=token) is None
