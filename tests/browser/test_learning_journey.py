"""The online-learning journeys in a real browser (issue 13; Playwright and Debian's chromium):
a teacher takes a whole course (page, video with resume, test, final product), a core teacher
of another school grades the product, and the course's periods land in the teacher's BDTX
ledger; a SCORM 1.2 package's round trip; an answer chosen while the connection is down is
saved when it returns. The learner works on a 375 px phone (no page is wider)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.learning import services
from opentemis.learning.models import ActivityProgress, Enrolment
from opentemis.materials.demo import demo_page, demo_video
from opentemis.packages.demo import demo_scorm
from opentemis.packages.models import Runtime
from opentemis.plans.models import LedgerEntry
from opentemis.products.demo import demo_product
from opentemis.products.models import Submission
from opentemis.quizzes.demo import demo_bank
from opentemis.quizzes.models import Attempt, Slot
from opentemis.site.demo_learning import _correct
from tests.browser.conftest import sign_in
from tests.factories import make_user
from tests.learning_world import LearningWorld, make_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE)


def _until(check: Callable[[], Any], timeout: float = 20) -> Any:
    """Poll ``check`` (a read of the database) until it answers something true."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with system_scope():
            found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MATERIALS_TRANSCODE = False


def _progress(activity: Any) -> ActivityProgress | None:
    return ActivityProgress.objects.filter(activity=activity).first()


def _play(page: Any, seconds: float) -> None:
    page.evaluate(
        """async (ms) => { const v = document.getElementById('player'); v.muted = true;
        await v.play(); await new Promise(r => setTimeout(r, ms)); v.pause(); }""",
        seconds * 1000,
    )


def _play_to_the_end(page: Any) -> None:
    """Play on from where the player stands, twice as fast, until the video ends (the player
    counts a jump of more than 3 s between two "timeupdate" events as a seek, not as watched:
    faster, a busy machine's late events would lose parts of the video)."""
    page.evaluate(
        """async () => { const v = document.getElementById('player'); v.muted = true;
        v.playbackRate = 2; const ended = new Promise(r => v.addEventListener('ended', r,
        { once: true })); await v.play(); await ended; }"""
    )


def _answer(page: Any, slot: Slot) -> None:
    """Choose or type the right answer to ``slot`` on the attempt page."""
    version = slot.question_version
    right = _correct(version)
    box = page.locator(f'fieldset[data-position="{slot.position}"]')
    if version.kind == "single":
        box.locator(f'input[value="{right}"]').check()
    elif version.kind == "multiple":
        for index in right:
            box.locator(f'input[value="{index}"]').check()
    elif version.kind == "truefalse":
        box.locator(f'input[value="{"true" if right else "false"}"]').check()
    else:
        box.locator("input[type=text]").fill(right)


def _open_menu_link(page: Any, name: str) -> None:
    """On a phone the menu is behind the ☰ button."""
    burger = page.locator("label.nav-burger")
    if burger.is_visible():
        burger.click()
    page.get_by_role("link", name=name, exact=True).first.click()


def _full_course(lw: LearningWorld) -> dict[str, Any]:
    """The course of the journey: a page, a video (80 % to watch), the final test after the
    video (the demo bank, must be passed) and the final product (must be graded Đạt)."""
    with system_scope():
        page = lw.activity("page", "Giới thiệu mô-đun")
        demo_page(activity=page)
        video = lw.activity("video", "Video mở đầu", options={"min_watch": 0.8})
        demo_video(activity=video)
        quiz = lw.activity(
            "quiz", "Bài kiểm tra cuối mô-đun", pass_required=True, prerequisites=[video]
        )
        demo_bank(module=lw.module, activity=quiz)
        product = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
        demo_product(activity=product)
    return {"page": page, "video": video, "quiz": quiz, "product": product}


def test_a_teacher_completes_a_course_and_the_periods_reach_the_ledger(
    world: Any,
    phone: Any,
    page: Any,
    live_server: Any,
    tmp_path: Any,
    settings: Any,
) -> None:
    _media(settings, tmp_path)
    lw = make_course(world)
    acts = _full_course(lw)
    with system_scope():
        grader = make_user(
            "cotcan_a2", role="core_teacher", unit=world.school_a2, person=world.person_a2
        )
        services.grader_set(actor=None, course=lw.course, user=grader, unit=world.school_a1)
    title = lw.course.title
    url = live_server.url
    learner = phone
    errors: list[str] = []
    learner.on("pageerror", lambda e: errors.append(str(e)))
    learner.on("dialog", lambda d: d.accept())  # "submit your answers now?"

    # My courses → the course: nothing done, everything missing.
    sign_in(learner, live_server, "teacher_a1")
    _open_menu_link(learner, "Khóa học của tôi")
    expect(learner.locator("h1")).to_have_text("Khóa học của tôi")
    learner.get_by_role("link", name=title).click()
    expect(learner.locator("h1")).to_have_text(title)
    missing = learner.locator(".missing-list")
    for activity in acts.values():
        expect(missing).to_contain_text(activity.title)
    assert fits(learner)

    learner.get_by_role("link", name="Học tiếp: Giới thiệu mô-đun").click()
    expect(learner.locator("h1")).to_have_text("Giới thiệu mô-đun")
    _until(lambda: (p := _progress(acts["page"])) and p.state == "complete")

    # The video: a few seconds, leave, come back: it resumes where it stopped.
    learner.goto(f"{url}/learn/courses/{lw.course.pk}/")
    learner.get_by_role("link", name="Video mở đầu", exact=True).click()
    learner.wait_for_function("document.getElementById('player').readyState >= 1")
    assert fits(learner)
    _play(learner, 3)
    row = _until(lambda: (p := _progress(acts["video"])) and p.data.get("position", 0) > 1 and p)
    assert row.state == "started"
    position = row.data["position"]
    _open_menu_link(learner, "Khóa học của tôi")
    expect(learner.locator("h1")).to_have_text("Khóa học của tôi")
    learner.get_by_role("link", name=title).click()
    expect(learner.locator(".missing-list")).to_contain_text("Video mở đầu")
    learner.get_by_role("link", name="Video mở đầu", exact=True).click()
    learner.wait_for_function(
        "document.getElementById('player').readyState >= 1"
        " && document.getElementById('player').currentTime > 1"
    )
    assert abs(learner.evaluate("document.getElementById('player').currentTime") - position) < 1
    _play_to_the_end(learner)
    row = _until(lambda: (p := _progress(acts["video"])) and p.state == "complete" and p)
    assert row.data["watched"] >= 0.8
    expect(learner.locator("#video-status")).to_contain_text("Hoàn thành")

    # The final test: start, answer everything right, submit: Đạt.
    learner.goto(f"{url}/learn/courses/{lw.course.pk}/")
    learner.get_by_role("link", name="Bài kiểm tra cuối mô-đun", exact=True).click()
    learner.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(learner.locator("#quiz-form")).to_be_visible()
    assert fits(learner)
    with system_scope():
        attempt = Attempt.objects.get(enrolment=lw.enrolment)
        slots = list(attempt.slots.select_related("question_version").order_by("position"))
    assert len(slots) == 10
    for slot in slots:
        _answer(learner, slot)
    _until(lambda: attempt.slots.filter(saved_at__isnull=False).count() == len(slots))
    learner.locator("#quiz-form").get_by_role("button", name="Nộp").click()
    expect(learner.locator("main")).to_contain_text("Điểm lần làm bài này: 10/10")
    expect(learner.locator("main .badge-ok").first).to_have_text("Đạt")
    assert fits(learner)
    _until(lambda: (p := _progress(acts["quiz"])) and p.state == "passed")

    # The final product: a text, handed in; then sign out.
    learner.goto(f"{url}/learn/courses/{lw.course.pk}/")
    learner.get_by_role("link", name="Sản phẩm cuối khóa", exact=True).click()
    form = learner.locator("#submit")
    form.locator("textarea").fill("Kế hoạch kiểm tra, đánh giá chủ đề Phân số, Toán lớp 4.")
    form.get_by_role("button", name="Nộp").click()
    expect(learner.locator("main")).to_contain_text("Chờ chấm")
    expect(learner.locator("main")).to_contain_text("chủ đề Phân số")
    assert fits(learner)
    learner.get_by_role("button", name="Đăng xuất").click()
    learner.wait_for_url(f"{url}/login/")

    # The core teacher of the other school grades it Đạt with a comment.
    sign_in(page, live_server, "cotcan_a2")
    page.goto(f"{url}/learn/products/{acts['product'].pk}/queue/")
    waiting = page.locator("section.card").first
    expect(waiting).to_contain_text("Nguyễn Văn An")
    waiting.get_by_role("link", name="Chấm").click()
    expect(page.locator("h1")).to_have_text("Nguyễn Văn An")
    grade = page.locator("#grade")
    grade.locator('input[name=verdict][value="passed"]').check()
    grade.locator("textarea[name=comments]").fill("Kế hoạch đầy đủ, đạt yêu cầu.")
    grade.get_by_role("button", name="Lưu kết quả chấm").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu kết quả chấm")
    with system_scope():
        submission = Submission.objects.get(enrolment=lw.enrolment)
    assert (submission.status, submission.grader_id) == ("passed", grader.pk)
    assert submission.comments == "Kế hoạch đầy đủ, đạt yêu cầu."

    # The teacher again: the course is completed and its periods are in the ledger.
    sign_in(learner, live_server, "teacher_a1")
    learner.goto(f"{url}/learn/")
    learner.get_by_role("link", name=title).click()
    completion = learner.locator("#completion")
    expect(completion).to_contain_text("Hoàn thành")
    expect(completion).to_contain_text("10 tiết")
    expect(learner.locator(".missing-list")).to_have_count(0)
    assert fits(learner)
    with system_scope():
        enrolment = Enrolment.objects.get(pk=lw.enrolment.pk)
        assert enrolment.status == "completed"
        assert enrolment.ledger_entry_id is not None
        entry = LedgerEntry.objects.get(pk=enrolment.ledger_entry_id)
    assert title in entry.description
    completion.get_by_role("link").click()
    expect(learner.locator("h1")).to_contain_text("Sổ theo dõi BDTX")
    expect(learner.locator("main")).to_contain_text(entry.description)
    assert fits(learner)
    assert not errors


def test_a_scorm_package_round_trip(
    world: Any, phone: Any, live_server: Any, tmp_path: Any, settings: Any
) -> None:
    _media(settings, tmp_path)
    lw = make_course(world)
    with system_scope():
        activity = lw.activity("scorm", "Bài học tương tác", pass_required=True)
        package = demo_scorm(activity=activity)

    def runtime() -> Runtime | None:
        return Runtime.objects.filter(package=package, enrolment=lw.enrolment).first()

    sign_in(phone, live_server, "teacher_a1")
    phone.goto(f"{live_server.url}/learn/courses/{lw.course.pk}/")
    phone.get_by_role("link", name="Bài học tương tác", exact=True).click()
    badge = phone.locator("#package-state")
    expect(badge).to_have_attribute("data-state", "started")  # the content said "incomplete"
    frame = phone.frame_locator("#package-frame")
    # The package's three questions; the right choices are 1, 2 and 0 (demo/builder.py).
    for question, choice in enumerate((1, 2, 0)):
        frame.locator(f'input[name="q{question}"][value="{choice}"]').check()
    frame.get_by_role("button", name="Nộp bài").click()
    expect(frame.locator("#result")).to_contain_text("Đạt.")
    expect(badge).to_have_attribute("data-state", "passed")
    expect(badge).to_have_text("Đạt")
    assert fits(phone)
    row = _until(lambda: (r := runtime()) and r.state == "passed" and r)
    assert row.data["cmi.core.lesson_status"] == "passed"
    assert float(row.data["cmi.core.score.raw"]) == 100
    assert row.score == 100
    assert _until(lambda: (p := _progress(activity)) and p.state == "passed")

    phone.reload()
    expect(badge).to_have_attribute("data-state", "passed")
    expect(badge).to_have_text("Đạt")
    expect(phone.locator("#package-score")).to_contain_text("100")
    expect(frame.locator('input[name="q0"][value="1"]')).to_be_checked()  # suspend_data kept
    with system_scope():
        assert runtime().state == "passed"  # type: ignore[union-attr]


def test_an_answer_chosen_offline_is_saved_when_the_connection_returns(
    world: Any, phone: Any, live_server: Any
) -> None:
    lw = make_course(world)
    with system_scope():
        activity = lw.activity("quiz", "Bài kiểm tra", pass_required=True)
        demo_bank(module=lw.module, activity=activity)
    sign_in(phone, live_server, "teacher_a1")
    # The page's timers stand still: its resend every 10 s cannot save the answer, only the
    # page's answer to the connection's return can.
    phone.clock.install()
    phone.goto(f"{live_server.url}/learn/quiz/{activity.pk}/")
    phone.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(phone.locator("#quiz-form")).to_be_visible()
    with system_scope():
        attempt = Attempt.objects.get(enrolment=lw.enrolment)
        slot = (
            attempt.slots.select_related("question_version")
            .filter(question_version__kind__in=["single", "multiple", "truefalse"])
            .order_by("position")
            .first()
        )
    assert slot is not None
    box = phone.locator(f'fieldset[data-position="{slot.position}"]')

    phone.context.set_offline(True)
    _answer(phone, slot)
    expect(box.locator(".quiz-state")).to_have_text("Chưa lưu: sẽ gửi lại khi có kết nối")
    expect(phone.locator("#quiz-net")).to_have_text("Chưa lưu: sẽ gửi lại khi có kết nối")
    with system_scope():
        assert Slot.objects.get(pk=slot.pk).saved_at is None  # nothing arrived

    phone.context.set_offline(False)  # chromium fires "online": the page sends it again
    expect(box.locator(".quiz-state")).to_have_text("Đã lưu")
    expect(phone.locator("#quiz-net")).to_have_text("")
    saved = _until(lambda: (s := Slot.objects.get(pk=slot.pk)).saved_at and s)
    assert saved.response == _correct(slot.question_version)
