"""Staff export (scoped, injection-safe, re-importable) and the import template."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils import translation
from openpyxl import load_workbook

from opentemis.core.scoping import system_scope
from opentemis.staff import excel
from opentemis.staff.models import Person
from opentemis.staff.selectors import StaffFilter
from opentemis.staff.tests.test_excel import HEADERS, mai
from tests.factories import PersonFactory


def exported(actor: Any, filters: StaffFilter | None = None) -> list[list[Any]]:
    stream = excel.export_staff_xlsx(actor=actor, filters=filters)
    with stream:
        wb = load_workbook(io.BytesIO(stream.read()))
    assert wb.sheetnames == [excel.DATA_SHEET]
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_export_is_scoped_to_the_actor(world):
    rows = exported(world.principal_b1)
    assert rows[0] == HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["GVB1", "HTB1"]
    # Even asking for province A's unit gives nothing of province A.
    rows = exported(world.principal_b1, StaffFilter(unit=world.province_a))
    assert rows[1:] == []


def test_export_applies_the_list_filters(world):
    rows = exported(world.officer_a, StaffFilter(gender="F"))
    assert sorted(r[0] for r in rows[1:]) == ["GVA2", "HTA1"]
    rows = exported(world.officer_a, StaffFilter(unit=world.school_a1, q="nguyen van"))
    assert [r[0] for r in rows[1:]] == ["GVA1"]


def test_export_columns_mirror_the_template(world):
    rows = exported(world.officer_a, StaffFilter(q="GVA2"))
    assert rows[1] == [
        "GVA2",
        "Hoàng Thị Đào",
        "Nữ",
        "17/05/1985",
        "Tày",
        None,
        None,
        "Đại học",
        "GV",
        "TOAN",
        None,
        "SA-THCS1",
        "Đang công tác",
    ]


def test_export_neutralises_formula_injection(world):
    PersonFactory(
        unit=world.school_a1,
        staff_code="EVIL1",
        full_name='=HYPERLINK("x")',
        phone="+84912345678",
        email="@evil.example",
    )
    stream = excel.export_staff_xlsx(actor=world.officer_a, filters=StaffFilter(q="evil1"))
    data = stream.read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # nothing is stored as a formula
    ws = load_workbook(io.BytesIO(data)).active
    name, phone, email = ws["B2"], ws["F2"], ws["G2"]
    assert (name.value, name.data_type, name.quotePrefix) == ('=HYPERLINK("x")', "s", True)
    assert (phone.value, phone.data_type) == ("+84912345678", "s")
    assert email.value == "@evil.example"


def test_an_export_reimports_unchanged(world):
    run = excel.staff_import(actor=world.officer_a, unit=world.province_a, file=_xlsx([mai()]))
    assert run.ok
    stream = excel.export_staff_xlsx(actor=world.officer_a)
    with translation.override("en"):
        result = excel.staff_import(actor=world.officer_a, unit=world.province_a, file=stream)
    assert result.ok, [e.message for e in result.errors]
    assert (result.rows, result.unchanged, result.created, result.updated) == (4, 4, 0, 0)


def test_export_queries_do_not_grow_with_people(world, django_assert_max_num_queries):
    for _ in range(30):
        PersonFactory(unit=world.school_a2, subjects=["TOAN", "TIN"], positions=["GV", "TTCM"])
    with django_assert_max_num_queries(8):
        rows = exported(world.officer_a)
    assert len(rows) == 1 + 3 + 30


def test_template_has_headers_dropdowns_and_instructions(world):
    data = excel.staff_template_xlsx(actor=world.officer_a, unit=world.province_a)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [excel.DATA_SHEET, excel.HELP_SHEET]
    ws = wb[excel.DATA_SHEET]
    assert [c.value for c in ws[1]] == HEADERS
    lists = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert lists["C2"].type == "list" and lists["C2"].showErrorMessage  # Giới tính: strict
    assert lists["I2"].type == "list" and not lists["I2"].showErrorMessage  # Chức vụ: several
    help_values = {c for r in wb[excel.HELP_SHEET].iter_rows(values_only=True) for c in r if c}
    # Positions, subjects, ethnic groups with codes, qualifications, and the unit codes.
    assert {"GV", "TTCM", "TOAN", "Kinh", "Tày", "08", "Thạc sĩ", "Đang công tác"} <= help_values
    assert {"SA-TH1", "SA-THCS1"} <= help_values and "SB-THPT1" not in help_values


def test_template_filled_in_imports_cleanly(world):
    data = excel.staff_template_xlsx(actor=world.principal_a1, unit=world.school_a1)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[excel.DATA_SHEET]
    ws.append(mai(unit_code=None))
    ws.append(mai(staff_code="N002", full_name="Vũ Văn Bình", gender="Nam", unit_code=None))
    out = io.BytesIO()
    wb.save(out)
    with translation.override("en"):
        result = excel.staff_import(
            actor=world.principal_a1, unit=world.school_a1, file=out.getvalue()
        )
    assert result.ok, [e.message for e in result.errors]
    assert result.created == 2
    with system_scope():
        assert set(
            Person.objects.filter(unit=world.school_a1).values_list("staff_code", flat=True)
        ) >= {"N001", "N002"}


def test_blank_template_reports_no_rows(world):
    data = excel.staff_template_xlsx()
    result = excel.staff_import(actor=world.officer_a, unit=world.province_a, file=data)
    assert [e.row for e in result.errors] == [None]


def _xlsx(rows: list[list[Any]]) -> bytes:
    from opentemis.staff.tests.test_excel import book

    return book(rows)
