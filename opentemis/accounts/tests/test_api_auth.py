"""REST API v1: token sign-in, lockout, initial passwords, and the public OpenAPI schema."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope

TOKEN = "/api/v1/auth/token/"
PASSWORD = "Mat-khau-2025!"  # tests/factories.make_user's default


def sign_in(username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return APIClient(REMOTE_ADDR="10.0.0.7").post(
        TOKEN, {"username": username, "password": password}, format="json", **extra
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_for_username_and_password(world):
    response = sign_in("officer_a")
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(key=key).user == world.officer_a
    # The same token again, not a new one per sign-in.
    assert sign_in("OFFICER_A").json()["token"] == key
    with system_scope():
        assert AuditEvent.objects.filter(action="auth.api_token", actor=world.officer_a).exists()
    world.officer_a.refresh_from_db()
    assert world.officer_a.last_login is not None


def test_token_for_staff_code(world):
    response = sign_in("hta1")
    assert response.status_code == 200, response.content
    assert Token.objects.get(key=response.json()["token"]).user == world.principal_a1


def test_wrong_password_is_400_without_token(world):
    response = sign_in("officer_a", "wrong")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.filter(user=world.officer_a).exists()


def test_unknown_user_answers_like_wrong_password(world):
    unknown = sign_in("nobody", "wrong")
    wrong = sign_in("officer_a", "wrong")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


def test_missing_fields_are_400(world):
    assert APIClient().post(TOKEN, {}, format="json").status_code == 400


def test_repeated_failures_lock_out_with_json_429(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in("officer_a", "wrong").status_code == 400
    locked = sign_in("officer_a", "wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert "detail" in locked.json()
    # Even the right password is refused while locked out.
    assert sign_in("officer_a").status_code == 429
    assert not Token.objects.filter(user=world.officer_a).exists()
    # Another account from the same address is not locked (lockout is per username + address).
    assert sign_in("principal_b1").status_code == 200


def test_success_clears_earlier_failures(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("officer_a", "wrong")
    assert sign_in("officer_a").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in("officer_a", "wrong").status_code == 400


def test_initial_password_must_be_changed_first(world):
    world.officer_a.must_change_password = True
    world.officer_a.save()
    response = sign_in("officer_a")
    assert response.status_code == 403
    assert not Token.objects.filter(user=world.officer_a).exists()


def test_existing_token_refused_while_initial_password_is_set(world):
    token = Token.objects.create(user=world.officer_a)
    world.officer_a.must_change_password = True
    world.officer_a.save()
    assert with_token(token.key).get("/api/v1/units/").status_code == 403


def test_token_authenticates_and_scopes_api_calls(world):
    key = sign_in("principal_b1").json()["token"]
    client = with_token(key)
    staff = client.get("/api/v1/staff/").json()["results"]
    assert {row["staff_code"] for row in staff} == {"HTB1", "GVB1"}
    assert client.get(f"/api/v1/staff/{world.person_a1.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{world.school_a1.pk}/").status_code == 404


def test_bad_token_is_401(world):
    assert with_token("0" * 40).get("/api/v1/staff/").status_code == 401


def test_delete_revokes_token(world):
    key = sign_in("officer_a").json()["token"]
    client = with_token(key)
    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert client.get("/api/v1/staff/").status_code == 401


def test_delete_requires_authentication(world):
    assert APIClient().delete(TOKEN).status_code == 401


def test_openapi_schema_is_public_json_openapi3(db):
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/staff/",
        "/api/v1/staff/{id}/",
        "/api/v1/auth/token/",
    ):
        assert path in paths
    assert set(paths["/api/v1/staff/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/staff/"]) == {"get", "post"}
    staff_filters = {p["name"] for p in paths["/api/v1/staff/"]["get"]["parameters"]}
    assert {
        "unit",
        "q",
        "position",
        "subject",
        "gender",
        "dtts",
        "core",
        "status",
        "page",
    } <= staff_filters
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert {"version", "is_core", "is_dtts", "positions", "unit"} <= set(person)
    assert "path" not in schema["components"]["schemas"]["Unit"]["properties"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_openapi_schema_validates():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    validate_schema(SchemaGenerator().get_schema(request=None, public=True))
