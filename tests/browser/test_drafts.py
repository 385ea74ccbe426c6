"""Typed work is never lost (issue 9, item 1), in a real browser at phone width.

A teacher fills BM1 while the session ends (cookie gone, sessions flushed on the server, or
every cookie cleared): the page says the work is not saved, never claims "Đã lưu", keeps the
typing in the browser, and once the teacher signs in again (in place, in a new tab, or from
the friendly CSRF page) what was typed reaches the database.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-2025!"
NOT_SAVED = "Chưa lưu: phiên đăng nhập đã hết hạn"
PLAN_FIELDS = ["improvements", "plan_goals", "plan_content", "plan_timing", "plan_conditions"]


@pytest.fixture(autouse=True)
def _accept_dialogs(phone: Any) -> None:
    phone.on("dialog", lambda dialog: dialog.accept())  # "Nộp phiếu?"


def _open_bm1(page: Any, live_server: Any, ev: Any) -> Evaluation:
    evaluation = ev.start()
    sign_in(page, live_server, "teacher_a1")
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/self/")
    # The autosave works while the session lives.
    page.check("input[name=level_1][value=Tot]")
    expect(page.locator("#save-status .badge-ok")).to_be_visible()
    return evaluation


def _stored(pk: int) -> Evaluation:
    with system_scope():
        return Evaluation.objects.get(pk=pk)


def _type_while_signed_out(page: Any, level: tuple[int, str], strengths: str) -> None:
    number, code = level
    page.check(f"input[name=level_{number}][value={code}]")
    page.fill("#strengths", strengths)
    page.locator("#strengths").blur()
    expect(page.locator("#save-status")).to_contain_text(NOT_SAVED)
    expect(page.locator("#save-status .badge-ok")).to_have_count(0)
    expect(page.locator(".drafts-banner")).to_contain_text("giữ trong trình duyệt")
    # Nothing of the sign-in page was pasted into the form.
    expect(page.locator("#bm1 input[name=username]")).to_have_count(0)


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_expired_session_sign_in_again_in_place_saves_the_typing(phone, live_server, ev):
    evaluation = _open_bm1(phone, live_server, ev)
    phone.context.clear_cookies(name="sessionid")

    _type_while_signed_out(phone, (2, "Kha"), "Tâm huyết với học sinh")
    assert _stored(evaluation.pk).strengths == ""
    _no_sideways_scroll(phone)

    phone.locator(".drafts-banner").get_by_role("button", name="Đăng nhập lại").click()
    dialog = phone.locator("dialog.drafts-dialog")
    dialog.locator("input[name=username]").fill("teacher_a1")
    dialog.locator("input[name=password]").fill(PASSWORD)
    dialog.get_by_role("button", name="Đăng nhập").click()

    expect(phone.locator("#save-status .badge-ok")).to_be_visible()
    expect(dialog).to_be_hidden()
    stored = _stored(evaluation.pk)
    assert stored.self_levels == {"1": "Tot", "2": "Kha"}
    assert stored.strengths == "Tâm huyết với học sinh"
    # Confirmed by the server: the browser's copy is gone.
    assert phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('otm-draft:'))") == []


def test_sessions_flushed_sign_in_again_in_a_new_tab_saves_the_typing(phone, live_server, ev):
    evaluation = _open_bm1(phone, live_server, ev)
    Session.objects.all().delete()  # the server forgot every session (restart, clean-up)

    _type_while_signed_out(phone, (3, "Dat"), "Kiên trì")

    with phone.context.expect_page() as opened:
        phone.locator(".drafts-banner").get_by_role("link", name="Đăng nhập trong thẻ mới").click()
    tab = opened.value
    tab.fill("#id_username", "teacher_a1")
    tab.fill("#id_password", PASSWORD)
    tab.click("button[type=submit]")
    expect(tab.locator("body")).to_contain_text("quay lại thẻ trước")

    phone.bring_to_front()
    expect(phone.locator("#save-status .badge-ok")).to_be_visible()
    stored = _stored(evaluation.pk)
    assert stored.self_levels == {"1": "Tot", "3": "Dat"}
    assert stored.strengths == "Kiên trì"


def test_draft_survives_reload_and_sign_in_and_is_saved(phone, live_server, ev):
    evaluation = _open_bm1(phone, live_server, ev)
    phone.context.clear_cookies(name="sessionid")
    _type_while_signed_out(phone, (4, "ChuaDat"), "Giữ bản nháp")

    phone.reload()  # the session is gone: the sign-in page
    phone.wait_for_url(re.compile(r"/login/"))
    phone.fill("#id_username", "teacher_a1")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(rf"/evaluations/{evaluation.pk}/self/$"))

    expect(phone.locator(".drafts-banner")).to_contain_text("Đã khôi phục bản nháp chưa lưu")
    expect(phone.locator("input[name=level_4][value=ChuaDat]")).to_be_checked()
    expect(phone.locator("#strengths")).to_have_value("Giữ bản nháp")
    expect(phone.locator("#save-status .badge-ok")).to_be_visible()
    stored = _stored(evaluation.pk)
    assert stored.self_levels == {"1": "Tot", "4": "ChuaDat"}
    assert stored.strengths == "Giữ bản nháp"


def test_cookies_cleared_submit_gives_the_friendly_page_and_the_way_back_keeps_the_typing(
    phone, live_server, ev
):
    evaluation = _open_bm1(phone, live_server, ev)
    # A complete form, saved: "Nộp" then really posts (the page checks completeness first).
    for n in range(1, 16):
        phone.check(f"input[name=level_{n}][value=Tot]")
    for name in PLAN_FIELDS:
        phone.fill(f"#{name}", "Tự học qua các mô-đun bồi dưỡng")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Lưu nháp").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    phone.context.clear_cookies()

    _type_while_signed_out(phone, (5, "Kha"), "Sáng tạo trong giảng dạy")

    phone.click("button[name=action][value=submit]")
    expect(phone.locator("h1")).to_have_text("Biểu mẫu chưa được gửi")
    body = phone.locator("main").inner_text()
    assert "CSRF" not in body and "Forbidden" not in body
    _no_sideways_scroll(phone)

    phone.fill("#id_username", "teacher_a1")
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="Đăng nhập và quay lại").click()
    phone.wait_for_url(re.compile(rf"/evaluations/{evaluation.pk}/self/$"))

    expect(phone.locator(".drafts-banner")).to_contain_text("Đã khôi phục bản nháp chưa lưu")
    expect(phone.locator("input[name=level_5][value=Kha]")).to_be_checked()
    expect(phone.locator("#strengths")).to_have_value("Sáng tạo trong giảng dạy")
    expect(phone.locator("#save-status .badge-ok")).to_be_visible()
    stored = _stored(evaluation.pk)
    assert stored.self_levels == {**ev.levels("Tot"), "5": "Kha"}
    assert stored.strengths == "Sáng tạo trong giảng dạy"
    assert stored.status == "draft"  # the refused "Nộp" did not submit behind the teacher's back


def test_any_post_form_keeps_its_typing_across_an_ended_session(phone, live_server, world):
    """Not only BM1: a plain full-page form (a staff record) keeps what was typed until the
    server accepts the post, and the browser forgets its copy once it has."""
    sign_in(phone, live_server, "principal_a1")
    edit = f"{live_server.url}/staff/{world.person_a1.pk}/edit/"
    phone.goto(edit)
    phone.fill("#id_phone", "0912345678")
    phone.context.clear_cookies(name="sessionid")
    phone.get_by_role("button", name="Lưu", exact=True).click()

    phone.wait_for_url(re.compile(r"/login/"))
    phone.fill("#id_username", "principal_a1")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(edit)

    expect(phone.locator(".drafts-banner")).to_contain_text("nhấn nút lưu")
    expect(phone.locator("#id_phone")).to_have_value("0912345678")
    phone.get_by_role("button", name="Lưu", exact=True).click()
    phone.wait_for_url(re.compile(rf"/staff/{world.person_a1.pk}/$"))
    with system_scope():
        world.person_a1.refresh_from_db()
    assert world.person_a1.phone == "0912345678"
    drafts = phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('otm-draft:'))")
    assert drafts == []


def test_a_restored_draft_never_overwrites_a_save_made_elsewhere(phone, live_server, ev):
    """The draft keeps the version it was typed against: restored over a record saved since
    (another device), it is refused with the other person's changes shown, not written over."""
    evaluation = _open_bm1(phone, live_server, ev)
    phone.context.clear_cookies(name="sessionid")
    _type_while_signed_out(phone, (6, "Dat"), "Bản trên điện thoại")

    from opentemis.evaluations import services

    with system_scope():  # meanwhile the teacher saves from another device
        current = _stored(evaluation.pk)
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1,
            evaluation=current,
            version=current.version,
            texts={"strengths": "Bản trên máy tính"},
        )

    phone.reload()
    phone.fill("#id_username", "teacher_a1")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(rf"/evaluations/{evaluation.pk}/self/$"))
    expect(phone.locator(".drafts-banner")).to_contain_text("so sánh hai phiên bản")
    expect(phone.locator("#strengths")).to_have_value("Bản trên điện thoại")
    assert _stored(evaluation.pk).strengths == "Bản trên máy tính"  # nothing overwritten

    with phone.expect_navigation():  # refused, with the differences
        phone.get_by_role("button", name="Lưu nháp").click()
    expect(phone.locator(".alert-error").first).to_contain_text("Bản trên máy tính")
    assert _stored(evaluation.pk).strengths == "Bản trên máy tính"
    expect(phone.locator("#strengths")).to_have_value("Bản trên điện thoại")

    with phone.expect_navigation():  # a conscious choice to keep hers
        phone.get_by_role("button", name="Lưu nháp").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(phone.locator("#strengths")).to_have_value("Bản trên điện thoại")
    assert _stored(evaluation.pk).strengths == "Bản trên điện thoại"
    drafts = phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('otm-draft:'))")
    assert drafts == []


def test_no_connection_says_not_saved_and_sends_again_when_back_online(phone, live_server, ev):
    evaluation = _open_bm1(phone, live_server, ev)
    phone.context.set_offline(True)
    phone.check("input[name=level_7][value=Tot]")
    expect(phone.locator("#save-status")).to_contain_text("Chưa lưu: không kết nối được")
    expect(phone.locator("#save-status .badge-ok")).to_have_count(0)
    assert "7" not in _stored(evaluation.pk).self_levels

    phone.context.set_offline(False)
    expect(phone.locator("#save-status .badge-ok")).to_be_visible()
    assert _stored(evaluation.pk).self_levels == {"1": "Tot", "7": "Tot"}


def test_signing_out_leaves_no_draft_behind(phone, live_server, world):
    sign_in(phone, live_server, "principal_a1")
    phone.goto(f"{live_server.url}/staff/{world.person_a1.pk}/edit/")
    phone.fill("#id_phone", "0987654321")
    phone.wait_for_function(
        "Object.keys(localStorage).some(k => k.startsWith('otm-draft:'))"
    )  # kept while typing
    with phone.expect_navigation():
        phone.get_by_role("button", name="Đăng xuất").click()
    drafts = phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('otm-draft:'))")
    assert drafts == []


def test_a_token_renewed_in_another_tab_does_not_refuse_this_tab(phone, live_server, ev):
    """Signing in again in another tab renews the CSRF cookie: this tab's autosave and its
    full-page "Lưu nháp" still go through instead of meeting a refusal."""
    evaluation = _open_bm1(phone, live_server, ev)
    renewed = {"name": "csrftoken", "value": "R" * 32, "url": live_server.url}
    phone.context.add_cookies([renewed])  # what rotate_token() does at a sign-in elsewhere

    with phone.expect_response(lambda r: "/autosave/" in r.url) as answer:
        phone.check("input[name=level_8][value=Kha]")
    assert answer.value.status == 200
    expect(phone.locator("#save-status .badge-ok")).to_be_visible()
    assert _stored(evaluation.pk).self_levels == {"1": "Tot", "8": "Kha"}

    phone.context.add_cookies([{**renewed, "value": "S" * 32}])
    phone.fill("#strengths", "Sau khi đăng nhập ở tab khác")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Lưu nháp").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    assert _stored(evaluation.pk).strengths == "Sau khi đăng nhập ở tab khác"


def test_a_stale_autosave_is_shown_and_never_overwrites_the_other_save(phone, live_server, ev):
    evaluation = _open_bm1(phone, live_server, ev)
    from opentemis.evaluations import services

    with system_scope():  # another device saves meanwhile
        current = _stored(evaluation.pk)
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1,
            evaluation=current,
            version=current.version,
            levels={"1": "Dat"},
            texts={"strengths": "Từ máy khác"},
        )

    with phone.expect_response(lambda r: "/autosave/" in r.url) as answer:
        phone.check("input[name=level_9][value=Tot]")
    assert answer.value.status == 409
    expect(phone.locator("#save-status .alert-error")).to_contain_text("người khác")
    expect(phone.locator("#save-status .badge-ok")).to_have_count(0)
    with phone.expect_response(lambda r: "/autosave/" in r.url) as again:
        phone.check("input[name=level_10][value=Tot]")
    assert again.value.status == 409  # still refused: the other save is not overwritten
    stored = _stored(evaluation.pk)
    assert stored.self_levels == {"1": "Dat"} and stored.strengths == "Từ máy khác"

    with phone.expect_navigation():
        phone.get_by_role("button", name="Lưu nháp").click()
    expect(phone.locator(".alert-error").first).to_contain_text("Từ máy khác")
    expect(phone.locator("input[name=level_10][value=Tot]")).to_be_checked()


def test_an_htmx_form_submission_confirmed_by_the_server_leaves_no_draft(phone, live_server, world):
    """A form posted through HTMX (the evidence library's "Add a link") is confirmed by its
    2xx answer, even though the answer replaces the form: no false "unsaved draft" later."""
    sign_in(phone, live_server, "teacher_a1")
    phone.goto(f"{live_server.url}/evidence/")
    link = phone.locator("form[action$='/evidence/link/']")
    link.locator("input[type=url]").fill("https://example.org/giao-an")
    phone.wait_for_function("Object.keys(localStorage).some(k => k.startsWith('otm-draft:'))")
    with phone.expect_response(lambda r: r.request.method == "POST") as answer:
        link.get_by_role("button").click()
    assert answer.value.status == 200
    expect(phone.locator("body")).to_contain_text("example.org/giao-an")
    phone.wait_for_timeout(400)  # past the drafts script's 300 ms write delay
    drafts = phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('otm-draft:'))")
    assert drafts == []
    phone.reload()
    expect(phone.locator(".drafts-banner")).to_have_count(0)
