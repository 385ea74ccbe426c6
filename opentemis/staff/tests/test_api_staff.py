"""REST API v1: staff. Every endpoint includes the "province B cannot reach A" case."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.staff.models import Assignment, CoreDesignation, Person, Subject, SubjectGroup
from tests.factories import PersonFactory

LIST = "/api/v1/staff/"


def api(user: Any) -> APIClient:
    """A client signed in with a real API token (the lazy request scope must see that user)."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def detail(person: Any) -> str:
    return f"/api/v1/staff/{person.pk}/"


def staff_codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["staff_code"] for row in response.json()["results"]}


def fresh(person: Any) -> Person:
    with system_scope():
        return Person.objects.get(pk=person.pk)


def new_person(unit: Any, **extra: Any) -> dict[str, Any]:
    return {
        "unit": unit.pk,
        "staff_code": "gva9",
        "full_name": "Nguyễn Thị Mai",
        "gender": "F",
        **extra,
    }


# --- list -------------------------------------------------------------------------------


def test_list_requires_authentication(world):
    assert APIClient().get(LIST).status_code == 401


def test_list_shows_own_province_only(world):
    assert staff_codes(api(world.officer_a).get(LIST)) == {"HTA1", "GVA1", "GVA2"}


def test_list_of_province_b_principal_excludes_province_a(world):
    assert staff_codes(api(world.principal_b1).get(LIST)) == {"HTB1", "GVB1"}


def test_teacher_without_staff_permission_lists_nobody(world):
    assert staff_codes(api(world.teacher_a1).get(LIST)) == set()


def test_list_search_ignores_diacritics(world):
    assert staff_codes(api(world.officer_a).get(LIST, {"q": "nguyen van an"})) == {"GVA1"}
    assert staff_codes(api(world.officer_a).get(LIST, {"q": "HOÀNG ĐÀO"})) == set()
    assert staff_codes(api(world.officer_a).get(LIST, {"q": "hoang thi dao"})) == {"GVA2"}


def test_list_search_does_not_reach_other_province(world):
    assert staff_codes(api(world.officer_a).get(LIST, {"q": "pham minh duc"})) == set()


def test_list_unit_filter_covers_subtree(world):
    client = api(world.officer_a)
    assert staff_codes(client.get(LIST, {"unit": world.school_a2.pk})) == {"GVA2"}
    assert staff_codes(client.get(LIST, {"unit": world.commune_a.pk})) == {"HTA1", "GVA1", "GVA2"}


def test_list_unit_filter_outside_reach_is_404_like_missing(world):
    client = api(world.officer_a)
    foreign = client.get(LIST, {"unit": world.school_b1.pk})
    missing = client.get(LIST, {"unit": 999_999})
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_list_filters_like_the_staff_page(world):
    client = api(world.officer_a)
    assert staff_codes(client.get(LIST, {"position": "ht"})) == {"HTA1"}
    assert staff_codes(client.get(LIST, {"subject": "TOAN"})) == {"GVA2"}
    assert staff_codes(client.get(LIST, {"gender": "F"})) == {"HTA1", "GVA2"}
    assert staff_codes(client.get(LIST, {"dtts": "true"})) == {"GVA2"}
    assert staff_codes(client.get(LIST, {"dtts": "false"})) == {"HTA1", "GVA1"}
    assert staff_codes(client.get(LIST, {"status": "working"})) == {"HTA1", "GVA1", "GVA2"}
    assert staff_codes(client.get(LIST, {"status": "retired"})) == set()


def test_list_core_filter_uses_current_year(world):
    with system_scope():
        CoreDesignation.objects.create(person=world.person_a1, school_year=world.year)
    client = api(world.officer_a)
    assert staff_codes(client.get(LIST, {"core": "1"})) == {"GVA1"}
    assert staff_codes(client.get(LIST, {"core": "0"})) == {"HTA1", "GVA2"}
    rows = {r["staff_code"]: r["is_core"] for r in client.get(LIST).json()["results"]}
    assert rows == {"GVA1": True, "HTA1": False, "GVA2": False}


def test_list_rejects_invalid_filter_values(world):
    client = api(world.officer_a)
    assert client.get(LIST, {"gender": "X"}).status_code == 400
    assert client.get(LIST, {"dtts": "maybe"}).status_code == 400
    assert client.get(LIST, {"unit": "abc"}).status_code == 400


@pytest.mark.parametrize("count", [5, 80])
def test_list_page_costs_constant_queries(world, count, django_assert_max_num_queries):
    with system_scope():
        subjects = list(Subject.objects.all()[:2])
    for i in range(count):
        person = PersonFactory(unit=world.school_a1, positions=["GV", "TTCM"], subjects=["TOAN"])
        person.subjects.add(*subjects)
        if i % 3 == 0:
            with system_scope():
                CoreDesignation.objects.create(person=person, school_year=world.year)
    client = api(world.officer_a)
    # 8 for the page, and the audit of the read: one INSERT whatever the number of people.
    with django_assert_max_num_queries(9):
        response = client.get(LIST, {"unit": world.school_a1.pk})
    assert len(response.json()["results"]) == min(count + 2, 50)


# --- detail -----------------------------------------------------------------------------


def test_detail_fields(world):
    body = api(world.officer_a).get(detail(world.person_a2)).json()
    assert body == {
        "id": world.person_a2.pk,
        "staff_code": "GVA2",
        "full_name": "Hoàng Thị Đào",
        "gender": "F",
        "date_of_birth": "1985-05-17",
        "ethnicity": "02",
        "is_dtts": True,
        "phone": "",
        "email": "",
        "qualification": "dai_hoc",
        "positions": ["GV"],
        "subjects": ["TOAN"],
        "unit": world.school_a2.pk,
        "subject_group": None,
        "employment_status": "working",
        "version": 1,
        "is_core": False,
    }


def test_detail_outside_reach_is_404_like_missing(world):
    client = api(world.principal_b1)
    foreign = client.get(detail(world.person_a1))
    missing = client.get("/api/v1/staff/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_teacher_sees_own_record_only(world):
    client = api(world.teacher_a1)
    assert client.get(detail(world.person_a1)).status_code == 200
    assert client.get(detail(world.person_a2)).status_code == 404


# --- create -----------------------------------------------------------------------------


def test_create_normalises_and_audits(world):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị  Mai")
    response = api(world.principal_a1).post(
        LIST,
        new_person(
            world.school_a1,
            full_name=decomposed,
            ethnicity="03",
            positions=["GV"],
            subjects=["TH"],
            email=" Mai@Example.VN ",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["full_name"] == unicodedata.normalize("NFC", "Nguyễn Thị Mai")
    assert body["staff_code"] == "GVA9"
    assert body["is_dtts"] is True
    assert body["email"] == "mai@example.vn"
    assert body["positions"] == ["GV"]
    assert body["unit"] == world.school_a1.pk
    assert body["version"] == 1
    with system_scope():
        assert AuditEvent.objects.filter(action="staff.create", object_id=str(body["id"])).exists()
        assert Assignment.objects.filter(person_id=body["id"], unit=world.school_a1).exists()
    found = api(world.principal_a1).get(LIST, {"q": "nguyen thi mai"})
    assert staff_codes(found) == {"GVA9"}


def test_create_in_other_province_is_refused_like_missing(world):
    client = api(world.officer_a)
    foreign = client.post(LIST, new_person(world.school_b1), format="json")
    missing = client.post(LIST, {**new_person(world.school_b1), "unit": 999_999}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    with system_scope():
        assert not Person.objects.filter(staff_code="GVA9").exists()


def test_create_refused_without_change_permission(world):
    response = api(world.teacher_a1).post(LIST, new_person(world.school_a1), format="json")
    assert response.status_code == 400
    assert "unit" in response.json()


def test_create_with_staff_code_used_in_other_province_is_400(world):
    response = api(world.officer_a).post(
        LIST, new_person(world.school_a1, staff_code="GVB1"), format="json"
    )
    assert response.status_code == 400
    assert "staff_code" in response.json()


def test_create_with_staff_code_used_in_own_province_is_400(world):
    response = api(world.officer_a).post(
        LIST, new_person(world.school_a1, staff_code="GVA2"), format="json"
    )
    assert response.status_code == 400
    assert "staff_code" in response.json()


def test_create_rejects_subject_group_of_another_unit(world):
    with system_scope():
        group_a2 = SubjectGroup.objects.create(unit=world.school_a2, name="Tổ Toán")
        group_a1 = SubjectGroup.objects.create(unit=world.school_a1, name="Tổ 1")
    client = api(world.officer_a)
    response = client.post(
        LIST, new_person(world.school_a1, subject_group=group_a2.pk), format="json"
    )
    assert response.status_code == 400
    assert "subject_group" in response.json()
    response = client.post(
        LIST, new_person(world.school_a1, subject_group=group_a1.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["subject_group"] == group_a1.pk


def test_create_rejects_unknown_codes(world):
    response = api(world.officer_a).post(
        LIST, new_person(world.school_a1, positions=["NOPE"], ethnicity="99"), format="json"
    )
    assert response.status_code == 400
    assert {"positions", "ethnicity"} <= set(response.json())


# --- update -----------------------------------------------------------------------------


def test_patch_with_current_version(world):
    response = api(world.principal_a1).patch(
        detail(world.person_a1),
        {"version": 1, "phone": "0912 345 678", "positions": ["GV", "TTCM"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["phone"] == "0912345678"
    assert sorted(body["positions"]) == ["GV", "TTCM"]
    assert body["subjects"] == ["TH"]  # not sent: unchanged
    assert body["version"] == 2
    with system_scope():
        assert AuditEvent.objects.filter(
            action="staff.update", object_id=str(world.person_a1.pk)
        ).exists()


def test_patch_requires_version(world):
    response = api(world.principal_a1).patch(detail(world.person_a1), {"phone": "1"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_patch_with_stale_version_is_409_and_changes_nothing(world):
    client = api(world.principal_a1)
    assert (
        client.patch(
            detail(world.person_a1), {"version": 1, "phone": "111"}, format="json"
        ).status_code
        == 200
    )
    response = client.patch(
        detail(world.person_a1),
        {"version": 1, "phone": "222"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert "you sent version 1, it is now at version 2" in body["detail"]
    assert fresh(world.person_a1).phone == "111"


def test_patch_outside_reach_is_404_like_missing(world):
    client = api(world.principal_b1)
    foreign = client.patch(detail(world.person_a1), {"version": 1, "phone": "1"}, format="json")
    missing = client.patch("/api/v1/staff/999999/", {"version": 1, "phone": "1"}, format="json")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert fresh(world.person_a1).phone == ""


def test_patch_of_own_record_without_change_permission_is_403(world):
    response = api(world.teacher_a1).patch(
        detail(world.person_a1), {"version": 1, "phone": "1"}, format="json"
    )
    assert response.status_code == 403


def test_patch_refuses_to_change_unit_or_staff_code(world):
    client = api(world.officer_a)
    moved = client.patch(
        detail(world.person_a1), {"version": 1, "unit": world.school_a2.pk}, format="json"
    )
    assert moved.status_code == 400
    assert "unit" in moved.json()
    recoded = client.patch(
        detail(world.person_a1), {"version": 1, "staff_code": "X"}, format="json"
    )
    assert recoded.status_code == 400
    assert "staff_code" in recoded.json()
    # Sending them back unchanged (a GET body re-sent) is fine.
    same = client.patch(
        detail(world.person_a1),
        {"version": 1, "unit": world.school_a1.pk, "staff_code": "gva1"},
        format="json",
    )
    assert same.status_code == 200, same.json()
    assert fresh(world.person_a1).unit_id == world.school_a1.pk


def test_patch_service_validation_becomes_400(world):
    response = api(world.officer_a).patch(
        detail(world.person_a1), {"version": 1, "full_name": ""}, format="json"
    )
    assert response.status_code == 400
    assert "full_name" in response.json()
