"""The input guard and the id helpers of core/params.py (tests/test_hostile_input.py walks
every route; these pin the behaviour down, the routes of issue 10 included)."""

from __future__ import annotations

import json

import pytest
from django.db import DataError
from django.http import HttpResponse, QueryDict
from django.test import Client, override_settings
from django.urls import reverse

from opentemis.core.params import (
    MAX_ID,
    InputGuardMiddleware,
    InvalidParameter,
    ModelMultipleIdField,
    id_param,
    parse_positive_int,
)
from opentemis.core.scoping import system_scope
from opentemis.core.views import bad_request
from opentemis.evaluations.tests import conftest as evaluation_world
from opentemis.orgs.models import SchoolLevel
from tests.factories import make_user
from tests.test_vietnamese_crawl import english_on_page

ev = evaluation_world.ev  # the evaluation world (a fixture)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        (12, 12),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-3", None),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("٣", None),  # an Arabic-Indic digit: int() reads it, no id is written so
        ("9" * 5000, None),  # int() refuses more than 4,300 digits
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_positive_int_reads_ascii_whole_numbers_in_range(value, expected):
    assert parse_positive_int(value) == expected


def test_id_param_is_none_when_absent_and_400_when_not_an_id():
    assert id_param(QueryDict("unit=12"), "unit") == 12
    assert id_param(QueryDict("unit="), "unit") is None
    assert id_param(QueryDict(""), "unit") is None
    for bad in ("abc", "²", str(2**63)):
        with pytest.raises(InvalidParameter):
            id_param(QueryDict(f"unit={bad}"), "unit")


def test_multiple_id_field_refuses_an_out_of_range_id_as_a_form_error(db):
    field = ModelMultipleIdField(queryset=SchoolLevel.objects.all(), required=False)
    with pytest.raises(Exception) as refused:
        field.clean([str(2**63)])
    assert refused.type.__name__ == "ValidationError"
    assert refused.value.code == "invalid_pk_value"


# --- the guard -----------------------------------------------------------------------------


@pytest.fixture
def officer(world) -> Client:
    return world.client_for(world.officer_a)


ISSUE_ROUTES = [
    "/reports/?year=%00",
    "/reports/unit/{province}/?year=%00",
    "/api/v1/reports/units/{province}/?year=%00",
    "/units/?q=%00",
    "/units/{school}/move/?target_q=%00",
    "/accounts/?q=%00",
    "/audit/?action=%00",
]


@pytest.mark.parametrize("route", ISSUE_ROUTES)
def test_nul_byte_in_a_query_parameter_is_a_400_on_the_routes_of_the_issue(world, route):
    admin = Client()
    admin.force_login(make_user("root", superuser=True))
    url = route.format(province=world.province_a.pk, school=world.school_a1.pk)
    response = admin.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/json"
        assert "ký tự" in response.json()["detail"]
    else:
        page = response.content.decode()
        assert '<html lang="vi"' in page
        assert "Yêu cầu có chứa ký tự không thể gõ được" in page


def test_control_characters_are_refused_but_line_breaks_and_tabs_are_not(officer, world):
    url = reverse("unit_tree")
    assert officer.get(url, {"q": "Hòa\tAn\r\n"}).status_code == 200
    for char in ("\x00", "\x01", "\x1b", "\x0b"):
        assert officer.get(url, {"q": f"Hòa{char}An"}).status_code == 400
    assert officer.get(url, {f"q{chr(0)}": "x"}).status_code == 400  # in a name too
    assert officer.get("/units/%00/").status_code == 400  # and in the path


def test_over_long_values_are_refused_with_the_limit_in_the_message(officer, world):
    url = reverse("unit_tree")
    with override_settings(INPUT_MAX_QUERY_VALUE=50, INPUT_MAX_FORM_VALUE=80):
        assert officer.get(url, {"q": "a" * 50}).status_code == 200
        response = officer.get(url, {"q": "a" * 51})
        assert response.status_code == 400
        assert "tối đa 50 ký tự" in response.content.decode()
        response = officer.post(reverse("unit_edit", args=[world.school_a1.pk]), {"name": "a" * 81})
        assert response.status_code == 400
        assert "tối đa 80 ký tự" in response.content.decode()


def test_the_api_refuses_nul_and_over_long_strings_in_json_bodies_with_json(world):
    client = Client()
    client.force_login(world.principal_a1)
    url = f"/api/v1/staff/{world.person_a1.pk}/"
    body = {"version": 1, "full_name": "An", "positions": ["GV\u0000"]}
    response = client.patch(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    with override_settings(INPUT_MAX_FORM_VALUE=100):
        body = {"version": 1, "levels": {"1": "x" * 101}}
        response = client.patch(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "tối đa 100 ký tự" in response.json()["detail"]


def test_a_non_id_where_a_page_reads_an_id_is_a_friendly_400(officer, rf):
    response = officer.get(reverse("staff_list"), {"unit": "²"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Đường dẫn hoặc biểu mẫu có một số hiệu bản ghi không tồn tại." in page
    assert english_on_page(page, ["officer_a"]) == []  # no parameter name shown to a person
    # Django's handler400: a program is told which parameter.
    response = bad_request(rf.get("/api/v1/evaluations/"), InvalidParameter("cycle"))
    assert response.status_code == 400
    assert json.loads(response.content) == {"detail": "“cycle” phải là số hiệu của một bản ghi."}


def test_the_evidence_criterion_of_a_self_evaluation_is_checked_not_parsed(ev):
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    url = reverse("evaluation_evidence", args=[evaluation.pk])
    for criterion in ("²", str(2**63), "9" * 5000, "x"):
        response = client.post(url, {"criterion": criterion, "url": "https://example.edu.vn"})
        assert response.status_code == 302  # back to the form, with the refusal as a message
    with system_scope():
        assert not evaluation.person.evidence_items.exists()


def test_a_value_the_database_refuses_is_a_logged_400_as_a_last_resort(rf, caplog):
    guard = InputGuardMiddleware(lambda request: HttpResponse())
    request = rf.get("/api/v1/staff/")
    try:
        raise DataError("value too long for type character varying(20)")
    except DataError as exc:
        response = guard.process_exception(request, exc)
    assert response is not None and response.status_code == 400
    assert "không thể lưu" in json.loads(response.content)["detail"]
    assert "/opentemis/core/tests/test_params.py:" in response.input_net  # where it was raised
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert guard.process_exception(request, ValueError("a bug, not input")) is None
