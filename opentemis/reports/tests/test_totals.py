"""One total, one format: the headline, the year comparison and the weekly progress agree
(issue 9: the headline said 1.356 teachers beside 1519 people in the other two)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from opentemis.reports import refresh
from opentemis.reports.snapshots import snapshot_week
from opentemis.reports.templatetags.report_tags import number
from opentemis.reports.tests.test_refresh import finalise
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(ev: Any, settings: Any) -> Any:
    """Province A with a teacher finalised and a manager (principal) to evaluate, snapshotted."""
    settings.REPORT_MIN_CELL = 1
    from opentemis.core.scoping import system_scope

    with system_scope():
        PersonFactory(unit=ev.w.school_a2, full_name="Đỗ Văn Hiệu", positions=["HT"])
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha"))
    refresh.rebuild(ev.w.year)
    snapshot_week(ev.w.year, dt.date(2026, 5, 20))
    client = ev.w.client_for(ev.w.officer_a)
    return client.get(reverse("report_unit", args=[ev.w.province_a.pk]))


def test_headline_year_comparison_and_weekly_progress_count_the_same_people(report):
    data = report.context["data"]
    teachers = data.teachers.completion[0].to_evaluate.total
    managers = data.managers.completion[0].to_evaluate.total
    assert managers > 0  # the fixture has managers too: a teachers-only headline would differ
    everyone = data.totals.to_evaluate
    assert everyone == teachers + managers
    this_year = data.years[-1]
    last_week = report.context["history"][-1]
    assert this_year.to_evaluate == last_week.to_evaluate == everyone
    assert this_year.finalised == last_week.finalised == data.totals.finalised
    assert this_year.rate == last_week.rate == data.totals.rate


def test_the_three_show_the_same_figures_on_the_page(report):
    html = re.sub(r"\s+", " ", report.content.decode())
    data = report.context["data"]
    shown = number(data.totals.to_evaluate)
    headline = re.search(r'id="headline">.*?<div class="stat">([^<]+)</div>', html)
    assert headline and headline.group(1) == shown
    years = html.split('id="years"', 1)[1]
    progress = html.split('id="progress"', 1)[1].split('id="years"', 1)[0]
    year_row = re.search(rf"<td>{data.school_year}</td><td class=\"num\">([^<]+)</td>", years)
    week_row = re.search(r"<td>\d\d/\d\d/\d{4}</td><td class=\"num\">([^<]+)</td>", progress)
    assert year_row and week_row
    assert year_row.group(1) == week_row.group(1) == shown


def test_counts_are_written_with_the_vietnamese_thousands_separator():
    with translation.override("vi"):
        assert number(1519) == "1.519"
        assert number(1356) == "1.356"
        assert number(12) == "12"
    with translation.override("en"):
        assert number(1519) == "1,519"
