"""Take the README screenshots from a running demo server (`make demo`), with Debian's chromium.

Usage: .venv/bin/python scripts/screenshots.py [BASE_URL] [--learning]
(``--learning``: only the online course's two screenshots.)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
BASE = ARGS[0] if ARGS else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{BASE}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{BASE}/")


def learning(browser: Any) -> None:
    """The demo's online course: the teacher's course page on a phone, and the Sở officer's
    progress page of the course's learners."""
    phone = browser.new_page(viewport={"width": 375, "height": 800}, locale="vi-VN")
    sign_in(phone, "giaovien")
    phone.goto(f"{BASE}/learn/")
    phone.locator(".course-card h2 a").first.click()
    phone.wait_for_load_state()
    phone.screenshot(path=str(OUT / "learning-course.png"))
    course = phone.url.rstrip("/").rsplit("/", 1)[-1]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    sign_in(page, "so")
    page.goto(f"{BASE}/learn/courses/{course}/progress/")
    page.screenshot(path=str(OUT / "learning-progress.png"))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        learning(browser)
        if "--learning" in sys.argv:
            browser.close()
            return
        page = browser.new_page(viewport={"width": 1280, "height": 760}, locale="vi-VN")
        page.goto(f"{BASE}/login/")
        page.fill("#id_username", "so")
        page.fill("#id_password", "demo2025")
        page.click("button[type=submit]")
        page.wait_for_url(f"{BASE}/")
        page.goto(f"{BASE}/staff/?q=nguyen+thi")
        page.screenshot(path=str(OUT / "staff-list.png"))
        page.goto(f"{BASE}/units/")
        page.locator(".tree-toggle").first.click()
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "unit-tree.png"))
        mobile = browser.new_page(viewport={"width": 390, "height": 760}, locale="vi-VN")
        mobile.context.add_cookies(page.context.cookies())
        mobile.goto(f"{BASE}/staff/?q=tran")
        mobile.screenshot(path=str(OUT / "staff-list-mobile.png"))
        page.goto(f"{BASE}/reports/")  # the province's TEMIS report
        page.screenshot(path=str(OUT / "report.png"))
        page.locator("#ranking").scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "report-ranking.png"))
        page.goto(f"{BASE}/login/")  # the principal's review of a teacher
        page.context.clear_cookies()
        page.goto(f"{BASE}/login/")
        page.fill("#id_username", "hieutruong")
        page.fill("#id_password", "demo2025")
        page.click("button[type=submit]")
        page.wait_for_url(f"{BASE}/")
        page.goto(f"{BASE}/evaluations/")
        link = page.locator("a[href*='/review/']").first
        if link.count():
            link.click()
            page.wait_for_load_state()
            page.screenshot(path=str(OUT / "evaluation-review.png"))
        browser.close()


if __name__ == "__main__":
    main()
