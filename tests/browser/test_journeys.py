import re

import pytest
from axes.models import AccessAttempt
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _login(page, live_server, username, password="Mat-khau-2025!"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_principal_searches_without_diacritics_and_opens_record(page, live_server, world):
    _login(page, live_server, "HTA1")  # a principal signs in with the staff code
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=Cán bộ, giáo viên")
    page.fill("#id_q", "nguyen van an")
    page.keyboard.press("Enter")
    # The school's list has two people before the search; wait for the filtered one (the
    # search swaps the results in place, so the link alone proves nothing).
    expect(page.locator("#results tbody tr")).to_have_count(1)
    link = page.get_by_role("link", name="Nguyễn Văn An")
    link.click()
    page.wait_for_url(re.compile(r"/staff/\d+/$"))
    assert page.locator("h1").inner_text().startswith("Nguyễn Văn An")
    assert "GVA1" in page.content()


def test_failed_logins_lock_only_that_account(page, live_server, world):
    for _ in range(5):
        _login(page, live_server, "officer_a", "sai-mat-khau")
    _login(page, live_server, "officer_a")
    assert "tạm khóa" in page.content()
    assert AccessAttempt.objects.count() == 1
    _login(page, live_server, "principal_a1")
    page.wait_for_url(f"{live_server.url}/")
