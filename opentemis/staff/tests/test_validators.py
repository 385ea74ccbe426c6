"""One rule for names and staff codes, every way in (staff/validators.py): the API (create and
update), the edit form and the Excel import refuse the same values with the same message."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from opentemis.core.scoping import system_scope
from opentemis.staff import excel
from opentemis.staff.models import Person
from opentemis.staff.tests.test_api_staff import api, detail, new_person
from opentemis.staff.tests.test_staff_pages import _edit_payload
from opentemis.staff.validators import validate_full_name, validate_staff_code

pytestmark = pytest.mark.django_db

# Formula-like (a spreadsheet would run them) and other non-names.
BAD_NAMES = ['=HYPERLINK("http://x")', "+Nguyễn Văn An", "-Nguyễn Văn An", "@Nguyen", "Nguyễn 2"]
BAD_CODES = ["=1+1", "+GV1", "-GV1", "@GV1", "GV 1"]


def message(rule: Any, value: str) -> str:
    """The rule's message for ``value``, in the active language (Vietnamese)."""
    with pytest.raises(ValidationError) as refused:
        rule(value)
    return refused.value.messages[0]


def names(world: Any) -> list[str]:
    with system_scope():
        return list(Person.objects.values_list("full_name", flat=True))


def test_good_names_and_codes_pass() -> None:
    for name in ["Nguyễn Văn An", "Hoàng Thị Ngọc-Ánh", "Y Moan Ênuôl", "H'Hen Niê", "Trần T. Bé"]:
        validate_full_name(name)
    for code in ["GVA1", "79.001/GV", "hta1", "0012-AB_3"]:
        validate_staff_code(code)


@pytest.mark.parametrize("value", BAD_NAMES)
def test_api_create_and_update_refuse_a_bad_name(world: Any, value: str) -> None:
    expected = message(validate_full_name, value)
    assert expected.startswith(f"«{value}»") and "Nguyễn Văn An" in expected  # Vietnamese
    client = api(world.principal_a1)
    created = client.post("/api/v1/staff/", new_person(world.school_a1, full_name=value))
    assert created.status_code == 400
    assert created.json()["full_name"] == [expected]
    with system_scope():
        version = Person.objects.get(pk=world.person_a1.pk).version
    updated = client.patch(detail(world.person_a1), {"version": version, "full_name": value})
    assert updated.status_code == 400
    assert updated.json()["full_name"] == [expected]
    assert value not in names(world)


@pytest.mark.parametrize("value", BAD_CODES)
def test_api_create_refuses_a_bad_staff_code(world: Any, value: str) -> None:
    response = api(world.principal_a1).post(
        "/api/v1/staff/", new_person(world.school_a1, staff_code=value)
    )
    assert response.status_code == 400
    assert response.json()["staff_code"] == [message(validate_staff_code, value)]


@pytest.mark.parametrize("value", BAD_NAMES)
def test_edit_form_refuses_a_bad_name(world: Any, value: str) -> None:
    with system_scope():
        person = Person.objects.get(pk=world.person_a1.pk)
        payload = _edit_payload(person, full_name=value)
    response = world.client_for(world.principal_a1).post(
        reverse("staff_edit", args=[person.pk]), payload
    )
    assert response.status_code == 200
    assert message(validate_full_name, value) in html.unescape(response.content.decode())
    assert value not in names(world)


@pytest.mark.parametrize("value", BAD_CODES)
def test_add_form_refuses_a_bad_staff_code(world: Any, value: str) -> None:
    with system_scope():
        payload = _edit_payload(Person.objects.get(pk=world.person_a1.pk), staff_code=value)
    payload["unit"] = world.school_a1.pk
    response = world.client_for(world.principal_a1).post(reverse("staff_create"), payload)
    assert response.status_code == 200
    assert message(validate_staff_code, value) in html.unescape(response.content.decode())


def _book(code: str, name: str) -> bytes:
    """The import template's sheet with one row; every cell typed as text (a value starting
    with "=" stays text, as when a cell is formatted as text in Excel)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = excel.DATA_SHEET
    sheet.append([c.header for c in excel.COLUMNS])
    values = {"staff_code": code, "full_name": name, "gender": "Nữ"}
    for column, spec in enumerate(excel.COLUMNS, start=1):
        if spec.key in values:
            cell = sheet.cell(row=2, column=column, value=values[spec.key])
            cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("code", "name", "rule", "value"),
    [("N001", name, validate_full_name, name) for name in BAD_NAMES]
    + [(code, "Lê Thị Mai", validate_staff_code, code) for code in BAD_CODES],
)
def test_import_refuses_the_same_values_with_the_same_message(
    world: Any, code: str, name: str, rule: Any, value: str
) -> None:
    result = excel.staff_import(actor=world.officer_a, unit=world.school_a1, file=_book(code, name))
    assert not result.written
    problems = [issue.message for issue in result.errors]
    assert any(message(rule, value) in problem for problem in problems), problems
    assert name not in names(world)


def test_a_name_recorded_before_the_rule_does_not_block_other_changes(world: Any) -> None:
    with system_scope():
        Person.objects.filter(pk=world.person_a1.pk).update(full_name="Nguyễn Văn An 2")
        person = Person.objects.get(pk=world.person_a1.pk)
    response = api(world.principal_a1).patch(
        detail(person), {"version": person.version, "phone": "0912345678"}
    )
    assert response.status_code == 200, response.json()
