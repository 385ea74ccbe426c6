"""The self-evaluation form and the poll at phone width (375 x 740), in a real browser.

Issue 9: missing criteria are highlighted and the form goes to the first; evidence is attached
inside each criterion's card and lands there; a file over the limit is refused before it is
sent, with the message beside the input; a level chosen while a file uploads is kept; the poll
about the principal has big tap targets and says at once when it was already answered.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation, EvidenceLink
from opentemis.evaluations.tests.conftest import PLAN
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = {"width": 375, "height": 740}


def _open_self_form(phone: Any, live_server: Any, ev: Any) -> int:
    evaluation = ev.start()
    sign_in(phone, live_server, "teacher_a1")
    phone.goto(f"{live_server.url}/evaluations/{evaluation.pk}/self/")
    return evaluation.pk


def _stored(pk: int) -> Evaluation:
    with system_scope():
        return Evaluation.objects.get(pk=pk)


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def test_missing_criteria_are_highlighted_and_the_first_is_focused(phone, live_server, ev):
    pk = _open_self_form(phone, live_server, ev)
    dialogs: list[str] = []
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    for n in range(1, 16):
        if n not in (5, 9):
            phone.check(f"input[name=level_{n}][value=Kha]")
    for name, text in PLAN.items():
        phone.fill(f"#{name}", text)
    expect(phone.locator("#save-status .badge-ok")).to_be_visible()

    phone.click("button[name=action][value=submit]")
    # No "Submit?" question for an incomplete form: what is missing instead.
    assert dialogs == []
    expect(phone.locator("#c5")).to_have_class(re.compile(r"\bis-missing\b"))
    expect(phone.locator("#c9")).to_have_class(re.compile(r"\bis-missing\b"))
    expect(phone.locator("#c4")).not_to_have_class(re.compile(r"\bis-missing\b"))
    expect(phone.locator("#c5 .missing-note")).to_be_visible()
    expect(phone.locator("#c5")).to_be_in_viewport()
    assert phone.evaluate("document.activeElement.closest('#c5') !== null")
    summary = phone.locator("[data-missing-summary]")
    expect(summary).to_contain_text("Tiêu chí 5")
    expect(summary).to_contain_text("Tiêu chí 9")
    assert phone.url.endswith(f"/evaluations/{pk}/self/")
    _no_sideways_scroll(phone)

    # Choosing a level clears the mark; once complete, the question is asked and submits.
    phone.check("input[name=level_5][value=Tot]")
    expect(phone.locator("#c5")).not_to_have_class(re.compile(r"\bis-missing\b"))
    phone.check("input[name=level_9][value=Tot]")
    phone.click("button[name=action][value=submit]")
    phone.wait_for_url(f"{live_server.url}/evaluations/{pk}/")
    assert len(dialogs) == 1 and "Nộp" in dialogs[0]
    assert _stored(pk).status == "submitted"


def test_an_empty_plan_is_highlighted_and_focused(phone, live_server, ev):
    pk = _open_self_form(phone, live_server, ev)
    dialogs: list[str] = []
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for n in range(1, 16):
        phone.check(f"input[name=level_{n}][value=Tot]")
    phone.fill("#strengths", "Tâm huyết")
    phone.click("button[name=action][value=submit]")
    assert dialogs == []
    expect(phone.locator("#improvements")).to_be_focused()
    expect(phone.locator("#improvements")).to_be_in_viewport()
    for name in ("improvements", "plan_goals", "plan_content"):
        expect(phone.locator(f".form-row:has(#{name})")).to_have_class(re.compile("is-missing"))
    expect(phone.locator(".form-row:has(#strengths)")).not_to_have_class(re.compile("is-missing"))
    assert _stored(pk).status == "draft"


def test_evidence_attached_inside_a_card_lands_on_that_criterion(
    phone, live_server, ev, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    pk = _open_self_form(phone, live_server, ev)
    evidence = tmp_path / "bien-ban.pdf"
    evidence.write_bytes(PDF)
    phone.click("#ev-box-7 summary")
    phone.fill("#ev-title-7", "Biên bản sinh hoạt tổ")
    phone.set_input_files("#ev-file-7", str(evidence))
    phone.click("#ev-box-7 button.btn")
    result = phone.locator("#ev-result-7")
    expect(result).to_contain_text("Đã đính kèm vào tiêu chí 7")
    expect(result).to_be_in_viewport()
    expect(phone.locator("#ev-7")).to_contain_text("Biên bản sinh hoạt tổ")
    expect(phone.locator("#ev-1")).not_to_contain_text("Biên bản")
    assert phone.url.endswith(f"/evaluations/{pk}/self/")  # no navigation, no anchor jump
    with system_scope():
        assert list(EvidenceLink.objects.values_list("criterion", flat=True)) == [7]

    # The same item, from the library, cited in another card; then removed from the first.
    phone.reload()
    phone.click("#ev-box-8 summary")
    phone.select_option("#ev-item-8", label="Biên bản sinh hoạt tổ")
    phone.click("#ev-box-8 button.btn")
    expect(phone.locator("#ev-8")).to_contain_text("Biên bản sinh hoạt tổ")
    phone.click("#ev-7 button")
    expect(phone.locator("#ev-7")).to_contain_text("Chưa có minh chứng")
    with system_scope():
        assert list(EvidenceLink.objects.values_list("criterion", flat=True)) == [8]


def test_an_oversized_file_is_refused_in_the_browser_beside_its_input(
    phone, live_server, ev, tmp_path
):
    _open_self_form(phone, live_server, ev)
    sent: list[int] = []  # sizes of the bodies posted to the evidence endpoint
    phone.on(
        "request",
        lambda r: sent.append(len(r.post_data_buffer or b"")) if "/evidence/" in r.url else None,
    )
    big = tmp_path / "video-tiet-day.pdf"
    with big.open("wb") as handle:  # 30 MB, sparse: nothing is really written
        handle.truncate(30 * 1024 * 1024)
    phone.click("#ev-box-4 summary")
    expect(phone.locator("#ev-limits-4")).to_contain_text("tối đa 10,0")
    phone.set_input_files("#ev-file-4", str(big))
    result = phone.locator("#ev-result-4")
    expect(result).to_have_text(
        re.compile(r"Tệp có dung lượng 30,0\sMB, vượt quá giới hạn 10,0\sMB")
    )
    expect(result).to_be_in_viewport()
    box_input = phone.locator("#ev-file-4").bounding_box()
    box_result = result.bounding_box()
    assert 0 <= box_result["y"] - (box_input["y"] + box_input["height"]) < 80  # right below
    assert phone.eval_on_selector("#ev-file-4", "el => el.files.length") == 0  # not kept
    # Pressing "Attach" anyway sends no file.
    phone.click("#ev-box-4 button.btn")
    expect(result).to_contain_text("Hãy chọn một tệp")  # the server asks for a file
    assert sent and max(sent) < 10_000  # the 30 MB never left the browser

    # A type that is not accepted, likewise.
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ" + b"\0" * 100)
    phone.set_input_files("#ev-file-4", str(exe))
    expect(phone.locator("#ev-result-4")).to_contain_text("Loại tệp này không được chấp nhận")


def test_a_level_chosen_while_a_file_uploads_is_kept(
    phone, live_server, ev, tmp_path, settings, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    from opentemis.evidence import services as evidence_services

    real_upload = evidence_services.evidence_upload

    def slow_upload(**kwargs: Any) -> Any:
        time.sleep(2)  # a slow connection: the person goes on working meanwhile
        return real_upload(**kwargs)

    monkeypatch.setattr(evidence_services, "evidence_upload", slow_upload)
    pk = _open_self_form(phone, live_server, ev)
    evidence = tmp_path / "giao-an.pdf"
    evidence.write_bytes(PDF)
    phone.click("#ev-box-3 summary")
    phone.set_input_files("#ev-file-3", str(evidence))
    phone.click("#ev-box-3 button.btn")
    phone.check("input[name=level_2][value=Tot]")
    phone.fill("#strengths", "Gõ trong lúc tải lên")
    expect(phone.locator("#ev-result-3")).to_contain_text("Đã đính kèm vào tiêu chí 3")
    expect(phone.locator("input[name=level_2][value=Tot]")).to_be_checked()
    expect(phone.locator("#save-status .badge-ok")).to_be_visible()
    phone.reload()
    expect(phone.locator("input[name=level_2][value=Tot]")).to_be_checked()
    stored = _stored(pk)
    assert stored.self_levels == {"2": "Tot"}


def test_the_poll_is_usable_on_a_phone_and_says_when_already_answered(touch_phone, live_server, ev):
    phone = touch_phone
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    sign_in(phone, live_server, "teacher_a1")
    phone.goto(f"{live_server.url}/evaluations/")
    expect(phone.locator("main")).to_contain_text("Hiệu trưởng")  # whom each poll is about
    phone.goto(f"{live_server.url}/evaluations/{evaluation.pk}/poll/")
    expect(phone.locator("h1")).to_contain_text("Hiệu trưởng")
    segments = phone.locator(".segment")
    assert segments.count() == 19 * 4  # 18 criteria and the overall level
    for i in range(segments.count()):
        box = segments.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (i, box)
    expect(segments.first).to_contain_text("Chưa đạt")  # each level labelled
    _no_sideways_scroll(phone)
    for n in range(1, 19):
        phone.locator(f"#c{n} .segment", has_text="Khá").tap()
    phone.locator("#overall .segment", has_text="Tốt").tap()
    expect(phone.locator("input[name=level_18][value=Kha]")).to_be_checked()
    phone.click("button.btn-primary")
    phone.wait_for_url(f"{live_server.url}/evaluations/")

    phone.goto(f"{live_server.url}/evaluations/{evaluation.pk}/poll/")
    expect(phone.locator("#poll-answered")).to_contain_text("Bạn đã trả lời phiếu")
    expect(phone.locator("input[type=radio]")).to_have_count(0)
