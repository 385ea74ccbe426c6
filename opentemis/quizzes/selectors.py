"""Reads of the quizzes app: who reaches which quiz, attempt and question (404 otherwise, as
for a missing one), and what the learner's pages show."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404

from opentemis.accounts.models import User
from opentemis.learning import access
from opentemis.learning import services as learning
from opentemis.learning.models import Activity, ActivityKind, Enrolment
from opentemis.quizzes import grading, services
from opentemis.quizzes.models import (
    Attempt,
    AttemptState,
    Category,
    Question,
    QuestionBank,
    QuestionKind,
    Quiz,
    Slot,
)


def learner_quiz(actor: User, pk: int) -> tuple[Activity, Enrolment, Quiz | None]:
    """Quiz activity ``pk`` for a learner enrolled in its course (its quiz: None while the
    officer has not set it up); 404 otherwise."""
    activity, enrolment = access.learner_activity(actor, pk)
    if activity.kind != ActivityKind.QUIZ:
        raise Http404
    quiz = Quiz.objects.filter(activity=activity).first()
    if quiz is not None:
        quiz.activity = activity
    return activity, enrolment, quiz


def own_attempt(actor: User, pk: int) -> Attempt:
    """The actor's own attempt ``pk`` (one query); 404 for anybody else's."""
    if not actor.is_authenticated or not actor.person_id:
        raise Http404
    attempt = (
        Attempt.objects.filter(pk=pk, enrolment__person_id=actor.person_id)
        .select_related("quiz")
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def managed_quiz_activity(actor: User, pk: int) -> Activity:
    """Quiz activity ``pk`` for an officer who manages its course; 404 otherwise."""
    activity = access.managed_activity(actor, pk)
    if activity.kind != ActivityKind.QUIZ:
        raise Http404
    return activity


def managed_question(actor: User, pk: int, question_pk: int) -> tuple[Activity, Question]:
    activity = managed_quiz_activity(actor, pk)
    bank = QuestionBank.objects.filter(
        unit_id=activity.course.unit_id, module_code=services.bank_code(activity.course)[:60]
    ).first()
    question = (
        Question.objects.filter(pk=question_pk, bank=bank).select_related("current").first()
        if bank
        else None
    )
    if question is None:
        raise Http404
    return activity, question


@dataclass
class Intro:
    """What the learner's first page of a test says."""

    used: int
    left: int | None
    grade: Decimal | None
    passed: bool
    current: Attempt | None
    finished: list[Attempt]
    missing: list[Activity]
    questions: int

    @property
    def can_start(self) -> bool:
        return self.current is not None or (
            not self.missing and self.left != 0 and self.questions > 0
        )


def intro(quiz: Quiz, enrolment: Enrolment) -> Intro:
    attempts = list(Attempt.objects.filter(quiz=quiz, enrolment=enrolment).order_by("number"))
    current = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    if current is not None:
        current = services.close_if_overdue(current)
        if current.state != AttemptState.IN_PROGRESS:
            return intro(quiz, enrolment)
    finished = [a for a in attempts if a.state == AttemptState.FINISHED]
    result = grading.overall(quiz.grading, [a.score for a in finished if a.score is not None])
    return Intro(
        used=len(attempts),
        left=services.attempts_left(quiz, len(attempts)),
        grade=result,
        passed=result is not None and result >= quiz.pass_mark,
        current=current,
        finished=finished,
        missing=learning.prerequisites_missing(enrolment, quiz.activity),
        questions=services.question_count(quiz),
    )


@dataclass
class Shown:
    """A slot as the pages show it: the question and its options in the attempt's order."""

    slot: Slot
    kind: str
    text: str
    options: list[tuple[int, str]]  # (index in the version, text), as shown
    response: Any
    # The result page only:
    fraction: Decimal | None = None
    correct: Any = None
    feedback: str = ""

    @property
    def chosen(self) -> set[int]:
        if isinstance(self.response, list):
            return set(self.response)
        return (
            {self.response}
            if isinstance(self.response, int) and not isinstance(self.response, bool)
            else set()
        )

    @property
    def right_options(self) -> set[int]:
        if isinstance(self.correct, list):
            return set(self.correct)
        return (
            {self.correct}
            if isinstance(self.correct, int) and not isinstance(self.correct, bool)
            else set()
        )

    @property
    def verdict(self) -> str:
        if self.fraction is None:
            return ""
        if self.fraction >= 1:
            return "right"
        return "partly" if self.fraction > 0 else "wrong"


def attempt_questions(attempt: Attempt, *, reveal: bool = False) -> list[Shown]:
    """The attempt's questions in order (one query); ``reveal``: with the right answers."""
    shown = []
    for slot in Slot.objects.filter(attempt=attempt).select_related("question_version"):
        version = slot.question_version
        choices = version.data.get("choices") or []
        order = slot.order if len(slot.order) == len(choices) else list(range(len(choices)))
        item = Shown(
            slot=slot,
            kind=version.kind,
            text=version.text,
            options=[(i, choices[i]["text"]) for i in order],
            response=slot.response,
        )
        if slot.grade is not None:
            item.fraction = slot.grade
        if reveal:
            item.correct = grading.correct_response(version.kind, version.data)
            item.feedback = version.feedback
        shown.append(item)
    return shown


def reveals_answers(attempt: Attempt, info: Intro) -> bool:
    """The result page shows the right answers once the learner passed or can try no more
    (never while another attempt could use them); which questions were right is always shown."""
    return attempt.state == AttemptState.FINISHED and (info.passed or info.left == 0)


def bank_listing(bank: QuestionBank) -> list[tuple[Category, list[Question]]]:
    """The bank's categories with their questions at the current version (two queries)."""
    questions: dict[int, list[Question]] = {}
    for q in (
        Question.objects.filter(bank=bank, archived=False)
        .select_related("current")
        .order_by("category_id", "pk")
    ):
        questions.setdefault(q.category_id, []).append(q)
    return [(c, questions.get(c.pk, [])) for c in bank.categories.all()]


KIND_LABELS = dict(QuestionKind.choices)
