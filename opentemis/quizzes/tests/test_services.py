"""Attempts: start (idempotent, concurrent), answers, time, submit, grading across attempts,
versioning; the bank's setup."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress
from opentemis.quizzes import services
from opentemis.quizzes.demo import demo_bank
from opentemis.quizzes.models import Attempt, AttemptState, Question, Slot
from opentemis.quizzes.tests.helpers import make_quiz
from opentemis.quizzes.transfer import quiz_export, quiz_import

pytestmark = pytest.mark.django_db


def _answer_all_right(attempt: Attempt) -> None:
    services.answer_save(attempt=attempt, position=1, response=1)
    services.answer_save(attempt=attempt, position=2, response=True)
    services.answer_save(attempt=attempt, position=3, response="10")


def _progress(qw: Any) -> ActivityProgress:
    return ActivityProgress.objects.get(enrolment=qw.lw.enrolment, activity=qw.activity)


def test_start_is_idempotent_and_draws_the_questions(world: Any) -> None:
    qw = make_quiz(world)
    with system_scope():
        first = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        again = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        assert first.pk == again.pk
        assert Attempt.objects.count() == 1
        texts = list(
            Slot.objects.filter(attempt=first).values_list("question_version__text", flat=True)
        )
        assert texts == ["Câu một", "Câu hai", "Câu ba"]
        assert _progress(qw).state == "started"


def test_submit_grades_and_reports_a_pass(world: Any) -> None:
    qw = make_quiz(world)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        services.answer_save(attempt=attempt, position=1, response=1)
        services.answer_save(attempt=attempt, position=2, response=False)
        services.answer_save(attempt=attempt, position=2, response=True)  # the last write wins
        done = services.attempt_submit(attempt=attempt)
        assert done.state == AttemptState.FINISHED
        # 2 of 3 right: 6.67
        assert done.score == Decimal("6.67")
        progress = _progress(qw)
        assert (progress.state, progress.score) == ("passed", Decimal("6.67"))
        # Submitting again changes nothing.
        assert services.attempt_submit(attempt=attempt).score == Decimal("6.67")


def test_grade_across_attempts_follows_the_method(world: Any) -> None:
    qw = make_quiz(world, grading="last", attempts=2)
    with system_scope():
        first = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        _answer_all_right(first)
        services.attempt_submit(attempt=first)
        assert _progress(qw).state == "passed"
        second = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        services.attempt_submit(attempt=second)  # nothing answered: 0
        progress = _progress(qw)
        # "last": the second attempt's 0 is the grade, and the test is no longer passed.
        assert (progress.state, progress.score) == ("failed", Decimal("0.00"))
        with pytest.raises(ValidationError, match="used all your attempts"):
            services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)


def test_highest_keeps_a_pass_after_a_worse_attempt(world: Any) -> None:
    qw = make_quiz(world, grading="highest")
    with system_scope():
        first = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        _answer_all_right(first)
        services.attempt_submit(attempt=first)
        second = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        services.attempt_submit(attempt=second)
        progress = _progress(qw)
        assert (progress.state, progress.score) == ("passed", Decimal("10.00"))


def test_an_edit_makes_a_new_version_and_leaves_taken_attempts_alone(world: Any) -> None:
    qw = make_quiz(world)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        _answer_all_right(attempt)
        question = Question.objects.get(key="t:1")
        changed = services.Draft(
            kind="single",
            text="Câu một (sửa)",
            data={
                "choices": [{"text": "Sai", "correct": True}, {"text": "Đúng", "correct": False}]
            },
        )
        services.question_save(
            actor=None, course=qw.lw.course, category=qw.category, draft=changed, question=question
        )
        question.refresh_from_db()
        assert question.current is not None and question.current.number == 2
        assert question.versions.count() == 2
        done = services.attempt_submit(attempt=attempt)
        assert done.score == Decimal("10.00")  # graded against the version shown
        slot = Slot.objects.get(attempt=attempt, position=1)
        assert slot.question_version.text == "Câu một"
        # The next attempt draws the new version.
        nxt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        assert Slot.objects.get(attempt=nxt, position=1).question_version.text == "Câu một (sửa)"


def test_saving_the_same_content_makes_no_new_version(world: Any) -> None:
    qw = make_quiz(world)
    with system_scope():
        question = Question.objects.get(key="t:2")
        same = services.Draft(kind="truefalse", text="Câu hai", data={"answer": True})
        services.question_save(
            actor=None, course=qw.lw.course, category=qw.category, draft=same, question=question
        )
        assert question.versions.count() == 1


def test_answers_after_the_deadline_are_refused_and_the_attempt_submitted(world: Any) -> None:
    qw = make_quiz(world, time_limit=10)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        assert attempt.deadline is not None
        services.answer_save(attempt=attempt, position=1, response=1)
        # Within the grace after the deadline: still taken.
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() - dt.timedelta(seconds=10)
        )
        attempt.refresh_from_db()
        services.answer_save(attempt=attempt, position=2, response=True)
        # Past the grace: refused, and submitted with what was saved.
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=5)
        )
        attempt.refresh_from_db()
        with pytest.raises(ValidationError, match="time is up"):
            services.answer_save(attempt=attempt, position=3, response="10")
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.FINISHED and attempt.auto_submitted
        assert attempt.score == Decimal("6.67")
        with pytest.raises(ValidationError, match="already submitted"):
            services.answer_save(attempt=attempt, position=3, response="10")


def test_the_sweep_submits_overdue_attempts(world: Any) -> None:
    qw = make_quiz(world, time_limit=5)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        services.answer_save(attempt=attempt, position=1, response=1)
    assert services.overdue_sweep() == 0  # not due yet
    with system_scope():
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=1)
        )
    assert services.overdue_sweep() == 1
    with system_scope():
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.FINISHED and attempt.score == Decimal("3.33")
        assert _progress(qw).state == "failed"


def test_an_overdue_attempt_is_closed_when_starting_again(world: Any) -> None:
    qw = make_quiz(world, time_limit=5)
    with system_scope():
        first = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        Attempt.objects.filter(pk=first.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=1)
        )
        second = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        assert second.pk != first.pk and second.number == 2
        first.refresh_from_db()
        assert first.state == AttemptState.FINISHED and first.auto_submitted


def test_a_missing_prerequisite_locks_the_start(world: Any) -> None:
    qw = make_quiz(world)
    video = qw.lw.activity("video", "Video bài giảng")
    qw.activity.prerequisites.add(video)
    with system_scope(), pytest.raises(ValidationError, match="Video bài giảng"):
        services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)


def test_answers_are_checked(world: Any) -> None:
    qw = make_quiz(world)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        for position, response in [(1, 7), (9, 1), ("x", 1), (2, "có lẽ")]:
            with pytest.raises(ValidationError):
                services.answer_save(attempt=attempt, position=position, response=response)


def test_answer_save_is_two_statements(world: Any, django_assert_max_num_queries: Any) -> None:
    qw = make_quiz(world)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        with django_assert_max_num_queries(2):
            services.answer_save(attempt=attempt, position=1, response=1)


def test_quiz_setup_checks_its_settings(world: Any) -> None:
    qw = make_quiz(world)
    bad: list[dict[str, Any]] = [
        {"draws": [{"category": qw.category.pk, "count": 4}]},  # only 3 questions
        {"draws": [{"category": 999999, "count": 1}]},
        {"time_limit": "0"},
        {"attempts": "-1"},
        {"grading": "best"},
        {"pass_mark": "11"},
    ]
    with system_scope():
        for fields in bad:
            with pytest.raises(ValidationError):
                services.quiz_setup(actor=None, activity=qw.activity, **fields)
    # The default pass mark is the school year's.
    with system_scope():
        quiz = services.quiz_setup(actor=None, activity=qw.activity, pass_mark="")
    assert quiz.pass_mark == services.default_pass_mark(qw.lw.course)


def test_a_new_catalogue_version_keeps_the_bank(world: Any) -> None:
    qw = make_quiz(world)
    course = qw.lw.course
    assert course.module is not None
    assert services.bank_code(course) == course.module.code


def test_demo_bank_and_module_package_round_trip(world: Any) -> None:
    qw = make_quiz(world)
    other = qw.lw.activity("quiz", "Bài kiểm tra cuối mô-đun")
    with system_scope():
        quiz = demo_bank(module=qw.lw.module, activity=other)
        assert Question.objects.filter(bank=quiz.bank, key__startswith="demo:").count() == 20
        assert services.question_count(quiz) == 10
        assert (quiz.time_limit, quiz.attempts_allowed, quiz.grading) == (20, 2, "highest")
        demo_bank(module=qw.lw.module, activity=other)  # again: nothing new
        assert Question.objects.filter(bank=quiz.bank).count() == 23
        data, files = quiz_export(other)
        assert files == {} and sum(len(c["questions"]) for c in data["categories"]) == 20
        third = qw.lw.activity("quiz", "Bản sao")
        quiz_import(third, data, files)
        copy = third.quiz
        assert services.question_count(copy) == 10 and copy.time_limit == 20
        assert Question.objects.filter(bank=quiz.bank).count() == 23  # same keys: no copies


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_land_on_one_attempt(world: Any) -> None:
    qw = make_quiz(world)
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        try:
            barrier.wait()
            for _ in range(50):
                try:
                    with system_scope():
                        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
                except OperationalError as exc:
                    # SQLite's in-memory test database refuses a second writer at once instead
                    # of waiting: the client retries, as a browser after a timeout would. On
                    # PostgreSQL (CI) the writers wait and the constraint decides.
                    if connection.vendor != "sqlite" or "locked" not in str(exc):
                        raise
                    time.sleep(0.02)
                    continue
                results.append(attempt.pk)
                break
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pks = {r for r in results if isinstance(r, int)}
    errors = [r for r in results if not isinstance(r, int)]
    with system_scope():
        assert Attempt.objects.count() == 1
    assert len(pks) == 1 and not errors and len(results) == 4, (pks, errors)


def test_the_sweep_command(world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    qw = make_quiz(world, time_limit=5)
    with system_scope():
        attempt = services.attempt_start(enrolment=qw.lw.enrolment, quiz=qw.quiz)
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=1)
        )
    out = StringIO()
    call_command("quizzes_sweep", stdout=out)
    assert out.getvalue().strip() == "submitted 1"
