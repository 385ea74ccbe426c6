"""The BDTX ledger on a phone (375 px, issue 12 items 5-6): a teacher adds self-study with a
file, the principal confirms it from the school page and computes the results; no page is
wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from opentemis.evidence.tests import files
from opentemis.plans.tests.conftest import pw  # noqa: F401 - the plan world
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = 375


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE)


def test_a_teacher_adds_hours_and_the_principal_confirms_on_a_phone(
    phone: Any,
    live_server: Any,
    pw: Any,  # noqa: F811 - the fixture imported above
    tmp_path: Any,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    pw.open()
    certificate = tmp_path / "thu-hoach.pdf"
    certificate.write_bytes(files.pdf())
    page = phone
    sign_in(page, live_server, "teacher_a1")
    page.goto(f"{live_server.url}/bdtx/ledger/")
    expect(page.locator("h1")).to_contain_text("Sổ theo dõi BDTX")
    assert fits(page)
    form = page.locator("#add")
    form.locator("#id_programme").select_option("03")
    form.locator("#id_hours").fill("2,5")
    form.locator("#id_date").fill("2025-12-01")
    form.locator("#id_description").fill("Tự học mô đun GVPT 06")
    form.locator("#id_file").set_input_files(str(certificate))
    form.get_by_role("button", name="Thêm").click()
    expect(page.locator(".alert-success")).to_contain_text("chờ hiệu trưởng xác nhận")
    expect(page.locator("main")).to_contain_text("Tự học mô đun GVPT 06")
    assert fits(page)

    sign_in(page, live_server, "principal_a1")
    page.goto(f"{live_server.url}/bdtx/schools/ledger/")
    waiting = page.locator("#waiting")
    expect(waiting).to_contain_text("Nguyễn Văn An")
    assert fits(page)
    waiting.locator("input[name=entry]").first.check()
    page.get_by_role("button", name="Xác nhận các bản ghi đã chọn").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã xác nhận 1 bản ghi")
    page.locator("#results").get_by_role("button", name="Tính kết quả").click()
    expect(page.locator("#results")).to_contain_text("Không hoàn thành")
    assert fits(page)
