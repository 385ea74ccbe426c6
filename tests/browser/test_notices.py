"""Reminders and notices in a real browser at phone width (issue 9 items 3, 4, 5): the outcome
of a reminder appears next to the form, on screen, without scrolling; a refused send keeps the
officer's ticks; a principal's home page says what waits and leads to the list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.reports import refresh
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def in_viewport(page: Any, selector: str) -> bool:
    """The element's box lies inside the window (fully, to a pixel's rounding)."""
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
            return r.top >= -1 && r.bottom <= window.innerHeight + 1 && r.height > 0; }""",
        selector,
    )


def test_the_reminder_outcome_shows_beside_the_form_on_a_phone(phone, live_server, ev, settings):
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
    page = phone
    sign_in(page, live_server, "officer_a")
    page.goto(f"{live_server.url}/reports/unit/{ev.w.commune_a.pk}/")
    lagging = page.locator("#lagging")
    school_a2 = lagging.locator(f"input[value='{ev.w.school_a2.pk}']")
    school_a2.uncheck()  # only school A1 (its principal has an account)
    button = lagging.get_by_role("button", name="Gửi nhắc nhở")
    button.scroll_into_view_if_needed()
    y_before = page.evaluate("window.scrollY")
    button.click()

    result = page.locator("#remind-result")
    expect(result).to_contain_text("Đã gửi nhắc nhở tới 1 người")
    expect(result).to_contain_text("Trần Thị Hiệu")
    page.wait_for_timeout(300)  # the swap's scroll settles
    assert in_viewport(page, "#remind-result .alert")
    assert in_viewport(page, "#lagging button.btn-primary")
    assert abs(page.evaluate("window.scrollY") - y_before) < 400  # no jump to the page top
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Again within the hour: refused, in place, with the ticks as the officer left them.
    page.locator("#lagging").get_by_role("button", name="Gửi nhắc nhở").click()
    expect(page.locator("#remind-result .alert-error")).to_contain_text("chưa đến một giờ")
    page.wait_for_timeout(300)
    assert in_viewport(page, "#remind-result .alert-error")
    lagging = page.locator("#lagging")
    expect(lagging.locator(f"input[value='{ev.w.school_a1.pk}']")).to_be_checked()
    expect(lagging.locator(f"input[value='{ev.w.school_a2.pk}']")).not_to_be_checked()
    expect(lagging.get_by_role("button", name="Vẫn gửi")).to_be_visible()
    lagging.get_by_role("button", name="Vẫn gửi").click()  # the officer confirms
    expect(page.locator("#remind-result .alert-success")).to_contain_text("Trần Thị Hiệu")
    lagging = page.locator("#lagging")

    # Only school A2 now: nobody there has an account, a warning (not a success).
    lagging.locator(f"input[value='{ev.w.school_a1.pk}']").uncheck()
    lagging.locator(f"input[value='{ev.w.school_a2.pk}']").check()
    lagging.get_by_role("button", name="Gửi nhắc nhở").click()
    warning = page.locator("#remind-result .alert-warning")
    expect(warning).to_contain_text("Chưa ai nhận được nhắc nhở")
    expect(page.locator("#remind-result .alert-success")).to_have_count(0)


def test_a_principal_sees_what_waits_and_opens_the_list(phone, live_server, ev):
    ev.submitted()  # teacher_a1's self-evaluation waits for the principal
    page = phone
    sign_in(page, live_server, "principal_a1")
    waiting = page.locator(".waiting")
    expect(waiting).to_contain_text("1 phiếu tự đánh giá chờ bạn đánh giá")
    waiting.get_by_role("link", name=re.compile("phiếu tự đánh giá chờ")).click()
    page.wait_for_url(re.compile(r"/evaluations/queue/"))
    expect(page.locator("table")).to_contain_text("Nguyễn Văn An")
    # The notice of the submission is in the inbox too.
    page.goto(f"{live_server.url}/notices/")
    expect(page.locator("body")).to_contain_text("Nguyễn Văn An đã nộp phiếu tự đánh giá")
