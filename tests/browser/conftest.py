"""Real-browser journeys: Playwright driving Debian's chromium (no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from opentemis.evaluations.tests.conftest import ev  # noqa: F401 - evaluation journeys

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body (fixtures) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        # A failure, not a skip: a browser run that ran nothing must not look green.
        pytest.fail("chromium is not installed (apt-get install chromium, or set CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db: Any) -> None:
    """Positions, subjects and school levels come from data migrations; a live-server test
    flushes every table when it ends, so the next one loads them again (as migrate did)."""
    from django.apps import apps

    from opentemis.staff.models import Position
    from opentemis.staff.reference import load_reference_data

    if not Position.objects.exists():
        load_reference_data(apps, None)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _phone_page(browser: Any, *, touch: bool) -> Iterator[Any]:
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 375, "height": 740}, has_touch=touch
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A cheap phone's screen: 375 px wide, Vietnamese (clicks, as a mouse or stylus would)."""
    yield from _phone_page(browser, touch=False)


@pytest.fixture
def touch_phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """The same phone with a touch screen, for tests that tap."""
    yield from _phone_page(browser, touch=True)


def sign_in(page: Any, live_server: Any, username: str, password: str = "Mat-khau-2025!") -> None:
    """Sign in through the real login form (cookies of a previous user cleared first)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
