"""REST API v1: units. Every endpoint includes the "province B cannot reach A" case."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import Unit
from tests.factories import make_unit, make_user

LIST = "/api/v1/units/"


def api(user: Any) -> APIClient:
    """A client signed in with a real API token (the lazy request scope must see that user)."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def detail(unit: Any) -> str:
    return f"/api/v1/units/{unit.pk}/"


def codes(response: Any) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def test_list_requires_authentication(world):
    assert APIClient().get(LIST).status_code == 401


def test_list_shows_own_province_only(world):
    response = api(world.officer_a).get(LIST)
    assert response.status_code == 200
    assert codes(response) == {"SA", "SA-X1", "SA-TH1", "SA-THCS1"}


def test_list_of_province_b_principal_excludes_province_a(world):
    assert codes(api(world.principal_b1).get(LIST)) == {"SB-THPT1"}


def test_list_filters_by_name_ignoring_diacritics(world):
    assert codes(api(world.officer_a).get(LIST, {"q": "hoa an"})) == {"SA-X1", "SA-TH1", "SA-THCS1"}


def test_list_filters_by_kind_and_parent(world):
    client = api(world.officer_a)
    assert codes(client.get(LIST, {"kind": "school"})) == {"SA-TH1", "SA-THCS1"}
    assert codes(client.get(LIST, {"parent": world.province_a.pk})) == {"SA-X1"}


def test_list_rejects_unknown_kind(world):
    assert api(world.officer_a).get(LIST, {"kind": "castle"}).status_code == 400


def test_list_parent_filter_outside_reach_is_404_like_missing(world):
    client = api(world.officer_a)
    foreign = client.get(LIST, {"parent": world.province_b.pk})
    missing = client.get(LIST, {"parent": 999_999})
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_detail_fields_and_parent_id(world):
    body = api(world.officer_a).get(detail(world.school_a2)).json()
    assert body == {
        "id": world.school_a2.pk,
        "code": "SA-THCS1",
        "name": "Trường THCS Hòa An",
        "kind": "school",
        "levels": ["THCS"],
        "disadvantaged_area": True,
        "status": "active",
        "parent": world.commune_a.pk,
        "depth": 4,
    }


def test_parent_outside_reach_shows_as_null(world):
    body = api(world.officer_a).get(detail(world.province_a)).json()
    assert body["parent"] is None  # the ministry is not the officer's


def test_detail_outside_reach_is_404_like_missing(world):
    client = api(world.principal_b1)
    foreign = client.get(detail(world.school_a1))
    missing = client.get("/api/v1/units/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_create_under_own_unit(world):
    response = api(world.officer_a).post(
        LIST,
        {
            "parent": world.commune_a.pk,
            "code": "sa-mn1",
            "name": "Trường Mầm non Hòa An",
            "kind": "school",
            "levels": ["MN"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "SA-MN1"
    assert body["parent"] == world.commune_a.pk
    assert body["levels"] == ["MN"]
    with system_scope():
        assert AuditEvent.objects.filter(action="unit.create", object_id=str(body["id"])).exists()


def test_create_requires_parent_unless_superuser(world):
    payload = {"code": "NEW", "name": "Sở mới", "kind": "department"}
    response = api(world.officer_a).post(LIST, payload, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()
    admin = make_user("root", superuser=True)
    response = api(admin).post(LIST, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] is None
    assert response.json()["depth"] == 1


def test_create_under_other_province_is_refused_like_missing(world):
    client = api(world.officer_a)
    payload = {"code": "X1", "name": "Trường lạ", "kind": "school"}
    foreign = client.post(LIST, {**payload, "parent": world.province_b.pk}, format="json")
    missing = client.post(LIST, {**payload, "parent": 999_999}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    with system_scope():
        assert not Unit.objects.filter(code="X1").exists()


def test_create_refused_without_change_permission(world):
    response = api(world.principal_a1).post(
        LIST,
        {"parent": world.school_a1.pk, "code": "X2", "name": "Điểm trường", "kind": "other"},
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()


def test_create_rejects_duplicate_code_and_unknown_level(world):
    client = api(world.officer_a)
    base = {"parent": world.commune_a.pk, "name": "Trường", "kind": "school"}
    duplicate = client.post(LIST, {**base, "code": "SA-TH1"}, format="json")
    assert duplicate.status_code == 400
    unknown = client.post(LIST, {**base, "code": "SA-NEW", "levels": ["XYZ"]}, format="json")
    assert unknown.status_code == 400
    assert "levels" in unknown.json()


def test_patch_changes_only_fields_sent(world):
    response = api(world.officer_a).patch(
        detail(world.school_a2),
        {"name": "Trường THCS  Hòa An 2", "status": "closed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Trường THCS Hòa An 2"
    assert body["status"] == "closed"
    assert body["levels"] == ["THCS"]
    assert body["disadvantaged_area"] is True
    assert body["code"] == "SA-THCS1"


def test_patch_replaces_levels(world):
    response = api(world.officer_a).patch(
        detail(world.school_a2), {"levels": ["TH", "THCS"]}, format="json"
    )
    assert sorted(response.json()["levels"]) == ["TH", "THCS"]


def test_patch_rejects_bad_status(world):
    response = api(world.officer_a).patch(
        detail(world.school_a2), {"status": "gone"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_patch_outside_reach_is_404(world):
    response = api(world.principal_b1).patch(detail(world.school_a1), {"name": "X"}, format="json")
    assert response.status_code == 404
    response = api(world.officer_a).patch(detail(world.school_b1), {"name": "X"}, format="json")
    assert response.status_code == 404
    with system_scope():
        assert Unit.objects.get(pk=world.school_b1.pk).name == "Trường THPT Bình Minh"


def test_patch_of_visible_unit_without_change_permission_is_403(world):
    response = api(world.principal_a1).patch(detail(world.school_a1), {"name": "X"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("count", [3, 60])
def test_list_costs_constant_queries(world, count, django_assert_max_num_queries):
    for i in range(count):
        make_unit(f"Trường {i}", parent=world.commune_a, levels=("TH", "THCS"))
    client = api(world.officer_a)
    with django_assert_max_num_queries(7):
        response = client.get(LIST)
    assert len(response.json()["results"]) == min(count + 4, 50)
