"""Grading that never stalls, in a real browser (issue 14 item 3; Playwright and Debian's
chromium): a core teacher opens "Bài chờ chấm của tôi" from the menu of a 375 px phone and grades
the two products of their caseload, oldest first, each from the queue and back to it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from opentemis.cascade.models import Caseload
from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress, ProgressState
from opentemis.products import services
from opentemis.products.demo import demo_product
from opentemis.products.models import Submission, SubmissionStatus
from opentemis.staff.models import CoreDesignation, Subject
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory, make_user
from tests.learning_world import make_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


def test_a_core_teacher_grades_two_products_from_the_queue(
    phone: Any, live_server: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    lw = make_course(world)
    activity = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
    with system_scope():
        demo_product(activity=activity)
        core = PersonFactory(unit=world.school_a1, full_name="Cốt Cán Một", subjects=["TOAN"])
        CoreDesignation.objects.create(
            person=core, school_year=world.year, subject=Subject.objects.get(code="TOAN")
        )
        make_user("cot_can", role="core_teacher", unit=world.school_a1, person=core)
        learners = []
        for index, name in enumerate(("Đào Thị Một", "Đào Thị Hai")):
            person = PersonFactory(unit=world.school_a2, full_name=name, subjects=["TOAN"])
            user = make_user(f"hv{index}", role="teacher", unit=world.school_a2, person=person)
            Caseload.objects.create(
                school_year=world.year, learner=person, core=core, unit_path=person.unit_path
            )
            services.submission_submit(
                actor=user, activity=activity, enrolment=lw.enrol(person), text=f"Bài của {name}"
            )
            learners.append(name)
    page = phone
    sign_in(page, live_server, "cot_can")
    page.locator("label.nav-burger").click()  # the phone's menu leads to the queue
    page.locator("nav.mainnav").get_by_role("link", name="Bài chờ chấm của tôi").click()
    for name in learners:
        page.wait_for_url(f"{live_server.url}/learn/products/mine/")
        expect(page.locator("h1")).to_have_text("Bài chờ chấm của tôi")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        first_row = page.locator("table tbody tr").first
        expect(first_row).to_contain_text(name)  # the oldest first
        first_row.get_by_role("link").click()
        expect(page.locator("h1")).to_have_text(name)
        page.locator("#grade input[value=passed]").check()
        page.fill("#grade textarea[name=comments]", "Đạt yêu cầu.")
        page.locator("#grade button[type=submit]").click()  # back to the queue
    page.wait_for_url(f"{live_server.url}/learn/products/mine/")
    expect(page.locator("table tbody tr").first).to_contain_text("Không có bài nào đang chờ")
    with system_scope():
        statuses = set(Submission.objects.values_list("status", flat=True))
        # The grade reached each learner's course progress (the one door, progress_record).
        progress = sorted(
            ActivityProgress.objects.filter(activity=activity).values_list(
                "enrolment__person__full_name", "state"
            )
        )
    assert statuses == {SubmissionStatus.PASSED}
    assert progress == sorted((name, ProgressState.PASSED) for name in learners)
