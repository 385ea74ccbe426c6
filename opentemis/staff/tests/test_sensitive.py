"""Ethnicity on a need-to-know basis (Decree 13/2023/NĐ-CP; decision 0012).

The matrix is generated from the role table: every role of ``accounts.roles.Role`` (a new one
included) is granted on school A2, where Hoàng Thị Đào (ethnicity 02, DTTS) works, and read
through every surface that shows staff records: list page, its DTTS filter, record page, edit
page, API list, API filter, API record, Excel export and its filter. What each role must see
follows from ``ROLE_PERMS``: the sensitive fields where it holds ``staff.sensitive``, "Ẩn" /
``null`` / no column elsewhere, and a 403 with the reason for a filter on them.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.accounts.roles import ROLE_PERMS, Perm, Role
from opentemis.staff.ethnicities import NAMES
from tests.factories import PersonFactory, make_user

MINORITY = NAMES["02"]
REFUSAL = "dữ liệu cá nhân nhạy cảm"  # in the Vietnamese reason of every refusal
BADGE = '<span class="badge" title="Dân tộc thiểu số">DTTS</span>'


def _api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _export_headers(response: Any) -> list[str]:
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [c for c in next(ws.iter_rows(values_only=True)) if c]


def test_the_read_only_viewer_has_no_sensitive_data_and_only_personnel_managers_do() -> None:
    assert Perm.VIEW_STAFF in ROLE_PERMS[Role.VIEWER]
    assert Perm.VIEW_SENSITIVE not in ROLE_PERMS[Role.VIEWER]
    for role, perms in ROLE_PERMS.items():
        if Perm.VIEW_SENSITIVE in perms:
            # Decision 0012: granted only with the keeping of personnel records.
            assert Perm.CHANGE_STAFF in perms, role
        if Perm.VIEW_AUDIT in perms:
            # The audit log shows staff changes, ethnicity before and after included.
            assert Perm.VIEW_SENSITIVE in perms, role


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_sensitive_data_by_role(world: Any, role: Role) -> None:
    perms = ROLE_PERMS[role]
    reads, sees, edits = (
        p in perms for p in (Perm.VIEW_STAFF, Perm.VIEW_SENSITIVE, Perm.CHANGE_STAFF)
    )
    user = make_user(f"matrix_{role.value}", role=role, unit=world.school_a2)
    page, api = world.client_for(user), _api(user)
    a2, unit = world.person_a2, world.school_a2.pk

    # List page: the DTTS badge only for those who may see it.
    response = page.get("/staff/", {"unit": unit})
    if reads:
        assert response.status_code == 200
        html = response.content.decode()
        assert a2.full_name in html
        assert (BADGE in html) is sees
        assert ('name="dtts"' in html) is sees  # no filter offered that would be refused
    else:
        assert response.status_code in (403, 404)

    # List page filtered on DTTS: results, or a 403 that says why (never silently ignored).
    response = page.get("/staff/", {"unit": unit, "dtts": "1"})
    if reads and sees:
        assert response.status_code == 200 and a2.full_name in response.content.decode()
    elif reads:
        assert response.status_code == 403
        assert REFUSAL in response.content.decode()
        assert a2.full_name not in response.content.decode()
    else:
        assert response.status_code in (403, 404)

    # Record page: the ethnicity, or "Ẩn" with the explanation.
    response = page.get(f"/staff/{a2.pk}/")
    if reads:
        html = response.content.decode()
        assert response.status_code == 200
        assert (MINORITY in html) is sees
        assert ("Ẩn" in html) is not sees
    else:
        assert response.status_code == 404

    # Edit page: the ethnicity field only for those who may see it.
    response = page.get(f"/staff/{a2.pk}/edit/")
    if edits:
        assert response.status_code == 200
        assert ('name="ethnicity"' in response.content.decode()) is sees
    else:
        assert response.status_code == 404

    # API list and record: the values, or null (documented in the schema).
    body = api.get("/api/v1/staff/", {"unit": unit}).json() if reads else None
    response = api.get(f"/api/v1/staff/{a2.pk}/")
    if reads:
        row = next(r for r in body["results"] if r["id"] == a2.pk)
        record = response.json()
        for shown in (row, record):
            assert shown["ethnicity"] == ("02" if sees else None)
            assert shown["is_dtts"] is (True if sees else None)
            assert shown["full_name"] == a2.full_name  # the rest of the record is there
    else:
        assert response.status_code == 404
        assert api.get("/api/v1/staff/", {"unit": unit}).status_code == 404

    # API filter on DTTS.
    response = api.get("/api/v1/staff/", {"unit": unit, "dtts": "true"})
    if reads and sees:
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == [a2.pk]
    elif reads:
        assert response.status_code == 403
        assert REFUSAL in response.json()["detail"]
    else:
        assert response.status_code == 404

    # Export: the ethnicity column only for those who may see it; its filter refused otherwise.
    response = page.get("/staff/export.xlsx", {"unit": unit})
    if reads:
        assert response.status_code == 200
        headers = _export_headers(response)
        assert "Họ và tên" in headers
        assert ("Dân tộc" in headers) is sees
    else:
        assert response.status_code == 404
    response = page.get("/staff/export.xlsx", {"unit": unit, "dtts": "1"})
    if reads and sees:
        assert response.status_code == 200
    elif reads:
        assert response.status_code == 403 and REFUSAL in response.content.decode()
    else:
        assert response.status_code == 404


def test_everyone_sees_their_own_ethnicity(world: Any) -> None:
    teacher = make_user("dao", role="teacher", unit=world.school_a2, person=world.person_a2)
    html = world.client_for(teacher).get(f"/staff/{world.person_a2.pk}/").content.decode()
    assert MINORITY in html and "Ẩn" not in html
    body = _api(teacher).get(f"/api/v1/staff/{world.person_a2.pk}/").json()
    assert body["ethnicity"] == "02" and body["is_dtts"] is True


def test_mixed_reach_masks_row_by_row_and_refuses_a_filter_over_the_mix(world: Any) -> None:
    """A viewer of province A who is also principal of school A2: sensitive data of A2 only."""
    user = make_user("mixed", role="viewer", unit=world.province_a)
    user.roles.create(role="principal", unit=world.school_a2)
    kinh_minority_a1 = PersonFactory(unit=world.school_a1, full_name="Lò Văn Sáng", ethnicity="05")
    api = _api(user)
    rows = {r["id"]: r for r in api.get("/api/v1/staff/").json()["results"]}
    assert rows[world.person_a2.pk]["ethnicity"] == "02"
    assert rows[kinh_minority_a1.pk]["ethnicity"] is None
    # The whole reach mixes both: refused. School A2 alone: allowed.
    assert api.get("/api/v1/staff/", {"dtts": "true"}).status_code == 403
    in_a2 = api.get("/api/v1/staff/", {"dtts": "true", "unit": world.school_a2.pk})
    assert [r["id"] for r in in_a2.json()["results"]] == [world.person_a2.pk]
    page = world.client_for(user)
    html = page.get("/staff/", {"unit": world.province_a.pk}).content.decode()
    assert html.count(BADGE) == 1  # A2's DTTS teacher, not A1's
    headers = _export_headers(page.get("/staff/export.xlsx", {"unit": world.province_a.pk}))
    assert "Dân tộc" not in headers


def test_api_write_of_ethnicity_is_refused_without_the_permission(world: Any) -> None:
    """A role that may change staff but not see ethnicity (none today) cannot set it blindly."""
    from opentemis.accounts import roles

    patched = dict(roles.ROLE_PERMS)
    patched[Role.SCHOOL_ADMIN] = roles.ROLE_PERMS[Role.SCHOOL_ADMIN] - {Perm.VIEW_SENSITIVE}
    user = make_user("clerk", role="school_admin", unit=world.school_a2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("opentemis.accounts.permissions.ROLE_PERMS", patched)
        api = _api(user)
        version = api.get(f"/api/v1/staff/{world.person_a2.pk}/").json()["version"]
        response = api.patch(
            f"/api/v1/staff/{world.person_a2.pk}/",
            {"version": version, "ethnicity": "01"},
            format="json",
        )
        assert response.status_code == 403 and REFUSAL in response.json()["detail"]
        ok = api.patch(
            f"/api/v1/staff/{world.person_a2.pk}/",
            {"version": version, "phone": "0912345678"},
            format="json",
        )
        assert ok.status_code == 200 and ok.json()["ethnicity"] is None
        # The edit page has no ethnicity field, and saving it keeps the stored value.
        html = world.client_for(user).get(f"/staff/{world.person_a2.pk}/edit/").content.decode()
        assert 'name="ethnicity"' not in html
    world.person_a2.refresh_from_db()
    assert world.person_a2.ethnicity == "02" and world.person_a2.phone == "0912345678"


def test_openapi_schema_documents_the_masking(world: Any) -> None:
    schema = world.client_for(world.officer_a).get("/api/v1/openapi.json").json()
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert person["ethnicity"]["nullable"] is True
    assert "staff.sensitive" in person["ethnicity"]["description"]
    assert person["is_dtts"]["nullable"] is True
    listing = schema["paths"]["/api/v1/staff/"]["get"]
    assert "403" in listing["responses"]
