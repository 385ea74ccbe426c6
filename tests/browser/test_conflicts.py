"""A conflict seen in a real browser at phone width (375 px): the BM1 autosave meets a save made
elsewhere (another tab or device) and the page shows, field by field, what the other person
saved beside what this person typed, which stays in the form (core/conflicts.py)."""

from __future__ import annotations

import pytest
from django.db.models import F
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def test_autosave_conflict_shows_the_other_save_beside_mine(phone, live_server, ev):
    evaluation = ev.start()
    sign_in(phone, live_server, "teacher_a1")
    phone.goto(f"{live_server.url}/evaluations/{evaluation.pk}/self/")
    with system_scope():  # another tab saves first
        Evaluation.objects.filter(pk=evaluation.pk).update(
            version=F("version") + 1, strengths="Bản từ máy khác"
        )
    phone.fill("#strengths", "Bản của tôi")
    phone.locator("#strengths").blur()
    box = phone.locator("#conflict")
    expect(box).to_contain_text("Chưa lưu")
    row = box.locator('tr[data-field="strengths"]')
    expect(row).to_contain_text("Điểm mạnh")
    expect(row).to_contain_text("Bản từ máy khác")
    expect(row).to_contain_text("Bản của tôi")
    expect(phone.locator("#strengths")).to_have_value("Bản của tôi")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
    with system_scope():
        assert Evaluation.objects.get(pk=evaluation.pk).strengths == "Bản từ máy khác"
