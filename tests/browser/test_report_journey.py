"""The officer's TEMIS report journey in a real browser: the province dashboard, drill-down to a
school, a reminder to a lagging unit, and the report downloaded as PDF."""

import re

import pytest
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.notifications.models import Notice
from opentemis.reports import refresh
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_officer_drills_down_reminds_a_lagging_unit_and_downloads_the_pdf(
    page, live_server, ev, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORT_MIN_CELL = 1
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
        )
    refresh.rebuild(ev.w.year)

    sign_in(page, live_server, "officer_a")
    page.click("nav >> text=Báo cáo TEMIS")
    page.wait_for_url(re.compile(rf"/reports/unit/{ev.w.province_a.pk}/"))
    expect(page.locator("h1")).to_contain_text("Tỉnh An")
    expect(page.locator("body")).to_contain_text("Số liệu tính đến")

    # Drill down: the commune from the ranking, then the school.
    page.click(f"#ranking a[href^='/reports/unit/{ev.w.commune_a.pk}/']")
    page.wait_for_url(re.compile(rf"/reports/unit/{ev.w.commune_a.pk}/"))
    page.click(f"#ranking a[href^='/reports/unit/{ev.w.school_a2.pk}/']")
    page.wait_for_url(re.compile(rf"/reports/unit/{ev.w.school_a2.pk}/"))
    expect(page.locator("h1")).to_contain_text(ev.w.school_a2.name)

    # Back to the commune: school A1 has 1 of 4 finalised, below group A; remind its principal.
    page.goto(f"{live_server.url}/reports/unit/{ev.w.commune_a.pk}/")
    lagging = page.locator("#lagging")
    for box in lagging.locator("input[type=checkbox]").all():
        if box.get_attribute("value") != str(ev.w.school_a1.pk):
            box.uncheck()
    lagging.locator("button").click()
    expect(page.locator(".messages, [role=status], .alert").first).to_be_visible()
    with system_scope():
        notice = Notice.objects.get(unit=ev.w.school_a1, kind="reminder")
    assert notice.recipient_id == ev.w.principal_a1.pk
    sign_in(page, live_server, "principal_a1")  # the principal sees it in the inbox
    page.goto(f"{live_server.url}/notices/")
    expect(page.locator("body")).to_contain_text(notice.title)
    sign_in(page, live_server, "officer_a")

    # The report as PDF: a background job, then the download.
    page.goto(f"{live_server.url}/reports/unit/{ev.w.province_a.pk}/")
    page.click("form[action*='/reports/export/'][action*='/pdf/'] button")
    page.wait_for_url(re.compile(r"/jobs/\d+/"))
    link = page.locator("#job-progress a.btn")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(4) == b"%PDF"
