"""axe-core on the main pages, at desktop width and on a phone (375 px): no serious or critical
violation (issue 9). axe-core is vendored under tests/browser/vendor/ (test-only; nothing is
fetched at run time). On failure the message lists every violation with its page and nodes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from opentemis.reports import refresh
from opentemis.reports.snapshots import snapshot_week
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
BLOCKING = ("serious", "critical")
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}


def _violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


@pytest.fixture
def pages(ev: Any, settings: Any) -> dict[str, list[tuple[str, str]]]:
    """The main pages, per account that uses them: (name, path)."""
    settings.REPORT_MIN_CELL = 1
    from opentemis.reports.tests.test_refresh import finalise

    own = ev.start()  # teacher_a1's draft: the self-evaluation form
    to_review = ev.submitted(user=ev.colleague)  # the principal reviews it
    finalised = finalise(ev, ev.leader, ev.levels("Kha"))
    refresh.rebuild(ev.w.year)
    snapshot_week(ev.w.year, dt.date(2026, 5, 20))  # the report's weekly progress
    return {
        "": [("sign-in", reverse("login"))],
        "teacher_a1": [
            ("home, teacher", reverse("home")),
            ("evaluation home", reverse("evaluation_home")),
            ("self-evaluation form", reverse("evaluation_self", args=[own.pk])),
            ("colleagues' opinions", reverse("group_opinions")),
            ("notices", reverse("notice_list")),
        ],
        "principal_a1": [
            ("home, principal", reverse("home")),
            ("review", reverse("evaluation_review", args=[to_review.pk])),
            ("evaluation detail", reverse("evaluation_detail", args=[finalised.pk])),
            ("school roster", reverse("evaluation_school", args=[ev.w.school_a1.pk])),
            ("staff list, school", reverse("staff_list")),
        ],
        "officer_a": [
            ("home, officer", reverse("home")),
            ("cycle page", reverse("cycle_detail", args=[ev.cycle.pk])),
            ("report page", reverse("report_unit", args=[ev.w.province_a.pk])),
            ("staff list", reverse("staff_list")),
            ("unit tree", reverse("unit_tree")),
            ("open a cycle", reverse("cycle_new")),
        ],
    }


@pytest.mark.parametrize("width", list(WIDTHS))
def test_main_pages_have_no_serious_or_critical_axe_violation(browser, live_server, pages, width):
    w, h = WIDTHS[width]
    context = browser.new_context(locale="vi-VN", viewport={"width": w, "height": h})
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: list[str] = []
    try:
        for username, urls in pages.items():
            if username:
                sign_in(page, live_server, username)
            for name, path in urls:
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, (name, path)
                page.wait_for_load_state("load")
                page.wait_for_timeout(150)  # scroll-regions.js marks overflowing tables
                for v in _violations(page):
                    nodes = "\n      ".join(v["nodes"][:5])
                    found.append(
                        f"{name} ({path}): {v['id']} [{v['impact']}] {v['help']}\n      {nodes}"
                    )
    finally:
        context.close()
    assert not found, f"{len(found)} axe violation(s) at {width} width:\n" + "\n".join(found)


def test_phone_menu_button_is_44px_and_works_from_the_keyboard(browser, live_server, ev):
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, live_server, "teacher_a1")
        burger = page.locator("label.nav-burger")
        box = burger.bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
        assert not page.locator("nav.mainnav").is_visible()
        burger.click()
        assert page.locator("nav.mainnav").is_visible()
        burger.click()
        # Keyboard: the checkbox behind the button takes the focus and toggles the menu.
        page.focus("#nav-toggle")
        page.keyboard.press("Space")
        assert page.locator("nav.mainnav").is_visible()
    finally:
        context.close()


def test_a_table_that_scrolls_on_a_phone_is_a_focusable_named_region(
    browser, live_server, ev, settings
):
    settings.REPORT_MIN_CELL = 1
    refresh.rebuild(ev.w.year)
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, live_server, "officer_a")
        page.goto(f"{live_server.url}{reverse('report_unit', args=[ev.w.province_a.pk])}")
        page.wait_for_selector(".table-wrap[data-scroll-region]")
        regions = page.locator(".table-wrap[data-scroll-region]")
        assert regions.count() > 0
        first = regions.first
        assert first.get_attribute("tabindex") == "0"
        assert first.get_attribute("role") == "region"
        assert (first.get_attribute("aria-label") or "").strip()
        # Focused, the arrow keys scroll it sideways.
        first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        assert first.evaluate("el => el.scrollLeft") > 0
        # At desktop width the same table fits: no useless tab stop.
        page.set_viewport_size({"width": 1600, "height": 900})
        page.wait_for_timeout(300)
        fits = page.locator(".table-wrap:not([data-scroll-region])")
        assert fits.count() > 0
    finally:
        context.close()


def test_the_axe_check_does_find_violations(browser, live_server, world):
    """The check above can fail: an unnamed button and a scrolling div without focus are found."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{reverse('login')}")
        page.evaluate(
            """() => {
                const main = document.querySelector("main");
                main.insertAdjacentHTML("beforeend",
                    '<button id="empty"></button>' +
                    '<div id="wide" style="overflow-x:auto;width:200px">' +
                    '<p style="white-space:nowrap">' + "Nguyễn Văn An ".repeat(20) + '</p></div>');
            }"""
        )
        ids = {v["id"] for v in _violations(page)}
        assert {"button-name", "scrollable-region-focusable"} <= ids, ids
    finally:
        context.close()
