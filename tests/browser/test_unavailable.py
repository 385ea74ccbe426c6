"""The "system is busy" page (database unreachable) and a failed job's "Run again" button, at
phone width in a real browser: readable without sideways scrolling, the way on in reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_busy_page_fits_a_phone(phone, live_server, world, monkeypatch):
    sign_in(phone, live_server, "principal_a1")
    from opentemis.site import views

    def refused(**kwargs: Any) -> Any:
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(views.org_selectors, "home_overview", refused)
    response = phone.goto(f"{live_server.url}/")
    assert response is not None and response.status == 503
    expect(phone.locator("h1")).to_contain_text("Hệ thống đang bận")
    expect(phone.get_by_text("công việc của bạn đã được giữ lại")).to_be_visible()
    again = phone.get_by_role("link", name="Thử lại")
    expect(again).to_be_visible()
    assert again.bounding_box()["x"] + again.bounding_box()["width"] <= PHONE["width"]
    assert fits(phone)
    monkeypatch.undo()  # the database is back: "Try again" brings the page
    again.click()
    expect(phone.locator("h1")).not_to_contain_text("Hệ thống đang bận")


def test_a_failed_job_offers_run_again_on_a_phone(phone, live_server, world, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    gate = tmp_path / "open"
    gate.touch()  # the job runs straight through when started again
    job = jobs.job_create(actor=world.principal_a1, kind="evaluations.print_school")
    Job.objects.filter(pk=job.pk).update(
        task_path="opentemis.jobs.tests.tasks.blocking_job", task_args=[str(gate)]
    )
    job.refresh_from_db()
    jobs.job_fail(job=job, message=jobs.INTERRUPTED)
    sign_in(phone, live_server, "principal_a1")
    phone.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(phone.get_by_role("alert")).to_contain_text("Công việc bị gián đoạn")
    button = phone.get_by_role("button", name="Chạy lại")
    expect(button).to_be_visible()
    assert fits(phone)
    button.click()  # tests run tasks at once: the job is done when the page comes back
    expect(phone.get_by_role("link", name="Tải về ok.txt")).to_be_visible()
    expect(phone.get_by_role("button", name="Chạy lại")).to_have_count(0)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)
