"""The cascade's journeys in a real browser (issue 14 "Tests"; Playwright and Debian's chromium):

* a province officer reads this week's ranking (desktop) and reminds the lagging school; its
  principal reads the notice on a 375 px phone; a second reminder reaches nobody;
* a stranger verifies a certificate by the QR code printed on its PDF (rendered with
  ``pdftoppm`` and decoded with ``zbarimg``, as a phone's camera would), on a 375 px phone,
  before and after it is revoked.

The screenshots go to ``$SCREENSHOTS`` when it is set (``SCREENSHOTS=docs/screenshots`` to
refresh the documentation's), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from opentemis.accounts.models import User
from opentemis.certificates import codes
from opentemis.certificates import services as certificates
from opentemis.certificates.models import Certificate, CertificateStatus
from opentemis.core.scoping import system_scope
from opentemis.learning import services as learning
from opentemis.learning.models import Enrolment, EnrolmentStatus, ProgressState
from opentemis.notifications.models import Notice
from opentemis.orgs.models import Unit
from opentemis.reports.data import percent
from opentemis.tracking import selectors as tracking_selectors
from opentemis.tracking import services as tracking
from opentemis.tracking.models import SchoolReminder
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory, make_unit, make_user
from tests.learning_world import LearningWorld, make_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


def _shot(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE)


def _named(user: User, name: str) -> User:
    """Give an account the holder's name (the confirmation shows accounts by name)."""
    user.first_name = name
    user.save(update_fields=["first_name"])
    return user


# --- an officer reads this week's ranking and reminds a lagging school -------------------------


def _learners(lw: LearningWorld, unit: Unit, *, completed: int, started: int, idle: int) -> None:
    """Learners of ``unit`` in the course, through the learning services: ``completed`` finish
    its one required page, ``started`` open it, ``idle`` never come."""
    page = lw.course.activities.get()
    with system_scope():
        for count, state in (
            (completed, ProgressState.COMPLETE),
            (started, ProgressState.STARTED),
            (idle, None),
        ):
            for _ in range(count):
                enrolment = lw.enrol(PersonFactory(unit=unit))
                if state is not None:
                    learning.progress_record(enrolment=enrolment, activity=page, state=state)


def _recount(units: list[Unit], course_pk: int) -> dict[int, tuple[int, int]]:
    """(enrolled, completed) of each unit's subtree, counted from the enrolments themselves."""
    with system_scope():
        rows = list(
            Enrolment.objects.filter(course_id=course_pk)
            .exclude(status=EnrolmentStatus.LEFT)
            .values_list("unit_path", "status")
        )
    return {
        u.pk: (
            sum(1 for path, _s in rows if path.startswith(u.path)),
            sum(1 for path, s in rows if path.startswith(u.path) and s == "completed"),
        )
        for u in units
    }


def _shown_rate(rate: float | None) -> str:
    """A rate as the Vietnamese page prints it (a decimal comma)."""
    with translation.override("vi"):
        return str(formats.localize(rate))


def _ranking_table(page: Any) -> Any:
    section = page.locator("section.card", has=page.get_by_role("heading", name="Xếp hạng"))
    return section.locator("table")


def _ranking(page: Any) -> list[dict[str, str]]:
    """The ranking table as the officer reads it: rank, unit, %, group of each row (columns
    found by their headings)."""
    table = _ranking_table(page)
    column = _columns(table)
    rows = []
    for row in table.locator("tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.append({name: cells[index] for name, index in column.items()})
    return rows


RANKING_COLUMNS = {"rank": "#", "unit": "Đơn vị", "rate": "%", "group": "Nhóm"}


def _columns(table: Any) -> dict[str, int]:
    headings = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    return {name: headings.index(label) for name, label in RANKING_COLUMNS.items()}


def test_an_officer_reads_the_week_s_ranking_and_reminds_a_lagging_school(
    page: Any, browser: Any, live_server: Any, world: Any, tmp_path: Path
) -> None:
    w = world
    lw = make_course(w)  # province A's course; teacher A1 is enrolled and never comes
    lw.activity("page", "Đọc tài liệu hướng dẫn")
    with system_scope():
        commune_b = make_unit("Xã Hòa Bình", parent=w.province_a, kind="commune", code="SA-X2")
        school_c = make_unit(
            "Trường Tiểu học Hòa Bình", parent=commune_b, kind="school", code="SA-X2-TH"
        )
        principal_a2 = _named(
            make_user(
                "principal_a2",
                role="principal",
                unit=w.school_a2,
                person=PersonFactory(unit=w.school_a2, full_name="Lý Văn Tốt", positions=["HT"]),
            ),
            "Lý Văn Tốt",
        )
        principal_c = _named(
            make_user(
                "principal_c",
                role="principal",
                unit=school_c,
                person=PersonFactory(unit=school_c, full_name="Đinh Thị Khá", positions=["HT"]),
            ),
            "Đinh Thị Khá",
        )
        principal_a1 = _named(w.principal_a1, "Trần Thị Hiệu")
    # School A1: 0 of 3 completed (group C); school A2: 2 of 2 (group A); commune A: 2 of 5
    # (40 %, group C, to remind); Hòa Bình: 3 of 4 (75 %, group B).
    _learners(lw, w.school_a1, completed=0, started=1, idle=1)
    _learners(lw, w.school_a2, completed=2, started=0, idle=0)
    _learners(lw, school_c, completed=3, started=1, idle=0)
    tracking.snapshot_week(day=timezone.localdate())
    counts = _recount([w.commune_a, commune_b, w.school_a1, w.school_a2], lw.course.pk)
    expected_groups = {w.commune_a.pk: "C", commune_b.pk: "B", w.school_a1.pk: "C"}
    expected_groups[w.school_a2.pk] = "A"

    def expected(units: list[Unit]) -> list[dict[str, str]]:
        rows = []
        for unit in units:
            enrolled, completed = counts[unit.pk]
            rows.append(
                {
                    "unit": unit.name,
                    "rate": _shown_rate(percent(completed, enrolled)),
                    "group": expected_groups[unit.pk],
                }
            )
        return rows

    # The officer, at a desktop: the menu's "Tiến độ hằng tuần" opens the province's week.
    sign_in(page, live_server, "officer_a")
    page.locator("nav.mainnav").get_by_role("link", name="Tiến độ hằng tuần").click()
    page.wait_for_url(re.compile(rf"/tracking/unit/{w.province_a.pk}/"))
    expect(page.locator("h1")).to_contain_text(w.province_a.name)
    shown = _ranking(page)
    assert [{k: r[k] for k in ("unit", "rate", "group")} for r in shown] == expected(
        [commune_b, w.commune_a]
    )
    assert [r["rank"] for r in shown] == ["1", "2"]
    assert (counts[w.commune_a.pk], counts[commune_b.pk]) == ((5, 2), (4, 3))
    to_remind = page.locator("section.card", has=page.get_by_role("heading", name="cần nhắc"))
    expect(to_remind.locator("li")).to_have_text([f"{w.commune_a.name} (40,0 %)"])

    # Down to commune A: its schools, one in group A and one in group C.
    page.locator(f"a[href^='/tracking/unit/{w.commune_a.pk}/']").first.click()
    page.wait_for_url(re.compile(rf"/tracking/unit/{w.commune_a.pk}/"))
    shown = _ranking(page)
    assert [{k: r[k] for k in ("unit", "rate", "group")} for r in shown] == expected(
        [w.school_a2, w.school_a1]
    )
    page.screenshot(path=str(_shot(tmp_path, "tracking-ranking.png")), full_page=True)

    # Back to the province (the breadcrumb); the confirmation names who will be told.
    page.locator("nav.breadcrumb").get_by_role("link", name=w.province_a.name).click()
    page.wait_for_url(re.compile(rf"/tracking/unit/{w.province_a.pk}/"))
    page.get_by_role("link", name="Nhắc nhở các đơn vị chậm tiến độ").click()
    page.wait_for_url(re.compile(rf"/tracking/unit/{w.province_a.pk}/remind/"))
    plan = page.locator("table tbody")
    expect(plan.locator("tr")).to_have_count(1)
    expect(plan).to_contain_text(w.school_a1.name)
    expect(plan).to_contain_text(principal_a1.get_full_name())
    for name in (principal_a2.get_full_name(), principal_c.get_full_name(), w.school_a2.name):
        expect(plan).not_to_contain_text(name)
    assert not Notice.objects.filter(kind="learning").exists()  # nothing sent before the click
    page.get_by_role("button", name="Gửi lời nhắc").click()
    page.wait_for_url(re.compile(rf"/tracking/unit/{w.province_a.pk}/\?"))
    expect(page.locator(".messages [role=status]")).to_be_visible()
    with system_scope():
        told = list(Notice.objects.filter(kind="learning").values_list("recipient_id", flat=True))
    assert told == [principal_a1.pk]

    # On a phone the ranking's rate and group show without scrolling the table sideways.
    page.set_viewport_size({"width": PHONE, "height": 740})
    expect(page.locator(".messages [role=status]")).to_be_visible()
    assert _fits(page)
    table = _ranking_table(page)
    first, column = table.locator("tbody tr").first, _columns(table)
    for name in ("rate", "group"):
        box = first.locator("td").nth(column[name]).bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE
    page.set_viewport_size({"width": 1280, "height": 900})

    # Again: the confirmation says it was done and offers no button; the service sends nothing.
    page.get_by_role("link", name="Nhắc nhở các đơn vị chậm tiến độ").click()
    expect(page.locator("table tbody")).to_contain_text("Đã nhắc trong tuần này")
    expect(page.get_by_role("button", name="Gửi lời nhắc")).to_have_count(0)
    with system_scope():
        view = tracking_selectors.unit_week(
            actor=w.officer_a,
            unit=w.province_a,
            school_year=w.year,
            week=timezone.localdate(),
        )
        again = tracking.remind_lagging(actor=w.officer_a, view=view)
        assert (len(again.schools), again.people) == (0, 0)
        assert Notice.objects.filter(kind="learning").count() == 1
        assert SchoolReminder.objects.count() == 1

    # The principal of school A1, on a 375 px phone: the notice under "Thông báo".
    context = browser.new_context(locale="vi-VN", viewport={"width": PHONE, "height": 740})
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        sign_in(phone, live_server, "principal_a1")
        phone.locator("label.nav-burger").click()
        phone.locator("nav.mainnav").get_by_role("link", name=re.compile("Thông báo")).click()
        phone.wait_for_url(re.compile(r"/notices/"))
        title = f"Tiến độ hằng tuần: {w.school_a1.name} đang chậm tiến độ"
        expect(phone.locator("main")).to_contain_text(title)
        assert _fits(phone)
        phone.get_by_role("link", name=title).click()
        expect(phone.locator("h1")).to_have_text(title)
        assert _fits(phone)
        phone.get_by_role("link", name="Mở").click()  # the school's own week
        phone.wait_for_url(re.compile(rf"/tracking/unit/{w.school_a1.pk}/"))
        expect(phone.locator("h1")).to_contain_text(w.school_a1.name)
        assert _fits(phone)
    finally:
        context.close()


# --- a stranger verifies a certificate by its QR code ------------------------------------------


def _tool(name: str) -> str:
    """A command-line tool the journey needs: a clear failure (never a skip) when missing."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: apt-get install poppler-utils zbar-tools "
            "(pdftoppm renders the certificate, zbarimg reads its QR code)"
        )
    return found


def _qr_of(pdf: Path) -> tuple[Path, str]:
    """The PDF's page as a PNG (150 dpi), and what its QR code says."""
    png = pdf.with_suffix("")
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "150", "-singlefile", str(pdf), str(png)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    decoded = subprocess.run(
        [_tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{png}.png"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert decoded.returncode == 0, f"no QR code read on the certificate: {decoded.stderr}"
    return Path(f"{png}.png"), decoded.stdout.strip()


def test_a_stranger_verifies_a_certificate_by_its_qr_code(
    phone: Any, browser: Any, live_server: Any, world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.SITE_URL = live_server.url  # what the QR code carries
    w = world
    lw = make_course(w)  # teacher A1 (Nguyễn Văn An) is enrolled
    reading = lw.activity("page", "Đọc tài liệu hướng dẫn")
    with system_scope():
        certificates.issuer_save(
            actor=None,
            unit=w.province_a,
            values={
                "parent_name": "Ủy ban nhân dân Tỉnh An",
                "name": "Sở Giáo dục và Đào tạo Tỉnh An",
                "signer_name": "Trần Văn Ký",
                "signer_title": "Giám đốc",
                "place": "Tỉnh An",
            },
        )
        # The learner completes the course: the certificate follows, after the commit.
        learning.progress_record(
            enrolment=lw.enrolment, activity=reading, state=ProgressState.COMPLETE
        )
        certificate = Certificate.objects.get(person=w.person_a1)
    assert certificate.status == CertificateStatus.VALID

    # The holder, on a phone: the notice leads to "Chứng nhận của tôi", then the PDF.
    sign_in(phone, live_server, "teacher_a1")
    phone.locator("label.nav-burger").click()
    phone.locator("nav.mainnav").get_by_role("link", name=re.compile("Thông báo")).click()
    phone.get_by_role("link", name="Thầy/cô đã được cấp Chứng nhận hoàn thành mô đun").click()
    phone.get_by_role("link", name="Mở").click()
    phone.wait_for_url(f"{live_server.url}/certificates/")
    expect(phone.locator("h1")).to_have_text("Chứng nhận của tôi")
    menu = phone.locator("nav.mainnav")  # the (folded) menu leads here too
    expect(menu.locator("a[href='/certificates/']")).to_have_text("Chứng nhận của tôi")
    card = phone.locator("article.card")
    expect(card).to_contain_text(lw.course.title)
    expect(card).to_contain_text(codes.printed(certificate.code))
    assert _fits(phone)
    href = card.get_by_role("link", name="Tải bản PDF").get_attribute("href")
    answer = phone.context.request.get(f"{live_server.url}{href}")  # the holder's session
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(answer.body())
    rendering, url = _qr_of(pdf)
    shutil.copy(rendering, _shot(tmp_path, "certificate-pdf.png"))
    assert url == f"{live_server.url}/certificates/verify/{certificate.code}/"

    # A stranger scans it: a fresh browser, nobody signed in, a 375 px phone.
    context = browser.new_context(locale="vi-VN", viewport={"width": PHONE, "height": 740})
    stranger = context.new_page()
    stranger.set_default_timeout(15_000)
    try:
        stranger.goto(url)
        expect(stranger.locator("h1")).to_have_text("Tra cứu chứng nhận")
        found = stranger.locator("main section.card")
        expect(found).to_contain_text("Chứng nhận hợp lệ")
        facts = found.locator("dl.facts")
        expect(facts).to_contain_text("Nguyễn V. A.")  # Nguyễn Văn An, masked
        expect(facts).not_to_contain_text("Nguyễn Văn An")
        expect(facts).to_contain_text(lw.course.title)
        expect(facts).to_contain_text("Sở Giáo dục và Đào tạo Tỉnh An")
        expect(facts).to_contain_text(codes.printed(certificate.code))
        for private in ("17/05/1985", w.school_a1.name, w.person_a1.staff_code):
            expect(stranger.locator("body")).not_to_contain_text(private)
        expect(stranger.locator("nav.mainnav")).to_have_count(0)  # not signed in
        assert _fits(stranger)
        stranger.screenshot(path=str(_shot(tmp_path, "certificate-verify.png")), full_page=True)

        # The issuer revokes it: the same address says so at once.
        with system_scope():
            certificates.certificate_revoke(
                actor=w.officer_a, certificate=certificate, reason="Cấp nhầm người."
            )
        stranger.reload()
        expect(found).to_contain_text("Đã thu hồi")
        expect(found).not_to_contain_text("Chứng nhận hợp lệ")
        expect(found).not_to_contain_text("Cấp nhầm người")  # the reason is for officers
        assert _fits(stranger)
    finally:
        context.close()
