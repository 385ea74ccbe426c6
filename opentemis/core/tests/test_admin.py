"""Django's admin: the lists show the records, a search finds the one asked for and not the
others, a change form saves; a staff member with admin rights sees only their own units'
records there too (the scoped managers apply to the admin as to every other request)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear
from opentemis.staff.models import Person
from tests.factories import make_user


@pytest.fixture
def builtins(db):
    from opentemis.standards.services import load_builtin_frameworks

    load_builtin_frameworks()


def _rows(response) -> str:
    """The result table of a list page (not its filters or search box)."""
    assert response.status_code == 200
    match = re.search(r'<table id="result_list".*?</table>', response.content.decode(), re.S)
    assert match, "no result table"
    return match.group()


@pytest.mark.parametrize(
    ("model", "shown"),
    [
        ("orgs/unit", ["SA-TH1", "SB-THPT1"]),
        ("orgs/schoolyear", ["2025-2026"]),
        ("staff/person", ["Nguyễn Văn An", "Phạm Minh Đức"]),
        ("accounts/user", ["officer_a", "principal_b1"]),
        ("standards/framework", ["TT20_2018_GVPT"]),
    ],
)
def test_admin_lists_show_the_records(world, builtins, admin_client, model, shown):
    app, name = model.split("/")
    rows = _rows(admin_client.get(reverse(f"admin:{app}_{name}_changelist")))
    for text in shown:
        assert text in rows


def test_admin_audit_list_shows_the_events(world, admin_client):
    from opentemis.orgs.services import unit_update

    with system_scope():
        unit_update(
            actor=world.officer_a,
            unit=world.school_a1,
            name="Trường Tiểu học Hòa An mới",
            kind=world.school_a1.kind,
            levels=["TH"],
            disadvantaged_area=False,
            status=world.school_a1.status,
        )
    rows = _rows(admin_client.get(reverse("admin:accounts_auditevent_changelist")))
    assert "unit.update" in rows and "officer_a" in rows


def test_admin_search_finds_the_person_asked_for_only(world, admin_client):
    url = reverse("admin:staff_person_changelist")
    rows = _rows(admin_client.get(url, {"q": "GVA1"}))
    assert "Nguyễn Văn An" in rows
    assert "Phạm Minh Đức" not in rows and "Hoàng Thị Đào" not in rows


def test_admin_person_change_page_shows_the_person_and_saves(world, admin_client):
    person = world.person_a1
    url = reverse("admin:staff_person_change", args=[person.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="Nguyễn Văn An"' in page and 'value="GVA1"' in page
    assert "Phạm Minh Đức" not in page
    form = {
        "staff_code": "GVA1",
        "full_name": "Nguyễn Văn An",
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "phone": "0987654321",
        "email": "",
        "qualification": person.qualification,
        "employment_status": person.employment_status,
        "unit": str(person.unit_id),
        "subject_group": "",
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with system_scope():
        assert Person.objects.get(pk=person.pk).phone == "0987654321"


def test_admin_school_year_saves(world, admin_client):
    year = world.year
    url = reverse("admin:orgs_schoolyear_change", args=[year.pk])
    response = admin_client.post(
        url,
        {
            "code": year.code,
            "start_date": year.start_date.isoformat(),
            "end_date": "2026-07-31",
            "is_current": "on",
        },
    )
    assert response.status_code == 302
    assert SchoolYear.objects.get(pk=year.pk).end_date.isoformat() == "2026-07-31"


def test_a_staff_member_sees_only_their_units_in_the_admin(world, client):
    officer = world.officer_a
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    officer.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(officer)
    rows = _rows(client.get(reverse("admin:staff_person_changelist")))
    assert "Nguyễn Văn An" in rows and "Hoàng Thị Đào" in rows
    assert "Phạm Minh Đức" not in rows  # province B
    foreign = reverse("admin:staff_person_change", args=[world.person_b1.pk])
    assert client.get(foreign).status_code == 302  # "does not exist": back to the list
    assert client.get(reverse("admin:orgs_unit_changelist")).status_code == 403  # no right


def test_a_person_without_staff_status_cannot_open_the_admin(world):
    from django.test import Client

    user = make_user("not_staff", role="unit_officer", unit=world.province_a)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:staff_person_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url
