"""The main evaluation journey in a real browser: BM1 with an evidence file, the principal's
review, and the explained result seen by the teacher."""

import re

import pytest
from playwright.sync_api import expect

from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_teacher_self_evaluates_with_evidence_principal_finalises_teacher_sees_why(
    page, live_server, ev, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "teacher_a1")
    page.goto(f"{live_server.url}/evaluations/")
    page.click("form[action$='/evaluations/me/'] button")
    page.wait_for_url(re.compile(r"/evaluations/\d+/self/$"))
    pk = int(re.search(r"/evaluations/(\d+)/self/", page.url).group(1))

    # An evidence file for criterion 5 (a lesson plan), attached in its card, checked by
    # content on the server.
    evidence = tmp_path / "giao-an.pdf"
    evidence.write_bytes(PDF)
    page.click("#ev-box-5 summary")
    page.fill("#ev-title-5", "Giáo án lớp 7")
    page.set_input_files("#ev-file-5", str(evidence))
    page.click("#ev-box-5 button.btn")
    expect(page.locator("#ev-5")).to_contain_text("Giáo án lớp 7")

    # Levels: Tốt everywhere but criterion 4 (a key criterion) at Khá. Autosave runs on change.
    for n in range(1, 16):
        page.check(f"input[name=level_{n}][value={'Kha' if n == 4 else 'Tot'}]")
    page.fill("#strengths", "Tâm huyết, sáng tạo")
    page.fill("#improvements", "Đổi mới kiểm tra, đánh giá")
    page.fill("#plan_goals", "Dạy học phát triển năng lực")
    page.fill("#plan_content", "Mô đun 3")
    expect(page.locator("#save-status .badge-ok")).to_be_visible()
    expect(page.locator("#rating .why")).to_contain_text("4")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(f"{live_server.url}/evaluations/{pk}/")

    sign_in(page, live_server, "principal_a1")
    page.goto(f"{live_server.url}/evaluations/{pk}/review/")
    expect(page.locator("td", has_text="Giáo án lớp 7")).to_be_visible()
    page.select_option("select[name=level_6]", "Kha")
    expect(page.locator("#rating .why")).to_contain_text("6")
    page.fill("#review_note", "Cần đổi mới kiểm tra, đánh giá")
    page.click("button[name=action][value=finalise]")
    page.wait_for_url(f"{live_server.url}/evaluations/{pk}/")

    sign_in(page, live_server, "teacher_a1")
    page.goto(f"{live_server.url}/evaluations/{pk}/")
    why = page.locator("#rating .why").first
    expect(why).to_contain_text("4")
    expect(why).to_contain_text("6")
    expect(page.locator("body")).to_contain_text("Cần đổi mới kiểm tra, đánh giá")
    with system_scope():
        evaluation = Evaluation.objects.get(pk=pk)
        cited = evaluation.links.get()
    assert evaluation.final_rating == "Kha"
    assert cited.criterion == 5
