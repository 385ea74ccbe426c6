"""The BDTX plan in a real browser: a teacher opens the plan suggested from their evaluation,
swaps a module, sets its periods in place, writes the objectives and outputs and submits; the
principal approves it with two other submitted plans at once. Phone-sized screenshots of the
plan page, the approval page and one plan under review are kept for a person to look at
(/tmp/bdtx-*-375.png), each checked by axe-core and for sideways scrolling."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.plans import services
from opentemis.plans.models import Plan, PlanStatus
from opentemis.plans.tests.conftest import pw  # noqa: F401 - the plan world
from opentemis.training.models import Module, Programme
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _violations
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/bdtx-plan-375.png"
APPROVALS_SCREENSHOT = "/tmp/bdtx-approvals-375.png"
REVIEW_SCREENSHOT = "/tmp/bdtx-review-375.png"


def _two_more_submitted(pw: Any) -> list[Plan]:  # noqa: F811 - the fixture's value
    plans = []
    for n, name in ((1, "Đặng Thị Thu"), (2, "Phan Văn Hạ")):
        person = PersonFactory(unit=pw.w.school_a1, staff_code=f"GVJ{n}", full_name=name)
        user = make_user(f"gvj{n}", role="teacher", unit=pw.w.school_a1, person=person)
        plan = pw.ready(user)
        with system_scope():
            plans.append(services.plan_submit(actor=user, plan=plan))
    return plans


def _p03(person_id: int) -> list[Any]:
    with system_scope():
        plan = Plan.objects.get(person_id=person_id)
        return list(plan.items.filter(programme=Programme.P03).select_related("module"))


def test_teacher_swaps_a_module_and_submits_principal_approves_three(
    page: Any,
    phone: Any,
    live_server: Any,
    pw: Any,  # noqa: F811 - the fixture
) -> None:
    others = _two_more_submitted(pw)
    sign_in(page, live_server, "teacher_a1")
    page.click("nav.mainnav a:has-text('Kế hoạch BDTX')")
    page.wait_for_url(re.compile(r"/bdtx/ke-hoach/"))
    expect(page.locator("h1")).to_contain_text("Kế hoạch BDTX của tôi")
    expect(page.locator(".plan-why").first).to_contain_text("Tiêu chí 5 ở mức Chưa đạt")
    expect(page.locator(".plan-why", has_text="Tiêu chí 6 ở mức Đạt")).to_be_visible()

    # The phone view of the suggested plan, kept for a person to look at.
    sign_in(phone, live_server, "teacher_a1")
    phone.goto(f"{live_server.url}/bdtx/ke-hoach/")
    phone.screenshot(path=SCREENSHOT, full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the plan page scrolls sideways on a phone ({width} px)"
    assert _violations(phone) == []  # axe-core: no serious or critical violation

    # Remove the last suggested module, add GVPT 09 instead.
    suggested = _p03(pw.w.person_a1.pk)
    dropped = suggested[-1]
    page.locator(f"#item-{dropped.pk} .plan-item-remove button").click()
    expect(page.locator(f"#item-{dropped.pk}")).to_have_count(0)
    with system_scope():
        module = Module.objects.get(catalogue_id=dropped.module.catalogue_id, code="GVPT 09")
    page.select_option("#add-module", str(module.pk))
    page.click("button:has-text('Thêm mô-đun')")
    added = next(i for i in _p03(pw.w.person_a1.pk) if i.module_id == module.pk)
    card = page.locator(f"#item-{added.pk}")
    expect(card).to_contain_text("GVPT 09")

    # Its periods make programme 03 whole again: saved in place, the totals follow.
    rest = sum(i.hours for i in _p03(pw.w.person_a1.pk) if i.pk != added.pk)
    card.locator(f"#id_i{added.pk}-hours").fill(str(40 - rest))
    card.locator(f"#id_i{added.pk}-form").select_option("ket_hop")
    expect(card.locator(".item-status .badge-ok")).to_be_visible()
    expect(page.locator("#plan-totals [data-programme='03']")).to_contain_text("40/40")

    page.fill("#id_objectives", "Đổi mới kiểm tra, đánh giá theo định hướng phát triển năng lực")
    page.fill("#id_outputs", "Bộ đề kiểm tra và kế hoạch bài dạy áp dụng")
    page.click("button[name=action][value=submit]")
    expect(page.locator(".alert-success")).to_contain_text("đã được nộp")
    expect(page.locator(".plan-status")).to_contain_text("Đã nộp")
    with system_scope():
        plan = Plan.objects.get(person=pw.w.person_a1)
    assert plan.status == PlanStatus.SUBMITTED

    # The principal approves the three submitted plans at once.
    sign_in(page, live_server, "principal_a1")
    page.goto(f"{live_server.url}/bdtx/duyet/")
    expect(page.locator(".plan-count[data-status='submitted']")).to_have_text("(3)")
    sign_in(phone, live_server, "principal_a1")
    phone.goto(f"{live_server.url}/bdtx/duyet/")
    phone.screenshot(path=APPROVALS_SCREENSHOT, full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the approval page scrolls sideways on a phone ({width} px)"
    assert _violations(phone) == []
    phone.click(f"a[href='/bdtx/duyet/{plan.pk}/']")
    expect(phone.locator("#decide")).to_contain_text("Phê duyệt kế hoạch")
    phone.screenshot(path=REVIEW_SCREENSHOT, full_page=True)
    assert _violations(phone) == []
    for chosen in [plan, *others]:
        page.check(f"#pick-{chosen.pk}")
    page.click("button:has-text('Phê duyệt các kế hoạch đã chọn')")
    expect(page.locator(".alert-success")).to_contain_text("3")
    expect(page.locator(".plan-count[data-status='approved']")).to_have_text("(3)")
    for chosen in [plan, *others]:
        chosen.refresh_from_db()
        assert chosen.status == PlanStatus.APPROVED
