"""The pages and the API end to end, and the scoping of every route."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress
from opentemis.quizzes import imports, services
from opentemis.quizzes.models import Attempt, AttemptState, Question, Quiz
from opentemis.quizzes.tests.helpers import make_quiz
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _attempt(qw: Any) -> Attempt:
    with system_scope():
        return Attempt.objects.get(enrolment=qw.lw.enrolment, state=AttemptState.IN_PROGRESS)


def test_learner_takes_the_test_through_the_pages(world: Any) -> None:
    qw = make_quiz(world)
    client = world.client_for(world.teacher_a1)
    intro = client.get(reverse("quiz_take", args=[qw.activity.pk]))
    assert intro.status_code == 200 and "Bắt đầu" in intro.content.decode()
    started = client.post(reverse("quiz_start", args=[qw.activity.pk]))
    again = client.post(reverse("quiz_start", args=[qw.activity.pk]))  # double click
    assert started["Location"] == again["Location"]
    attempt = _attempt(qw)
    page = client.get(reverse("quiz_attempt", args=[attempt.pk]))
    assert page.status_code == 200 and "Câu hai" in page.content.decode()
    save = reverse("quiz_attempt_save", args=[attempt.pk])
    answers = [(1, 1), (2, True), (3, "10")]
    for position, response in answers:
        answer = client.post(
            save, json.dumps({"position": position, "response": response}), "application/json"
        )
        assert answer.status_code == 200 and answer.json()["saved"] is True
    bad = client.post(save, json.dumps({"position": 1, "response": 9}), "application/json")
    assert bad.status_code == 400 and bad.json()["error"]
    done = client.post(reverse("quiz_attempt_submit", args=[attempt.pk]))
    assert done["Location"] == reverse("quiz_attempt_result", args=[attempt.pk])
    result = client.get(done["Location"])
    assert result.status_code == 200 and "10/10" in result.content.decode()
    with system_scope():
        progress = ActivityProgress.objects.get(enrolment=qw.lw.enrolment, activity=qw.activity)
    assert (progress.state, progress.score) == ("passed", Decimal("10.00"))
    late = client.post(save, json.dumps({"position": 1, "response": 0}), "application/json")
    assert late.status_code == 409 and late.json()["closed"] is True


def test_submit_without_javascript_saves_the_form(world: Any) -> None:
    qw = make_quiz(world)
    client = world.client_for(world.teacher_a1)
    client.post(reverse("quiz_start", args=[qw.activity.pk]))
    attempt = _attempt(qw)
    client.post(
        reverse("quiz_attempt_submit", args=[attempt.pk]),
        {"q1": "1", "q2": "false", "q3": "10,0"},
    )
    with system_scope():
        attempt.refresh_from_db()
    assert attempt.score == Decimal("6.67")


def test_an_overdue_attempt_page_shows_the_result(world: Any) -> None:
    qw = make_quiz(world, time_limit=5)
    client = world.client_for(world.teacher_a1)
    client.post(reverse("quiz_start", args=[qw.activity.pk]))
    attempt = _attempt(qw)
    with system_scope():
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=2)
        )
    page = client.get(reverse("quiz_attempt", args=[attempt.pk]))
    assert page["Location"] == reverse("quiz_attempt_result", args=[attempt.pk])
    save = client.post(
        reverse("quiz_attempt_save", args=[attempt.pk]),
        json.dumps({"position": 1, "response": 1}),
        "application/json",
    )
    assert save.status_code == 409


def test_the_answers_are_revealed_only_when_no_attempt_could_use_them(world: Any) -> None:
    qw = make_quiz(world, attempts=2)
    client = world.client_for(world.teacher_a1)
    client.post(reverse("quiz_start", args=[qw.activity.pk]))
    attempt = _attempt(qw)
    client.post(reverse("quiz_attempt_submit", args=[attempt.pk]))  # 0/10, one attempt left
    page = client.get(reverse("quiz_attempt_result", args=[attempt.pk])).content.decode()
    assert "Đáp án đúng:" not in page and 'badge-ok">đúng<' not in page
    client.post(reverse("quiz_start", args=[qw.activity.pk]))
    second = _attempt(qw)
    client.post(reverse("quiz_attempt_submit", args=[second.pk]))
    page = client.get(reverse("quiz_attempt_result", args=[second.pk])).content.decode()
    assert "Đáp án đúng:" in page and 'badge-ok">đúng<' in page


def test_a_locked_test_says_why(world: Any) -> None:
    qw = make_quiz(world)
    video = qw.lw.activity("video", "Video bài giảng")
    qw.activity.prerequisites.add(video)
    client = world.client_for(world.teacher_a1)
    page = client.get(reverse("quiz_take", args=[qw.activity.pk])).content.decode()
    assert "Video bài giảng" in page
    client.post(reverse("quiz_start", args=[qw.activity.pk]))
    with system_scope():
        assert not Attempt.objects.exists()


def test_the_officer_builds_the_bank_and_the_test(world: Any) -> None:
    qw = make_quiz(world)
    client = world.client_for(world.officer_a)
    pk = qw.activity.pk
    for name in ("quiz_manage", "quiz_bank", "quiz_question_add"):
        assert client.get(reverse(name, args=[pk])).status_code == 200
    template = client.get(reverse("quiz_bank_template", args=[pk]))
    assert template.status_code == 200 and template["X-Content-Type-Options"] == "nosniff"
    upload = SimpleUploadedFile("mau.xlsx", imports.excel_template())
    client.post(reverse("quiz_bank_import", args=[pk]), {"file": upload})
    with system_scope():
        assert Question.objects.count() == 8
    added = client.post(
        reverse("quiz_question_add", args=[pk]),
        {
            "category": qw.category.pk,
            "kind": "multiple",
            "text": "Chọn các công cụ",
            "answers": "*Bảng kiểm\nSổ điểm\n*Phiếu học tập",
            "points": "2",
        },
    )
    assert added.status_code == 302
    with system_scope():
        question = Question.objects.get(current__text="Chọn các công cụ")
    edit = reverse("quiz_question_edit", args=[pk, question.pk])
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {"category": qw.category.pk, "kind": "single", "text": "Chọn một", "answers": "*A\nB",
         "points": "1"},
    )  # fmt: skip
    with system_scope():
        question.refresh_from_db()
        assert question.current is not None and question.current.number == 2
    saved = client.post(
        reverse("quiz_manage", args=[pk]),
        {f"draw{qw.category.pk}": "2", "time_limit": "15", "attempts": "3", "grading": "average",
         "pass_mark": "6,5", "shuffle": "on"},
    )  # fmt: skip
    assert saved.status_code == 302
    quiz = Quiz.objects.get(pk=qw.quiz.pk)
    assert (quiz.time_limit, quiz.attempts_allowed, quiz.grading) == (15, 3, "average")
    assert quiz.pass_mark == Decimal("6.5") and services.question_count(quiz) == 2


def test_the_api_start_save_get_submit(world: Any) -> None:
    qw = make_quiz(world, time_limit=10)
    client = world.client_for(world.teacher_a1)
    start = reverse("api:quiz-attempt-start", args=[qw.activity.pk])
    first = client.post(start, {}, "application/json")
    again = client.post(start, {}, "application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    body = first.json()
    assert body["id"] == again.json()["id"] and body["seconds_left"] > 500
    assert "correct" not in json.dumps(body)  # no answers in the questions
    answers = reverse("api:quiz-attempt-answer", args=[body["id"]])
    saved = client.put(answers, {"position": 1, "response": 1}, "application/json")
    assert saved.status_code == 200 and saved.json()["saved"] is True
    assert (
        client.put(answers, {"position": 1, "response": 7}, "application/json").status_code == 400
    )
    got = client.get(reverse("api:quiz-attempt", args=[body["id"]])).json()
    assert got["questions"][0]["response"] == 1
    done = client.post(reverse("api:quiz-attempt-submit", args=[body["id"]]))
    assert done.json()["state"] == "finished" and done.json()["score"] == "3.33"
    late = client.put(answers, {"position": 2, "response": True}, "application/json")
    assert late.status_code == 409


def test_every_route_is_a_404_for_anyone_else(world: Any) -> None:
    qw = make_quiz(world)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        question = Question.objects.first()
    assert question is not None
    pk, apk = qw.activity.pk, attempt.pk
    learner = [("quiz_take", [pk]), ("quiz_start", [pk]), ("api:quiz-attempt-start", [pk])]
    own = [
        (name, [apk])
        for name in (
            "quiz_attempt",
            "quiz_attempt_save",
            "quiz_attempt_submit",
            "quiz_attempt_result",
            "api:quiz-attempt",
            "api:quiz-attempt-answer",
            "api:quiz-attempt-submit",
        )
    ]
    builder = [
        (name, [pk])
        for name in (
            "quiz_manage",
            "quiz_bank",
            "quiz_bank_import",
            "quiz_bank_template",
            "quiz_category_add",
            "quiz_question_add",
        )
    ] + [("quiz_question_edit", [pk, question.pk]), ("quiz_question_archive", [pk, question.pk])]
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    outsiders = [world.principal_b1, officer_b, world.principal_a1]
    for user in outsiders:
        client = world.client_for(user)
        for name, args in learner + own + builder:
            url = reverse(name, args=args)
            for method in ("get", "post", "put"):
                answer = getattr(client, method)(url)
                assert answer.status_code in (404, 405), (user.username, name, method, answer)
    # The learner reaches no builder route, the officer no learner's attempt.
    teacher = world.client_for(world.teacher_a1)
    for name, args in builder:
        assert teacher.get(reverse(name, args=args)).status_code in (404, 405), name
    officer = world.client_for(world.officer_a)
    for name, args in own:
        assert officer.get(reverse(name, args=args)).status_code in (404, 405), name
    with system_scope():
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.IN_PROGRESS
