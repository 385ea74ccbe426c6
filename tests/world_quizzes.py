"""The quizzes app's things for the route matrix (tests/test_route_matrix.py): each kind a
route of the app takes, built on the shared course (tests/learning_world.py).

``quiz``: a test of the course (the demo bank of GVPT 06: 10 questions drawn of 20, two
attempts); ``quiz.finished``: teacher A1's first attempt, answered and submitted;
``quiz.attempt``: their second attempt, in progress; ``quiz.question``: a question of the
bank (the officer's)."""

from __future__ import annotations

from typing import Any

from opentemis.quizzes import services
from opentemis.quizzes.demo import demo_bank
from opentemis.quizzes.models import Question
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("quiz", "quiz.attempt", "quiz.finished", "quiz.question")
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "quiz_take": {"pk": "quiz"},
    "quiz_attempt": {"pk": "quiz.attempt"},
    "quiz_attempt_result": {"pk": "quiz.finished"},
    "quiz_manage": {"pk": "quiz"},
    "quiz_bank": {"pk": "quiz"},
    "quiz_question_add": {"pk": "quiz"},
    "quiz_question_edit": {"pk": "quiz", "question": "quiz.question"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "quiz_start": {"pk": "quiz"},
    "quiz_attempt_save": {"pk": "quiz.attempt"},
    "quiz_attempt_submit": {"pk": "quiz.attempt"},
    "quiz_bank_import": {"pk": "quiz"},
    "quiz_bank_template": {"pk": "quiz"},
    "quiz_category_add": {"pk": "quiz"},
    "quiz_question_archive": {"pk": "quiz", "question": "quiz.question"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {
    "/api/v1/learn/quiz-attempts/": "quiz.attempt",
    "/api/v1/learn/quizzes/": "quiz",
}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it: the learner, or the course's officer)."""
    w = lw.w
    activity = lw.activity("quiz", "Bài kiểm tra cuối mô-đun", pass_required=True)
    quiz = demo_bank(module=lw.module, activity=activity)
    first = services.attempt_start(enrolment=lw.enrolment, quiz=quiz)
    services.answer_save(attempt=first, position=1, response=None)
    services.attempt_submit(attempt=first)
    second = services.attempt_start(enrolment=lw.enrolment, quiz=quiz)
    question = Question.objects.filter(bank=quiz.bank).order_by("pk").first()
    assert question is not None
    return {
        "quiz": (activity.pk, w.teacher_a1),
        "quiz.attempt": (second.pk, w.teacher_a1),
        "quiz.finished": (first.pk, w.teacher_a1),
        "quiz.question": (question.pk, w.officer_a),
    }
