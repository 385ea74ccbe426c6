"""The video player in a real browser (Playwright and Debian's chromium, on a 375 px phone):
it plays, reports when paused (sendBeacon), resumes where the learner stopped, and keeps what
was watched offline until the connection returns (``make test-browser``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress
from opentemis.materials import demo
from tests.browser.conftest import sign_in
from tests.learning_world import make_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _until(check: Callable[[], Any], timeout: float = 15) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def _play(page: Any, seconds: float) -> None:
    page.evaluate(
        """async (ms) => { const v = document.getElementById('player'); v.muted = true;
        await v.play(); await new Promise(r => setTimeout(r, ms)); v.pause(); }""",
        seconds * 1000,
    )


def test_the_player_reports_resumes_and_survives_offline(
    world: Any,
    phone: Any,
    live_server: Any,
    tmp_path: Any,
) -> None:
    with override_settings(MEDIA_ROOT=str(tmp_path), MATERIALS_TRANSCODE=False):
        lw = make_course(world)
        with system_scope():
            video = lw.activity("video", "Video mở đầu")
            demo.demo_video(activity=video)

        def progress() -> Any:
            with system_scope():
                return ActivityProgress.objects.filter(activity=video).first()

        answers: list[Any] = []
        phone.on("response", lambda r: answers.append((r.url, r.status)))
        phone.on("console", lambda m: answers.append(("console", m.text)))
        phone.on("pageerror", lambda m: answers.append(("pageerror", str(m))))
        sign_in(phone, live_server, "teacher_a1")
        phone.goto(f"{live_server.url}/learn/video/{video.pk}/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        _play(phone, 3)
        row = _until(lambda: (p := progress()) and p.data.get("position", 0) > 1 and p)
        assert row.state == "started"
        assert row.data["intervals"][0][1] > 1
        position = row.data["position"]

        phone.reload()
        phone.wait_for_function("document.getElementById('player').readyState >= 1")
        resumed = phone.evaluate("document.getElementById('player').currentTime")
        assert abs(resumed - position) < 1

        phone.context.set_offline(True)
        _play(phone, 2)
        kept = phone.evaluate(
            "JSON.parse(localStorage.getItem(document.getElementById('player').dataset.key))"
        )
        assert kept["pending"] is True
        assert progress().data["position"] == position  # nothing arrived
        phone.context.set_offline(False)
        phone.evaluate("window.dispatchEvent(new Event('online'))")
        _until(lambda: progress().data["position"] > position + 1)
        _until(lambda: phone.locator("#video-status").inner_text().startswith("Đang xem"))
