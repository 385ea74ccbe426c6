"""Report pages: who sees which unit's report, the figures in the HTML, drill-down, ranking,
small-cell protection, lagging units and reminders, progress history, bounded queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from opentemis.core.scoping import system_scope
from opentemis.reports import refresh
from opentemis.reports.models import CompletionSnapshot
from opentemis.reports.tests.test_refresh import finalise
from tests.factories import PersonFactory, make_school_year, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def exact(settings: Any) -> None:
    settings.REPORT_MIN_CELL = 1  # exact figures; protection has its own test below


@pytest.fixture
def rated(ev: Any, exact: None) -> Any:
    """teacher_a1's evaluation finalised (Khá), summaries rebuilt."""
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha"))
    refresh.rebuild(ev.w.year)
    return ev


def page(user: Any, unit: Any, ev: Any, **query: str) -> Any:
    client = ev.w.client_for(user)
    return client.get(reverse("report_unit", args=[unit.pk]), query)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def unit_url(unit: Any, ev: Any) -> str:
    return f"{reverse('report_unit', args=[unit.pk])}?year={ev.w.year.code}"


def test_officer_sees_the_provinces_figures(rated):
    ev = rated
    response = page(ev.w.officer_a, ev.w.province_a, ev)
    assert response.status_code == 200
    html = text(response)
    assert escape(ev.w.province_a.name) in html and ev.w.year.code in html
    assert "Số liệu tính đến" in html  # as of hh:mm
    # A.1.1, all levels: 4 teachers to evaluate (1 woman, 1 DTTS, 1 woman DTTS, 1 in a
    # disadvantaged area), 1 evaluated and rated = 25 %.
    data = response.context["data"]
    assert data.teachers.completion[0].to_evaluate.values() == [4, 1, 1, 1, 1]
    assert re.search(
        r"Thuộc diện đánh giá</td>\s*<td class=\"num\">4</td>\s*<td class=\"num\">1</td>",
        response.content.decode(),
    )
    assert "25,0%" in html
    # A.1.2: the one finalised evaluation is Khá (100 % of those rated)
    assert "100,0%" in html
    # per-criterion stacked bars, year-over-year chart, managers' section
    assert '<svg class="bar"' in html and '<svg class="chart"' in html
    assert 'id="managers"' in html and "A.2" in html


def test_drill_down_from_province_to_commune_to_school_to_roster(rated):
    ev = rated
    province = text(page(ev.w.officer_a, ev.w.province_a, ev))
    assert f'href="{unit_url(ev.w.commune_a, ev)}"' in province
    commune = text(page(ev.w.officer_a, ev.w.commune_a, ev))
    assert f'href="{unit_url(ev.w.school_a1, ev)}"' in commune
    assert f'href="{unit_url(ev.w.province_a, ev)}"' in commune  # breadcrumb back up
    school = text(page(ev.w.officer_a, ev.w.school_a1, ev))
    assert reverse("evaluation_school", args=[ev.w.school_a1.pk]) in school


def test_other_province_gets_404(rated):
    ev = rated
    assert page(ev.w.officer_a, ev.w.province_b, ev).status_code == 404
    assert page(ev.w.principal_b1, ev.w.province_a, ev).status_code == 404
    assert page(ev.w.officer_a, ev.w.school_b1, ev).status_code == 404


def test_principal_sees_only_their_school_and_no_breadcrumb_above_it(rated):
    ev = rated
    response = page(ev.w.principal_a1, ev.w.school_a1, ev)
    assert response.status_code == 200
    assert response.context["crumbs"] == []
    assert escape(ev.w.commune_a.name) not in text(response)
    assert page(ev.w.principal_a1, ev.w.commune_a, ev).status_code == 404
    assert page(ev.w.principal_a1, ev.w.school_a2, ev).status_code == 404
    home = ev.w.client_for(ev.w.principal_a1).get(reverse("report_home"))
    assert home.status_code == 302 and home.url == unit_url(ev.w.school_a1, ev)


def test_teacher_gets_404_and_no_menu_link(rated):
    ev = rated
    client = ev.w.client_for(ev.w.teacher_a1)
    assert page(ev.w.teacher_a1, ev.w.school_a1, ev).status_code == 404
    assert client.get(reverse("report_home")).status_code == 404
    assert reverse("report_home") not in text(client.get(reverse("home")))
    officer_home = ev.w.client_for(ev.w.officer_a).get(reverse("home"))
    assert f'href="{reverse("report_home")}"' in text(officer_home)


def test_report_home_redirects_to_the_officers_province_and_year_selector_works(rated):
    ev = rated
    client = ev.w.client_for(ev.w.officer_a)
    response = client.get(reverse("report_home"))
    assert response.status_code == 302 and response.url == unit_url(ev.w.province_a, ev)
    last_year = make_school_year("2024-2025", current=False)
    response = page(ev.w.officer_a, ev.w.province_a, ev, year=last_year.code)
    assert response.status_code == 200 and response.context["year"] == last_year
    assert page(ev.w.officer_a, ev.w.province_a, ev, year="1999-2000").status_code == 404


def test_ranking_sorts_by_the_chosen_column(rated):
    ev = rated  # commune A: school A1 (1 of 4 finalised, 25 %), school A2 (0 of 1, 0 %)
    a1, a2 = ev.w.school_a1.name, ev.w.school_a2.name

    def order(**query: str) -> list[str]:
        response = page(ev.w.officer_a, ev.w.commune_a, ev, **query)
        return [c.name for c in response.context["children"]]

    assert order() == [a1, a2]  # by rank
    assert order(sort="rate") == [a2, a1]
    assert order(sort="-rate") == [a1, a2]
    assert order(sort="-to_evaluate") == [a1, a2]
    assert order(sort="nonsense") == [a1, a2]
    html = text(page(ev.w.officer_a, ev.w.commune_a, ev, sort="rate"))
    assert 'aria-sort="ascending"' in html
    assert "sort=-rate" in html  # clicking again reverses


def test_suppressed_cells_render_as_less_than_k_with_an_explanation(ev, settings):
    settings.REPORT_MIN_CELL = 2  # school A2's one DTTS woman must not show
    refresh.rebuild(ev.w.year)
    response = page(ev.w.officer_a, ev.w.province_a, ev)
    html = text(response)
    assert '<abbr class="supp" title="' in html and "&lt;2</abbr>" in html
    assert 'id="small-cells"' in html
    assert response.context["data"].teachers.completion[0].to_evaluate.women_dtts is None


def test_lagging_units_are_listed_with_a_reminder_form(rated):
    ev = rated
    response = page(ev.w.officer_a, ev.w.commune_a, ev)
    lagging = [c.name for c in response.context["lagging"]]
    assert lagging == [ev.w.school_a1.name, ev.w.school_a2.name]  # 25 % and 0 %, both < 80 %
    html = text(response)
    assert f'name="units" value="{ev.w.school_a1.pk}"' in html
    assert "Gửi nhắc nhở" in html
    # a principal may not remind: the list shows without the form
    school = text(page(ev.w.principal_a1, ev.w.school_a1, ev))
    assert 'name="units"' not in school


def remind_result(html: str) -> str:
    """The block beside the reminder form (issue 9 item 5), where the outcome is shown."""
    start = html.index('id="remind-result"')
    return html[start : html.index("</form>", start)]


def test_reminder_post_shows_who_was_reached_beside_the_form(rated):
    from opentemis.notifications.models import Notice

    ev = rated
    client = ev.w.client_for(ev.w.officer_a)
    url = reverse("report_remind", args=[ev.w.commune_a.pk])
    response = client.post(url, {"year": ev.w.year.code, "units": [ev.w.school_a1.pk]}, follow=True)
    assert response.status_code == 200
    # Back on the report at the outcome, which sits next to the form, not in the page's top
    # messages far above the anchor.
    assert response.redirect_chain[-1][0].endswith("#remind-result")
    assert list(response.context["messages"]) == []
    result = remind_result(text(response))
    assert "Đã gửi nhắc nhở tới 1 người" in result and "Trần Thị Hiệu" in result
    assert "alert-warning" not in result
    with system_scope():
        notice = Notice.objects.get(recipient=ev.w.principal_a1)
    assert notice.url == unit_url(ev.w.school_a1, ev)


def test_an_htmx_reminder_answers_the_lagging_section_in_place(rated):
    ev = rated
    client = ev.w.client_for(ev.w.officer_a)
    url = reverse("report_remind", args=[ev.w.commune_a.pk])
    response = client.post(
        url, {"year": ev.w.year.code, "units": [ev.w.school_a1.pk]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith('<section id="lagging"') and "<html" not in html
    assert "Trần Thị Hiệu" in remind_result(html)
    # the ticks as sent: school A1 ticked, A2 not
    assert f'value="{ev.w.school_a1.pk}" id="remind-{ev.w.school_a1.pk}" checked' in html
    assert f'value="{ev.w.school_a2.pk}" id="remind-{ev.w.school_a2.pk}">' in html


def test_a_reminder_that_reaches_nobody_is_a_warning(rated):
    ev = rated  # school A2 has no principal with an account
    client = ev.w.client_for(ev.w.officer_a)
    url = reverse("report_remind", args=[ev.w.commune_a.pk])
    response = client.post(url, {"year": ev.w.year.code, "units": [ev.w.school_a2.pk]}, follow=True)
    result = remind_result(text(response))
    assert "alert-warning" in result and "Chưa ai nhận được nhắc nhở" in result
    assert escape(ev.w.school_a2.name) in result
    assert "alert-success" not in result and "Đã gửi nhắc nhở" not in result


def test_a_refused_reminder_keeps_the_ticks_and_the_message(rated):
    ev = rated
    client = ev.w.client_for(ev.w.officer_a)
    url = reverse("report_remind", args=[ev.w.commune_a.pk])
    chosen = {"year": ev.w.year.code, "units": [ev.w.school_a1.pk], "message": "Hạn cuối 30/5"}
    assert client.post(url, chosen).status_code == 302
    again = client.post(url, chosen)  # within the hour: refused
    assert again.status_code == 400
    html = text(again)
    assert f'value="{ev.w.school_a1.pk}" id="remind-{ev.w.school_a1.pk}" checked' in html
    assert f'value="{ev.w.school_a2.pk}" id="remind-{ev.w.school_a2.pk}">' in html
    assert "Hạn cuối 30/5</textarea>" in html
    result = remind_result(html)
    assert "alert-error" in result and "chưa đến một giờ" in result
    assert 'name="force" value="1"' in html
    forced = client.post(url, {**chosen, "force": "1"})
    assert forced.status_code == 302


def test_reminder_errors_are_shown_beside_the_form(rated):
    ev = rated
    url = reverse("report_remind", args=[ev.w.commune_a.pk])
    nothing = ev.w.client_for(ev.w.officer_a).post(url, {"year": ev.w.year.code})
    assert nothing.status_code == 400
    assert "alert-error" in remind_result(text(nothing))
    viewer = make_user("viewer_a", role="viewer", unit=ev.w.province_a)  # no SEND_REMINDERS
    denied = ev.w.client_for(viewer).post(
        url, {"year": ev.w.year.code, "units": [ev.w.school_a1.pk]}
    )
    assert denied.status_code == 403
    outsider = ev.w.client_for(ev.w.principal_b1).post(url, {"units": [ev.w.school_a1.pk]})
    assert outsider.status_code == 404
    assert ev.w.client_for(ev.w.officer_a).get(url).status_code == 405


def test_progress_history_is_charted_from_weekly_snapshots(rated):
    ev = rated
    monday = dt.date(2026, 3, 2)
    with system_scope():
        for i, finalised in enumerate((0, 1, 2)):
            CompletionSnapshot.objects.create(
                school_year=ev.w.year,
                unit=ev.w.commune_a,
                unit_path=ev.w.commune_a.path,
                week=monday + dt.timedelta(weeks=i),
                to_evaluate=5,
                self_evaluated=3,
                finalised=finalised,
                rank=1,
            )
    response = page(ev.w.officer_a, ev.w.commune_a, ev)
    assert [s.finalised for s in response.context["history"]] == [0, 1, 2]
    html = text(response)
    assert 'id="progress"' in html and "<polyline" in html and "16/03/2026" in html
    assert 'id="progress"' not in text(page(ev.w.officer_a, ev.w.province_a, ev))


def test_export_buttons_post_to_the_export_url(rated):
    ev = rated
    pdf = reverse("report_export", args=[ev.w.province_a.pk, "pdf"])
    html = text(page(ev.w.officer_a, ev.w.province_a, ev))
    assert f'<form method="post" action="{pdf}?year={ev.w.year.code}">' in html


def test_page_queries_are_bounded_and_do_not_grow_with_the_children(
    rated, django_assert_max_num_queries
):
    ev = rated
    client = ev.w.client_for(ev.w.officer_a)
    url = reverse("report_unit", args=[ev.w.commune_a.pk])
    client.get(url)  # warm the user's stored grants, as earlier page views would
    # Constant, whatever the size of the unit: the staff tables and the siblings' DTTS figures
    # are summed by the database, one small grouped query per dimension.
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as two_schools:
        client.get(url)
    with system_scope():
        for i in range(4):
            school = make_unit(f"Trường {i}", parent=ev.w.commune_a, code=f"SA-N{i}")
            PersonFactory(unit=school, staff_code=f"GVN{i}")
    refresh.rebuild(ev.w.year)
    with CaptureQueriesContext(connection) as six_schools:
        response = client.get(url)
    assert len(response.context["children"]) == 6
    assert len(six_schools) == len(two_schools)
