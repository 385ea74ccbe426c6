"""The report page, the report API and the export open the same school year for the same
request (``orgs.selectors.get_school_year``): the current year, else the latest one, when no
``?year=`` is given; the named one; a 404 for an unknown one."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.jobs.models import Job
from opentemis.orgs.models import SchoolYear
from opentemis.reports import api, selectors, views
from tests.factories import make_school_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def years_asked(monkeypatch: Any) -> list[str]:
    """The school year each output asks the report for; no report is built (404 after)."""
    asked: list[str] = []

    def fake(*, actor: Any, unit: Any, school_year: Any) -> Any:
        asked.append(school_year.code)
        raise Http404

    monkeypatch.setattr(selectors, "report_for", fake)
    # Each module that imported the name holds its own reference.
    for module in (views, api):
        monkeypatch.setattr(module, "report_for", fake)
    return asked


def _each_output(world: Any, **query: str) -> list[int]:
    """Ask the page, the API and the export for province A's report; their status codes."""
    pk, user = world.province_a.pk, world.officer_a
    suffix = f"?{urlencode(query)}" if query else ""
    page = world.client_for(user).get(reverse("report_unit", args=[pk]) + suffix)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    api = client.get(f"/api/v1/reports/units/{pk}/{suffix}")
    export = world.client_for(user).post(reverse("report_export", args=[pk, "xlsx"]) + suffix)
    return [page.status_code, api.status_code, export.status_code]


def test_without_a_current_year_all_three_open_the_latest(world, years_asked):
    make_school_year("2024-2025", current=False)
    SchoolYear.objects.update(is_current=False)  # the world's 2025-2026 is now only the latest
    _each_output(world)
    assert years_asked == ["2025-2026"] * 3  # before: the API and the export answered 404


def test_the_year_marked_current_and_a_named_year_are_the_same_everywhere(world, years_asked):
    make_school_year("2024-2025", current=False)
    _each_output(world)
    _each_output(world, year="2024-2025")
    assert years_asked == ["2025-2026"] * 3 + ["2024-2025"] * 3


def test_an_unknown_year_or_none_at_all_is_a_404_everywhere(world, years_asked):
    assert _each_output(world, year="1999-2000") == [404, 404, 404]
    SchoolYear.objects.all().delete()
    assert _each_output(world) == [404, 404, 404]
    assert years_asked == [] and not Job.objects.exists()
