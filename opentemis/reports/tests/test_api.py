"""The report through the REST API: same figures as the selector, same scoping, in the schema."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.reports import refresh
from opentemis.reports.tests.test_refresh import finalise

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_report_json_for_the_officer_and_404_outside(ev, settings):
    settings.REPORT_MIN_CELL = 1
    finalise(ev, ev.w.teacher_a1, ev.levels("Tot"))
    refresh.rebuild(ev.w.year)
    url = f"/api/v1/reports/units/{ev.w.province_a.pk}/?year={ev.w.year.code}"
    response = api(ev.w.officer_a).get(url)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["unit_code"] == "SA"
    assert data["teachers"]["completion"][0]["to_evaluate"]["total"] == 4
    assert data["teachers"]["ratings"][0]["by_rating"]["Tot"]["total"] == 1
    assert data["as_of"]
    assert api(ev.w.principal_b1).get(url).status_code == 404
    assert api(ev.w.teacher_a1).get(url).status_code == 404
    missing = f"/api/v1/reports/units/{ev.w.province_a.pk}/?year=1999-2000"
    assert api(ev.w.officer_a).get(missing).status_code == 404


def test_report_is_in_the_openapi_schema(db):
    schema = APIClient().get("/api/v1/openapi.json").json()
    assert "/api/v1/reports/units/{id}/" in schema["paths"]
    assert "Report" in schema["components"]["schemas"]
