"""The final product's pages and API, end to end, and who reaches what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from opentemis.core.http import SANDBOX_POLICY
from opentemis.core.scoping import system_scope
from opentemis.evidence.tests import files
from opentemis.learning import services as learning
from opentemis.learning.models import ActivityProgress
from opentemis.products import services
from opentemis.products.models import Submission, SubmissionStatus


def test_hand_in_grade_and_read_the_result(pw: Any) -> None:
    learner = pw.w.client_for(pw.w.teacher_a1)
    page = reverse("products_activity", args=[pw.activity.pk])
    html = learner.get(page).content.decode()
    assert "Xác định yêu cầu cần đạt" in html  # the rubric
    answer = learner.post(
        reverse("products_submit", args=[pw.activity.pk]),
        {"text": "Kế hoạch <script>alert(1)</script>", "file": files.upload("kh.pdf", files.pdf())},
    )
    assert answer.status_code == 302
    html = learner.get(page).content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    with system_scope():
        submission = Submission.objects.get()
    officer = pw.w.client_for(pw.w.officer_a)
    queue = officer.get(reverse("products_queue", args=[pw.activity.pk])).content.decode()
    assert pw.w.person_a1.full_name in queue
    grade_url = reverse("products_grade", args=[submission.pk])
    assert officer.get(grade_url).status_code == 200
    refused = officer.post(grade_url, {"verdict": "failed", "revision": 1, "comments": ""})
    assert refused.status_code == 400
    answer = officer.post(
        grade_url,
        {
            "verdict": "failed",
            "revision": 1,
            "score": "5",
            "comments": "Bổ sung ma trận đề.",
            "remark_1": "Thiếu bảng đặc tả",
        },
    )
    assert answer.status_code == 302
    html = learner.get(page).content.decode()
    assert "Bổ sung ma trận đề." in html and "Thiếu bảng đặc tả" in html
    assert "Nộp lại" in html or "Hand in again" in html or 'id="submit"' in html
    file_answer = learner.get(reverse("products_file", args=[submission.pk]))
    assert file_answer.status_code == 200
    assert file_answer["Content-Security-Policy"] == SANDBOX_POLICY
    assert file_answer["X-Content-Type-Options"] == "nosniff"
    assert file_answer["Content-Disposition"].startswith("attachment")


def test_a_double_click_hands_in_once(pw: Any) -> None:
    learner = pw.w.client_for(pw.w.teacher_a1)
    url = reverse("products_submit", args=[pw.activity.pk])
    for _ in range(2):
        assert learner.post(url, {"text": "Bài"}).status_code == 302
    with system_scope():
        assert Submission.objects.count() == 1


def test_an_empty_hand_in_says_why(pw: Any) -> None:
    learner = pw.w.client_for(pw.w.teacher_a1)
    answer = learner.post(reverse("products_submit", args=[pw.activity.pk]), {"text": ""})
    assert answer.status_code == 400 and "errorlist" in answer.content.decode()


def test_graders_see_only_their_schools(pw: Any) -> None:
    with system_scope():
        learning.grader_set(
            actor=None, course=pw.lw.course, user=pw.w.principal_a1, unit=pw.w.school_a1
        )
        mine = services.submission_submit(
            actor=pw.w.teacher_a1, activity=pw.activity, enrolment=pw.lw.enrolment, text="A1"
        )
        theirs = services.submission_submit(
            actor=pw.teacher_a2, activity=pw.activity, enrolment=pw.enrolment_a2, text="A2"
        )
    grader = pw.w.client_for(pw.w.principal_a1)
    queue = grader.get(reverse("products_queue", args=[pw.activity.pk])).content.decode()
    assert pw.w.person_a1.full_name in queue and pw.w.person_a2.full_name not in queue
    assert grader.get(reverse("products_grade", args=[mine.pk])).status_code == 200
    for name in ("products_grade", "products_file"):
        assert grader.get(reverse(name, args=[theirs.pk])).status_code == 404
    answer = grader.post(
        reverse("products_grade", args=[theirs.pk]), {"verdict": "passed", "revision": 1}
    )
    assert answer.status_code == 404
    api = APIClient()
    api.force_authenticate(pw.w.principal_a1)
    waiting = api.get(f"/api/v1/learn/products/{pw.activity.pk}/queue/").json()
    assert [row["id"] for row in waiting] == [mine.pk]
    assert (
        api.post(
            f"/api/v1/learn/products/submissions/{theirs.pk}/grade/",
            {"passed": True},
            format="json",
        ).status_code
        == 404
    )
    # The officer of the course grades everyone; the queue filters by school.
    officer = pw.w.client_for(pw.w.officer_a)
    page = officer.get(
        reverse("products_queue", args=[pw.activity.pk]), {"unit": pw.w.school_a2.pk}
    ).content.decode()
    assert (
        pw.w.person_a2.full_name in page and reverse("products_grade", args=[mine.pk]) not in page
    )
    # The learner of another school sees neither the queue nor A1's submission.
    other = pw.w.client_for(pw.teacher_a2)
    assert other.get(reverse("products_queue", args=[pw.activity.pk])).status_code == 404
    assert other.get(reverse("products_grade", args=[mine.pk])).status_code == 404


def test_outsiders_get_404(pw: Any) -> None:
    from tests.factories import make_user

    officer_b = make_user("officer_b", role="unit_officer", unit=pw.w.province_b)
    client = pw.w.client_for(officer_b)
    for name in ("products_activity", "products_manage", "products_queue"):
        assert client.get(reverse(name, args=[pw.activity.pk])).status_code == 404


def test_the_builder_sets_the_rubric(pw: Any) -> None:
    officer = pw.w.client_for(pw.w.officer_a)
    url = reverse("products_manage", args=[pw.activity.pk])
    assert officer.get(url).status_code == 200
    answer = officer.post(
        url,
        {
            "instructions": "Viết bài thu hoạch.",
            "criterion_0": "Nội dung",
            "criterion_0_description": "Đủ ý",
            "criterion_1": "",
            "accepts_text": "on",
            "max_mb": "2",
            "file_types": ["pdf", "docx"],
            "resubmit_until_pass": "on",
        },
    )
    assert answer.status_code == 302
    with system_scope():
        product = services.product_of(pw.activity)
    assert product.rubric == [{"title": "Nội dung", "description": "Đủ ý"}]
    assert product.accepts_file is False and product.max_bytes == 2 * 1024 * 1024
    assert product.file_types == ["docx", "pdf"]
    refused = officer.post(url, {"instructions": "x"})  # neither text nor file
    assert refused.status_code == 400
    assert pw.w.client_for(pw.w.teacher_a1).get(url).status_code == 404


def test_api_hand_in_list_and_grade(pw: Any) -> None:
    api = APIClient()
    api.force_authenticate(pw.w.teacher_a1)
    base = f"/api/v1/learn/products/{pw.activity.pk}/submissions/"
    assert api.post(base, {}, format="json").status_code == 400
    answer = api.post(
        base, {"text": "Bài qua API", "file": SimpleUploadedFile("a.pdf", files.pdf())}
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "pending" and body["file_url"]
    assert api.get(base).json()[0]["id"] == body["id"]
    api.force_authenticate(pw.w.officer_a)
    grade_url = f"/api/v1/learn/products/submissions/{body['id']}/grade/"
    assert api.post(grade_url, {}, format="json").status_code == 400
    bad = api.post(grade_url, {"passed": True, "score": "11"}, format="json")
    assert bad.status_code == 400
    ok = api.post(
        grade_url, {"passed": True, "score": "9", "remarks": ["Tốt"], "revision": 1}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == SubmissionStatus.PASSED
    with system_scope():
        assert ActivityProgress.objects.get(activity=pw.activity).state == "passed"
    # Someone not enrolled: 404.
    api.force_authenticate(pw.teacher_a2)
    pw.enrolment_a2.delete()
    assert api.get(base).status_code == 404


@pytest.mark.parametrize("value", ["²", str(2**63), "9" * 5000, "1\x00"])
def test_hostile_grade_values_are_refused(pw: Any, value: str) -> None:
    with system_scope():
        submission = services.submission_submit(
            actor=pw.w.teacher_a1, activity=pw.activity, enrolment=pw.lw.enrolment, text="A"
        )
    officer = pw.w.client_for(pw.w.officer_a)
    url = reverse("products_grade", args=[submission.pk])
    for field in ("score", "revision", "verdict"):
        data = {"verdict": "passed", "revision": "1", "score": "8", field: value}
        assert officer.post(url, data).status_code == 400
