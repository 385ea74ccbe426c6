"""Grading that never stalls through the pages and the API, and who reaches what."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from opentemis.cascade.models import Caseload
from opentemis.core.scoping import system_scope
from opentemis.products import policy, services
from opentemis.products.models import Appeal, Submission, SubmissionStatus


def hand_in_a2(gw: Any) -> Submission:
    pw = gw.pw
    with system_scope():
        return services.submission_submit(
            actor=pw.teacher_a2, activity=pw.activity, enrolment=pw.enrolment_a2, text="Bài A2"
        )


def age(submission: Submission, hours: float) -> None:
    """Let ``submission`` have waited ``hours`` more than the overflow time."""
    since = timezone.now() - policy.grading_policy().overflow_after - dt.timedelta(hours=hours)
    with system_scope():
        Submission.objects.filter(pk=submission.pk).update(waiting_since=since)


def test_the_core_teacher_grades_two_products_from_their_queue(gw: Any) -> None:
    """The issue's journey, without a browser: my queue, the grade page, back to my queue."""
    pw = gw.pw
    first = hand_in_a2(gw)
    with system_scope():
        lw = pw.lw
        third = lw.enrol(gw.core_b.person)  # a colleague in core_a's caseload too
        Caseload.objects.create(
            school_year=pw.w.year,
            learner=gw.core_b.person,
            core=gw.core_a.person,
            unit_path=gw.core_b.person.unit_path,
        )
        second = services.submission_submit(
            actor=gw.core_b, activity=pw.activity, enrolment=third, text="Bài thứ hai"
        )
    client = pw.w.client_for(gw.core_a)
    html = client.get(reverse("products_mine")).content.decode()
    assert html.index(pw.w.person_a2.full_name) < html.index(gw.core_b.person.full_name)
    for submission in (first, second):
        url = reverse("products_grade", args=[submission.pk]) + "?from=mine"
        page = client.get(url).content.decode()
        assert "Xác định yêu cầu cần đạt" in page  # the rubric
        answer = client.post(url, {"verdict": "passed", "revision": 1, "comments": "Tốt."})
        assert answer.status_code == 302 and answer["Location"] == reverse("products_mine")
    with system_scope():
        assert set(
            Submission.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
        ) == {SubmissionStatus.PASSED}
    # The hand-in notice's link (the activity's queue) opens for the core teacher too.
    assert client.get(reverse("products_queue", args=[pw.activity.pk])).status_code == 200


def test_claim_from_the_pool_then_give_it_back(gw: Any) -> None:
    submission = hand_in_a2(gw)
    client = gw.w.client_for(gw.core_b)
    grade_url = reverse("products_grade", args=[submission.pk])
    assert client.get(grade_url).status_code == 404  # not theirs before the claim
    html = client.get(reverse("products_mine")).content.decode()
    assert 'action="/learn/products/pool/claim/"' not in html  # nothing overflowed yet
    age(submission, 1)
    html = client.get(reverse("products_mine")).content.decode()
    assert reverse("products_claim") in html
    answer = client.post(reverse("products_claim"))
    assert answer.status_code == 302 and answer["Location"] == f"{grade_url}?from=mine"
    page = client.get(grade_url).content.decode()
    assert 'id="grade"' in page and reverse("products_release", args=[submission.pk]) in page
    assert gw.pw.w.person_a2.full_name in client.get(reverse("products_mine")).content.decode()
    # Another eligible grader finds the pool empty and cannot grade it.
    other = gw.w.client_for(gw.core_a)
    assert 'id="grade"' in other.get(grade_url).content.decode()  # the assigned grader may
    answer = client.post(reverse("products_release", args=[submission.pk]))
    assert answer.status_code == 302
    with system_scope():
        assert Submission.objects.get(pk=submission.pk).claimed_by_id is None
    assert client.get(grade_url).status_code == 404


def test_appeal_and_second_mark_through_the_pages(gw: Any) -> None:
    pw = gw.pw
    submission = hand_in_a2(gw)
    with system_scope():
        services.submission_grade(
            actor=gw.core_a, submission=submission, passed=False, comments="Thiếu ma trận."
        )
    learner = pw.w.client_for(pw.teacher_a2)
    page = reverse("products_activity", args=[pw.activity.pk])
    assert reverse("products_appeal", args=[submission.pk]) in learner.get(page).content.decode()
    assert (
        learner.post(reverse("products_appeal", args=[submission.pk]), {"reason": ""})["Location"]
        == page
    )
    with system_scope():
        assert not Appeal.objects.exists()
    answer = learner.post(
        reverse("products_appeal", args=[submission.pk]), {"reason": "Ma trận ở trang 2."}
    )
    assert answer.status_code == 302
    with system_scope():
        assert Appeal.objects.get().reason == "Ma trận ở trang 2."
    # Someone else's submission: 404.
    other = pw.w.client_for(pw.w.teacher_a1)
    assert (
        other.post(reverse("products_appeal", args=[submission.pk]), {"reason": "x"}).status_code
        == 404
    )
    lecturer = pw.w.client_for(gw.lecturer)
    listing = lecturer.get(reverse("products_second_marks")).content.decode()
    assert pw.w.person_a2.full_name in listing
    url = reverse("products_second_mark", args=[submission.pk])
    assert "Ma trận ở trang 2." in lecturer.get(url).content.decode()
    assert pw.w.client_for(gw.lecturer_b).get(url).status_code == 404
    assert pw.w.client_for(gw.core_a).get(url).status_code == 404
    answer = lecturer.post(url, {"verdict": "passed", "comments": "Có ma trận, đạt."})
    assert answer.status_code == 302
    with system_scope():
        assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PASSED
    assert 'id="appeal"' in learner.get(page).content.decode()
    grader_page = pw.w.client_for(gw.core_a).get(reverse("products_grade", args=[submission.pk]))
    html = grader_page.content.decode()
    assert "Có ma trận, đạt." in html and 'id="grade"' not in html  # final: no grading form


def test_the_workload_page_and_a_foreign_submission(gw: Any) -> None:
    pw = gw.pw
    submission = hand_in_a2(gw)
    url = reverse("products_workload", args=[pw.lw.course.pk])
    html = pw.w.client_for(pw.w.officer_a).get(url).content.decode()
    assert gw.core_a.person.full_name in html
    export = reverse("products_workload_export", args=[pw.lw.course.pk])
    answer = pw.w.client_for(pw.w.officer_a).get(export)
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    mine = next(row for row in cells if gw.core_a.person.full_name in row)
    assert mine[2:5] == ["1", "0", "0"]  # waiting, overdue, taken from the pool
    for user in (pw.w.principal_b1, pw.w.principal_a1, gw.core_a, gw.lecturer):
        assert pw.w.client_for(user).get(url).status_code == 404
        assert pw.w.client_for(user).get(export).status_code == 404
    for user in (pw.w.principal_b1, gw.core_far, gw.core_ly, pw.w.teacher_a1):
        client = pw.w.client_for(user)
        assert client.get(reverse("products_grade", args=[submission.pk])).status_code == 404
        assert client.post(reverse("products_release", args=[submission.pk])).status_code == 404
        assert client.get(reverse("products_file", args=[submission.pk])).status_code == 404


def test_the_api(gw: Any) -> None:
    pw = gw.pw
    submission = hand_in_a2(gw)
    api = APIClient()
    api.force_authenticate(gw.core_a)
    mine = api.get("/api/v1/learn/products/mine/").json()
    assert [s["id"] for s in mine["assigned"]] == [submission.pk] and mine["pool"] == 0
    age(submission, 2)
    api.force_authenticate(gw.core_b)
    assert api.get("/api/v1/learn/products/mine/").json()["pool"] == 1
    claimed = api.post("/api/v1/learn/products/pool/claim/").json()["submission"]
    assert claimed["id"] == submission.pk and claimed["claimed_by"] == gw.core_b.pk
    api.force_authenticate(gw.core_ly)
    assert api.post("/api/v1/learn/products/pool/claim/").json() == {"submission": None}
    release = f"/api/v1/learn/products/submissions/{submission.pk}/release/"
    assert api.post(release).status_code == 404
    api.force_authenticate(gw.core_b)
    assert api.post(release).status_code == 200
    assert api.post(release).status_code == 404  # given back: no longer theirs
    api.force_authenticate(gw.core_a)
    assert api.post(release).status_code == 400  # the assigned grader: nothing held
    graded = api.post(
        f"/api/v1/learn/products/submissions/{submission.pk}/grade/",
        {"passed": False, "comments": "Thiếu."},
        format="json",
    )
    assert graded.status_code == 200
    api.force_authenticate(pw.teacher_a2)
    appeal = api.post(
        f"/api/v1/learn/products/submissions/{submission.pk}/appeal/",
        {"reason": "Xin chấm lại."},
        format="json",
    )
    assert appeal.status_code == 201 and appeal.json()["status"] == "open"
    api.force_authenticate(gw.lecturer)
    rows = api.get("/api/v1/learn/products/second-marks/").json()
    assert [r["submission"]["id"] for r in rows] == [submission.pk] and rows[0]["waiting"]
    decided = api.post(
        f"/api/v1/learn/products/submissions/{submission.pk}/second-mark/",
        {"passed": False, "comments": "Giữ nguyên."},
        format="json",
    )
    assert decided.status_code == 201 and decided.json()["agrees"] is True
    api.force_authenticate(pw.w.officer_a)
    load = api.get(f"/api/v1/learn/products/courses/{pw.lw.course.pk}/workload/").json()
    row = {r["username"]: r for r in load["rows"]}["core_a"]
    assert row["graded_total"] == 1 and row["assigned_pending"] == 0
    api.force_authenticate(pw.w.principal_b1)
    workload = f"/api/v1/learn/products/courses/{pw.lw.course.pk}/workload/"
    assert api.get(workload).status_code == 404
    assert api.get("/api/v1/learn/products/second-marks/").status_code == 404
