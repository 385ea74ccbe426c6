"""Staff import: good files, updates by staff code, idempotence, all-or-nothing, reach."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any

import pytest
from django.http import Http404
from django.utils import translation
from openpyxl import Workbook

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.staff import excel
from opentemis.staff.models import Assignment, Person, SubjectGroup

HEADERS = [c.header for c in excel.COLUMNS]


def row(**values: Any) -> list[Any]:
    """A data row in template order from column keys (missing keys are empty cells)."""
    return [values.get(c.key) for c in excel.COLUMNS]


def book(rows: list[list[Any]], *, headers: list[str] | None = None, before: int = 0) -> bytes:
    """An .xlsx with the staff sheet; ``before`` title rows above the header."""
    wb = Workbook()
    ws = wb.active
    ws.title = excel.DATA_SHEET
    for i in range(before):
        ws.append([f"Danh sách cán bộ năm học 2025-2026 ({i})"])
    ws.append(headers or HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def mai(**overrides: Any) -> list[Any]:
    values = {
        "staff_code": "N001",
        "full_name": "Lê Thị Mai",
        "gender": "Nữ",
        "date_of_birth": "17/05/1985",
        "ethnicity": "Tày",
        "phone": "0912345678",
        "email": "Mai.Le@Truong.edu.vn",
        "qualification": "Đại học",
        "positions": "GV, TTCM",
        "subjects": "TOAN; Hoạt động trải nghiệm, hướng nghiệp",
        "subject_group": "Tổ Toán - Tin",
        "unit_code": "SA-TH1",
        "status": "Đang công tác",
    }
    values.update(overrides)
    return row(**values)


def run(world: Any, data: bytes, *, actor: Any = None, unit: Any = None, **kw: Any) -> Any:
    with translation.override("en"):
        return excel.staff_import(
            actor=actor or world.officer_a, unit=unit or world.province_a, file=data, **kw
        )


def person(code: str) -> Person:
    with system_scope():
        return Person.objects.select_related("unit", "subject_group").get(staff_code=code)


def codes(p: Person, attr: str) -> set[str]:
    with system_scope():
        return set(getattr(p, attr).values_list("code", flat=True))


def messages(result: Any) -> list[str]:
    with translation.override("en"):
        return [e.message for e in result.errors]


def test_import_creates_people_with_links_groups_and_history(world):
    data = book(
        [
            mai(),
            mai(
                staff_code="N002",
                full_name="Vũ Văn Bình",
                gender="Nam",
                unit_code="sa-thcs1",
                ethnicity="01",
                positions="PHT",
            ),
        ]
    )
    result = run(world, data)
    assert result.ok, messages(result)
    assert (result.created, result.updated, result.unchanged, result.rows) == (2, 0, 0, 2)
    p = person("N001")
    assert (p.full_name, p.gender, p.date_of_birth) == ("Lê Thị Mai", "F", dt.date(1985, 5, 17))
    assert (p.ethnicity, p.is_dtts, p.qualification) == ("02", True, "dai_hoc")
    assert (p.email, p.phone, p.employment_status) == (
        "mai.le@truong.edu.vn",
        "0912345678",
        "working",
    )
    assert p.search_text == "le thi mai n001"
    assert p.unit == world.school_a1 and p.version == 1
    assert codes(p, "positions") == {"GV", "TTCM"}
    assert codes(p, "subjects") == {"TOAN", "HDTN"}  # a subject name with a comma in it
    assert p.subject_group.name == "Tổ Toán - Tin" and p.subject_group.unit == world.school_a1
    assert person("N002").unit == world.school_a2  # unit codes match whatever the case
    with system_scope():
        assert Assignment.objects.filter(person=p, unit=world.school_a1, end_date=None).count() == 1
        events = list(AuditEvent.objects.filter(action="staff.import"))
    assert len(events) == 1  # one event for the import, not one per row
    assert events[0].unit_id == world.province_a.pk
    assert events[0].changes["created"] == 2 and events[0].actor == world.officer_a


def test_reimporting_the_same_file_changes_nothing(world):
    data = book([mai(), row(staff_code="GVA1", full_name="Nguyễn Văn An", gender="Nam")])
    first = run(world, data)
    assert (first.created, first.unchanged) == (1, 1)
    before = person("N001")
    audits = AuditEvent.objects.count
    with system_scope():
        audit_count = audits()
    again = run(world, data)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    after = person("N001")
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    with system_scope():
        assert audits() == audit_count
        assert SubjectGroup.objects.filter(name="Tổ Toán - Tin").count() == 1


def test_reimport_updates_people_by_staff_code(world):
    run(world, book([mai(), mai(staff_code="N002", full_name="Vũ Văn Bình", gender="Nam")]))
    before = person("N001")
    result = run(
        world,
        book(
            [
                mai(phone="0987654321", positions="GV"),
                mai(staff_code="N002", full_name="Vũ Văn Bình", gender="Nam"),
            ]
        ),
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    after = person("N001")
    assert after.phone == "0987654321"
    assert codes(after, "positions") == {"GV"}
    assert codes(after, "subjects") == {"TOAN", "HDTN"}
    assert after.version == before.version + 1
    assert after.updated_at > before.updated_at
    assert person("N002").version == 1


def test_empty_cells_keep_the_recorded_values(world):
    result = run(world, book([row(staff_code="gva1", phone="0911222333")]))
    assert result.ok and result.updated == 1
    p = person("GVA1")
    assert p.phone == "0911222333"
    assert (p.full_name, p.date_of_birth, p.qualification) == (
        "Nguyễn Văn An",
        dt.date(1985, 5, 17),
        "dai_hoc",
    )
    assert codes(p, "subjects") == {"TH"}


def test_one_bad_row_writes_nothing_and_every_error_is_reported(world):
    data = book(
        [
            mai(),
            mai(staff_code="N002", date_of_birth="31/02/1990"),
            mai(staff_code="N003", gender="X", email="not-an-email", positions="GV, Hiệu phó"),
            row(staff_code="GVA1", phone="0911999888"),
        ]
    )
    with system_scope():
        people = Person.objects.count()
    result = run(world, data)
    assert not result.ok and not result.written
    assert {(e.row, e.column) for e in result.errors} == {
        (3, "Ngày sinh"),
        (4, "Giới tính"),
        (4, "Email"),
        (4, "Chức vụ"),
    }
    assert (
        "Row 3, column «Ngày sinh»: «31/02/1990» is not a valid date; enter it as dd/mm/yyyy."
        in messages(result)
    )
    assert any("«Hiệu phó» is not a known position" in m for m in messages(result))
    with system_scope():
        assert Person.objects.count() == people
        assert person("GVA1").phone == ""
        assert not AuditEvent.objects.filter(action="staff.import").exists()
        assert not SubjectGroup.objects.filter(name="Tổ Toán - Tin").exists()


def test_errors_stop_at_the_cap(world, monkeypatch):
    monkeypatch.setattr("opentemis.staff.excel.results.ERROR_CAP", 5)
    rows = [mai(staff_code=f"N{i:03d}", date_of_birth="99/99/1999") for i in range(20)]
    result = run(world, book(rows))
    assert len(result.errors) == 5 and result.errors_truncated


def test_duplicate_staff_codes_in_the_file_are_reported(world):
    result = run(world, book([mai(), mai(staff_code=" n001 ", full_name="Lê Văn Mới")]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "Mã cán bộ")]
    assert "already on row 2" in messages(result)[0]


def test_new_people_need_a_name_and_a_gender(world):
    result = run(world, book([row(staff_code="N009", phone="0912345678")]))
    assert {(e.row, e.column) for e in result.errors} == {(2, "Họ và tên"), (2, "Giới tính")}


def test_decomposed_vietnamese_is_stored_composed(world):
    composed = {"full_name": "Nguyễn Thị Ánh Tuyết", "subject_group": "Tổ Toán - Tin"}
    nfd = {k: unicodedata.normalize("NFD", v) for k, v in composed.items()}
    assert nfd["full_name"] != composed["full_name"]
    run(world, book([mai()]))  # creates the group in NFC
    result = run(world, book([mai(staff_code="N005", **nfd)]))
    assert result.ok, messages(result)
    p = person("N005")
    assert p.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Ánh Tuyết")
    assert p.search_text == "nguyen thi anh tuyet n005"
    with system_scope():
        assert (
            SubjectGroup.objects.filter(unit=world.school_a1).count() == 1
        )  # matched, not duplicated


def test_accepted_spellings_and_cell_types(world):
    data = book(
        [
            mai(
                staff_code="N011",
                gender="nu",
                date_of_birth=dt.datetime(1990, 1, 2),
                ethnicity="2",
                qualification="thac si",
                status="nghi huu",
                phone=912345678,
            ),
            mai(staff_code=12345, date_of_birth=32874, ethnicity="HMông", positions="Giáo viên"),
        ]
    )
    result = run(world, data)
    assert result.ok, messages(result)
    p = person("N011")
    assert (p.gender, p.date_of_birth, p.ethnicity) == ("F", dt.date(1990, 1, 2), "02")
    assert (p.qualification, p.employment_status, p.phone) == ("thac_si", "retired", "0912345678")
    q = person("12345")
    assert (q.date_of_birth, q.ethnicity) == (dt.date(1990, 1, 1), "08")
    assert codes(q, "positions") == {"GV"}


def test_header_can_sit_below_a_title_with_extra_columns(world):
    headers = ["STT", "Mã cán bộ (*)", "Ho va ten", "Giới tính", "Ghi chú"]
    data = book([[1, "N021", "Đỗ Thị Hoa", "Nữ", "mới"]], headers=headers, before=2)
    result = run(world, data, actor=world.principal_a1, unit=world.school_a1)
    assert result.ok, messages(result)
    assert person("N021").unit == world.school_a1


def test_moving_a_person_by_unit_code_keeps_history(world):
    with system_scope():
        group = SubjectGroup.objects.create(unit=world.school_a1, name="Tổ 1")
        Person.objects.filter(pk=world.person_a1.pk).update(subject_group=group)
        Assignment.objects.create(
            person=world.person_a1, unit=world.school_a1, start_date=dt.date(2020, 9, 1)
        )
    result = run(world, book([row(staff_code="GVA1", unit_code="SA-THCS1")]))
    assert result.ok and (result.updated, result.transferred) == (1, 1)
    p = person("GVA1")
    assert p.unit == world.school_a2 and p.subject_group is None
    with system_scope():
        history = list(Assignment.objects.filter(person=p).order_by("start_date"))
    assert [(a.unit_id, a.end_date is None) for a in history] == [
        (world.school_a1.pk, False),
        (world.school_a2.pk, True),
    ]


def test_staff_code_of_someone_outside_reach_is_refused(world):
    result = run(
        world, book([mai(staff_code="GVB1")]), actor=world.principal_a1, unit=world.school_a1
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "Mã cán bộ")]
    assert person("GVB1").full_name == "Phạm Minh Đức"


def test_unit_codes_must_be_inside_the_importing_unit(world):
    rows = [mai(unit_code="SA-THCS1"), mai(staff_code="N002", unit_code="SB-THPT1")]
    result = run(world, book(rows), actor=world.principal_a1, unit=world.school_a1)
    assert [(e.row, e.column) for e in result.errors] == [(2, "Mã đơn vị"), (3, "Mã đơn vị")]
    # Same message for a unit elsewhere and one that does not exist: nothing is confirmed.
    assert "SB-THPT1» is not the code of a unit in Trường Tiểu học Hòa An" in messages(result)[1]


def test_a_person_elsewhere_needs_a_unit_code_to_be_moved(world):
    result = run(world, book([row(staff_code="GVA2", phone="0911000111")]), unit=world.school_a1)
    assert [(e.row, e.column) for e in result.errors] == [(2, "Mã đơn vị")]


def test_importing_outside_reach_is_404(world):
    with pytest.raises(Http404):
        run(world, book([mai()]), actor=world.principal_b1, unit=world.school_a1)
    with pytest.raises(Http404):
        run(world, book([mai()]), actor=world.teacher_a1, unit=world.school_a1)


def test_partial_import_writes_the_valid_rows(world):
    data = book([mai(), mai(staff_code="N002", gender="?")])
    result = run(world, data, partial=True)
    assert result.written and (result.created, result.skipped) == (1, 1)
    assert [e.row for e in result.errors] == [3]
    with system_scope():
        assert not Person.objects.filter(staff_code="N002").exists()


def test_dry_run_counts_but_writes_nothing(world):
    result = run(world, book([mai(), row(staff_code="GVA1", phone="0911999888")]), dry_run=True)
    assert result.ok and not result.written
    assert (result.created, result.updated) == (1, 1)
    with system_scope():
        assert not Person.objects.filter(staff_code="N001").exists()
        assert not SubjectGroup.objects.exists()


def test_import_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    rows = [
        mai(staff_code=f"N{i:03d}", unit_code="SA-TH1" if i % 2 else "SA-THCS1") for i in range(60)
    ]
    with django_assert_max_num_queries(30):
        result = run(world, book(rows))
    assert result.created == 60
