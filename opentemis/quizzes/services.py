"""Writes of the quizzes app (issue 13 item 3): the bank and its versions, a quiz's settings,
attempts (start, answer, submit) and the sweep of attempts whose time ran out.

The hot path (50 concurrent learners at national scale): ``attempt_start`` is one look-up of
the attempt in progress when there is one; an answer is ``answer_save``: one SELECT of the slot
with its question version and one UPDATE (the view adds one SELECT of the attempt); nothing
loads the bank but the start, which reads the ids of the drawn categories' questions.

Time is the server's: ``deadline = started + limit``. Answers are taken until ``deadline +
GRACE`` (answers in flight when the countdown ends); an attempt past that is submitted with
what was saved, on the learner's next request (:func:`close_if_overdue`) and by the sweep
(:func:`overdue_sweep`: the ``quizzes_sweep`` command and the task worker's sweeps).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.learning import services as learning
from opentemis.learning.access import manages_course
from opentemis.learning.models import (
    Activity,
    ActivityKind,
    Course,
    Enrolment,
    EnrolmentStatus,
    ProgressState,
)
from opentemis.quizzes import grading as rules
from opentemis.quizzes.models import (
    Attempt,
    AttemptState,
    Category,
    Grading,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionVersion,
    Quiz,
    Slot,
)
from opentemis.training.models import TrainingYear

#: Answers sent this long after the deadline still count (in flight when the time ran out).
GRACE = dt.timedelta(seconds=30)
MAX_TEXT = 4000
MAX_DRAW = 200
MAX_TIME_LIMIT = 600


class NotAllowed(ValidationError):
    pass


def _require_manager(actor: User | None, course: Course) -> None:
    if actor is not None and not manages_course(actor, course):
        raise NotAllowed(_("You may not change this course."))


# --- the bank -----------------------------------------------------------------------------------


def bank_code(course: Course) -> str:
    """The bank a course uses: its catalogue module's code (a new catalogue version keeps its
    bank), else the course's own code."""
    return course.module.code if course.module_id and course.module else f"course:{course.code}"


def bank_for(course: Course) -> QuestionBank:
    """The bank of the course's unit and module code (made the first time)."""
    bank, _created = QuestionBank.objects.get_or_create(
        unit_id=course.unit_id,
        module_code=bank_code(course)[:60],
        defaults={
            "unit_path": course.unit_path,
            "title": (course.module.title if course.module else course.title)[:500],
        },
    )
    return bank


def _clean_name(value: Any, limit: int = 255) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError(_("Enter a name."))
    if len(text) > limit:
        raise ValidationError(_("The name is too long (at most %(n)s).") % {"n": limit})
    return text


def category_get_or_add(*, bank: QuestionBank, name: Any) -> Category:
    name = _clean_name(name)
    found = Category.objects.filter(bank=bank, name=name).first()
    if found:
        return found
    last = bank.categories.aggregate(m=Max("position"))["m"]
    try:
        with transaction.atomic():
            return Category.objects.create(bank=bank, name=name, position=(last or 0) + 1)
    except IntegrityError:
        return Category.objects.get(bank=bank, name=name)


@transaction.atomic
def category_add(*, actor: User | None, course: Course, name: Any) -> Category:
    _require_manager(actor, course)
    bank = bank_for(course)
    category = category_get_or_add(bank=bank, name=name)
    audit(
        actor=actor,
        action="quizzes.category_add",
        obj=bank,
        unit_id=bank.unit_id,
        changes={"name": category.name},
    )
    return category


@dataclass(frozen=True)
class Draft:
    """A question as written (a form, an import row), before it is stored."""

    kind: str
    text: str
    data: dict[str, Any]
    points: Decimal = Decimal(1)
    feedback: str = ""

    def cleaned(self) -> Draft:
        if self.kind not in QuestionKind.values:
            raise ValidationError(_("Unknown kind of question."))
        text = str(self.text or "").strip()
        if not text:
            raise ValidationError(_("Enter the question."))
        if len(text) > MAX_TEXT:
            raise ValidationError(_("The question is too long (at most %(n)s).") % {"n": MAX_TEXT})
        points = rules.parse_number(self.points)
        if points is None or points <= 0 or points > 100:
            raise ValidationError(_("Points must be a number between 0 and 100."))
        return Draft(
            kind=self.kind,
            text=text,
            data=rules.clean_data(self.kind, self.data),
            points=points.quantize(Decimal("0.01")),
            feedback=str(self.feedback or "").strip()[:MAX_TEXT],
        )

    def content_hash(self) -> str:
        body = json.dumps(
            [self.kind, self.text, self.data, str(self.points), self.feedback],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(body.encode()).hexdigest()


@transaction.atomic
def question_put(
    *,
    actor: User | None,
    bank: QuestionBank,
    category: Category,
    draft: Draft,
    key: str = "",
    question: Question | None = None,
) -> tuple[Question, str]:
    """Store a question (no check of who acts: the callers do). With ``question`` or a ``key``
    the bank holds already: a new version if the content changed ("new"/"version"/"same").
    Returns the question and what happened."""
    draft = draft.cleaned()
    digest = draft.content_hash()
    if question is None:
        key = key[:255] or f"hash:{digest[:40]}"
        question = Question.objects.select_for_update().filter(bank=bank, key=key).first()
    if question is None:
        question = Question.objects.create(bank=bank, category=category, key=key)
        outcome = "new"
        number = 1
    else:
        current = question.current
        moved = question.category_id != category.pk
        if current is not None and current.content_hash == digest and not question.archived:
            if moved:
                question.category = category
                question.save(update_fields=["category"])
            return question, "same"
        number = (question.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        outcome = "version"
        question.category = category
        question.archived = False
    version = QuestionVersion.objects.create(
        question=question,
        number=number,
        kind=draft.kind,
        text=draft.text,
        data=draft.data,
        feedback=draft.feedback,
        points=draft.points,
        content_hash=digest,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    question.current = version
    question.save(update_fields=["current", "category", "archived"])
    return question, outcome


@transaction.atomic
def question_save(
    *,
    actor: User | None,
    course: Course,
    category: Category,
    draft: Draft,
    question: Question | None = None,
) -> Question:
    """Add a question to the course's bank, or edit one (a new version; attempts already
    taken keep the version they showed)."""
    _require_manager(actor, course)
    bank = bank_for(course)
    if category.bank_id != bank.pk or (question is not None and question.bank_id != bank.pk):
        raise ValidationError(_("This category is not in the course's bank."))
    if question is not None:
        question = Question.objects.select_for_update().get(pk=question.pk)
    saved, outcome = question_put(
        actor=actor, bank=bank, category=category, draft=draft, question=question
    )
    audit(
        actor=actor,
        action="quizzes.question_save",
        obj=bank,
        unit_id=bank.unit_id,
        changes={"question": saved.pk, "outcome": outcome},
    )
    return saved


@transaction.atomic
def question_archive(*, actor: User | None, course: Course, question: Question) -> None:
    """Take a question out of future draws (attempts keep it)."""
    _require_manager(actor, course)
    if question.bank_id != bank_for(course).pk:
        raise ValidationError(_("This question is not in the course's bank."))
    Question.objects.filter(pk=question.pk).update(archived=True)
    audit(
        actor=actor,
        action="quizzes.question_archive",
        obj=question.bank,
        unit_id=question.bank.unit_id,
        changes={"question": question.pk},
    )


# --- the quiz ------------------------------------------------------------------------------------


def default_pass_mark(course: Course) -> Decimal:
    year = TrainingYear.objects.filter(school_year_id=course.school_year_id).first()
    return year.pass_score if year else Decimal(5)


def _clean_draws(bank: QuestionBank, draws: Any) -> list[dict[str, int]]:
    if not isinstance(draws, list):
        raise ValidationError(_("Say how many questions to draw from each category."))
    categories = {c.pk: c for c in bank.categories.all()}
    cleaned: dict[int, int] = {}
    for item in draws:
        if not isinstance(item, dict):
            raise ValidationError(_("Say how many questions to draw from each category."))
        try:
            pk = int(item.get("category") or 0)
            count = int(item.get("count") or 0)
        except (TypeError, ValueError):
            raise ValidationError(_("The number of questions must be a whole number.")) from None
        if pk not in categories:
            raise ValidationError(_("This category is not in the course's bank."))
        if count < 0 or count > MAX_DRAW:
            raise ValidationError(
                _("Draw between 0 and %(n)s questions from a category.") % {"n": MAX_DRAW}
            )
        if count:
            available = Question.objects.filter(
                category_id=pk, archived=False, current__isnull=False
            ).count()
            if count > available:
                raise ValidationError(
                    _("The category “%(name)s” has only %(n)s questions.")
                    % {"name": categories[pk].name, "n": available}
                )
            cleaned[pk] = count
    return [{"category": pk, "count": n} for pk, n in cleaned.items()]


def _optional_int(value: Any, message: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(message) from None
    if not low <= number <= high:
        raise ValidationError(message)
    return number


@transaction.atomic
def quiz_setup(
    *,
    actor: User | None,
    activity: Activity,
    draws: Any = None,
    time_limit: Any = None,
    attempts: Any = 0,
    grading: Any = Grading.HIGHEST,
    pass_mark: Any = None,
    shuffle: bool = True,
) -> Quiz:
    """Create or change the test of a quiz activity. ``draws``: ``[{"category": pk, "count":
    n}]`` from the bank of the course (``None`` keeps them); ``time_limit`` in minutes (empty:
    none); ``attempts``: 0 = unlimited; ``pass_mark`` on 10 (empty: the school year's pass
    score, ``TrainingYear.pass_score``). The course builder and the demo call it."""
    course = activity.course
    _require_manager(actor, course)
    if activity.kind != ActivityKind.QUIZ:
        raise ValidationError(_("This activity is not a test."))
    bank = bank_for(course)
    quiz = Quiz.objects.select_for_update().filter(activity=activity).first()
    if quiz is None:
        quiz = Quiz(activity=activity, bank=bank)
    if draws is not None:
        quiz.draws = _clean_draws(bank, draws)
    quiz.time_limit = _optional_int(
        time_limit,
        _("The time limit is a number of minutes between 1 and %(n)s.") % {"n": MAX_TIME_LIMIT},
        1,
        MAX_TIME_LIMIT,
    )
    quiz.attempts_allowed = (
        _optional_int(attempts, _("Attempts allowed: a whole number from 0 to 100."), 0, 100) or 0
    )
    if str(grading) not in Grading.values:
        raise ValidationError(_("Unknown grading method."))
    quiz.grading = str(grading)
    mark: Decimal | None = default_pass_mark(course)
    if pass_mark not in (None, ""):
        mark = rules.parse_number(pass_mark)
    if mark is None or not 0 <= mark <= 10:
        raise ValidationError(_("The pass mark is a number from 0 to 10."))
    quiz.pass_mark = mark.quantize(Decimal("0.01"))
    quiz.shuffle = bool(shuffle)
    if quiz.pk:
        quiz.version += 1
    quiz.save()
    names = dict(bank.categories.values_list("pk", "name"))
    audit(
        actor=actor,
        action="quizzes.quiz_setup",
        obj=activity,
        unit_id=course.unit_id,
        changes={
            "draws": "; ".join(
                f"{names.get(d['category'], d['category'])}: {d['count']}" for d in quiz.draws
            ),
            "time_limit": quiz.time_limit,
            "attempts": quiz.attempts_allowed,
            "grading": quiz.grading,
            "pass_mark": str(quiz.pass_mark),
        },
    )
    return quiz


def question_count(quiz: Quiz) -> int:
    return sum(int(d.get("count") or 0) for d in quiz.draws)


# --- attempts -----------------------------------------------------------------------------------


def attempts_left(quiz: Quiz, used: int) -> int | None:
    """How many more attempts the learner may start (None: unlimited)."""
    if not quiz.attempts_allowed:
        return None
    return max(0, quiz.attempts_allowed - used)


def in_progress(quiz: Quiz, enrolment: Enrolment) -> Attempt | None:
    return Attempt.objects.filter(
        quiz=quiz, enrolment=enrolment, state=AttemptState.IN_PROGRESS
    ).first()


def is_overdue(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """Whether the attempt's time ran out, grace included (answers no longer taken)."""
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.deadline is not None
        and (now or timezone.now()) > attempt.deadline + GRACE
    )


def close_if_overdue(attempt: Attempt) -> Attempt:
    """Submit an attempt whose time ran out with what was saved (the learner's next request)."""
    if is_overdue(attempt):
        return attempt_submit(attempt=attempt, auto=True)
    return attempt


def _draw(quiz: Quiz) -> list[int]:
    """The question versions of a new attempt: ``count`` at random from each category, in
    the draws' order (shuffled afterwards if the quiz says so)."""
    picked: list[int] = []
    for draw in quiz.draws:
        rows = list(
            Question.objects.filter(
                category_id=draw["category"], archived=False, current__isnull=False
            ).values_list("pk", "current_id")
        )
        # Unshuffled, a draw keeps the bank's order (the questions' creation).
        chosen = sorted(random.sample(rows, min(int(draw["count"]), len(rows))))
        picked.extend(current for _pk, current in chosen if current is not None)
    return picked


def attempt_start(*, enrolment: Enrolment, quiz: Quiz) -> Attempt:
    """The learner's attempt in progress, or a new one: idempotent (a double click, two tabs, a
    retry or concurrent requests land on one attempt, by the partial unique constraint
    ``one_attempt_in_progress``). A new attempt needs the prerequisites done, an attempt left
    and questions to draw; they are drawn now and stored as slots."""
    activity = quiz.activity
    if activity.course_id != enrolment.course_id:
        raise ValueError("quiz and enrolment of different courses")
    current = in_progress(quiz, enrolment)
    if current is not None:
        current = close_if_overdue(current)
        if current.state == AttemptState.IN_PROGRESS:
            return current
    if enrolment.status == EnrolmentStatus.LEFT:
        raise ValidationError(_("You are no longer enrolled in this course."))
    missing = learning.prerequisites_missing(enrolment, activity)
    if missing:
        raise ValidationError(
            _("Finish these first: %(names)s.") % {"names": ", ".join(a.title for a in missing)}
        )
    used = Attempt.objects.filter(quiz=quiz, enrolment=enrolment).count()
    left = attempts_left(quiz, used)
    if left == 0:
        raise ValidationError(_("You have used all your attempts at this test."))
    versions = _draw(quiz)
    if not versions:
        raise ValidationError(_("This test has no questions yet."))
    if quiz.shuffle:
        random.shuffle(versions)
    now = timezone.now()
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                enrolment=enrolment,
                unit_path=enrolment.unit_path,
                number=used + 1,
                started_at=now,
                deadline=now + dt.timedelta(minutes=quiz.time_limit) if quiz.time_limit else None,
            )
            choices = {
                pk: len(data.get("choices") or [])
                for pk, data in QuestionVersion.objects.filter(
                    pk__in=versions, kind__in=(QuestionKind.SINGLE, QuestionKind.MULTIPLE)
                ).values_list("pk", "data")
            }
            Slot.objects.bulk_create(
                [
                    Slot(
                        attempt=attempt,
                        unit_path=attempt.unit_path,
                        position=i + 1,
                        question_version_id=pk,
                        order=_order(choices.get(pk, 0), quiz.shuffle),
                    )
                    for i, pk in enumerate(versions)
                ]
            )
            learning.progress_record(
                enrolment=enrolment, activity=activity, state=ProgressState.STARTED
            )
    except IntegrityError:
        # Another request started it at the same moment: theirs is the attempt.
        current = in_progress(quiz, enrolment)
        if current is None:
            raise ValidationError(_("The test could not be started; try again.")) from None
        return current
    return attempt


def _order(count: int, shuffle: bool) -> list[int]:
    order = list(range(count))
    if shuffle:
        random.shuffle(order)
    return order


def answer_save(*, attempt: Attempt, position: Any, response: Any) -> Slot:
    """Keep the learner's answer to one question (the last write wins; saving the same answer
    twice changes nothing). Refused once the attempt is submitted or its time ran out (the
    deadline plus :data:`GRACE`); an overdue attempt is then submitted with what was saved.
    Two statements: the slot with its version, then one UPDATE that matches only an ungraded
    slot (a submit running at the same moment wins, and the answer is refused)."""
    try:
        number = int(position)
    except (TypeError, ValueError):
        raise ValidationError(_("This question is not in the attempt.")) from None
    if attempt.state != AttemptState.IN_PROGRESS:
        raise ValidationError(_("This attempt is already submitted."))
    if is_overdue(attempt):
        close_if_overdue(attempt)
        raise ValidationError(_("The time is up: your saved answers were submitted."))
    slot = (
        Slot.objects.filter(attempt_id=attempt.pk, position=number)
        .select_related("question_version")
        .first()
    )
    if slot is None:
        raise ValidationError(_("This question is not in the attempt."))
    version = slot.question_version
    value = rules.clean_response(version.kind, version.data, response)
    now = timezone.now()
    updated = Slot.objects.filter(pk=slot.pk, grade__isnull=True).update(
        response=value, saved_at=now
    )
    if not updated:
        raise ValidationError(_("This attempt is already submitted."))
    slot.response, slot.saved_at = value, now
    return slot


def attempt_submit(*, attempt: Attempt, auto: bool = False) -> Attempt:
    """Grade every slot, give the attempt its score on 10, finish it and report the test's
    grade (by the quiz's grading method across finished attempts) to the course. Idempotent:
    a finished attempt is returned as it is."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.state != AttemptState.IN_PROGRESS:
            return locked
        slots = list(
            Slot.objects.select_for_update()
            .filter(attempt=locked)
            .select_related("question_version")
            .order_by("position")
        )
        marks = []
        for slot in slots:
            version = slot.question_version
            slot.grade = rules.grade(version.kind, version.data, slot.response)
            marks.append((slot.grade, version.points))
        Slot.objects.bulk_update(slots, ["grade"])
        locked.score = rules.score_on_ten(marks)
        locked.state = AttemptState.FINISHED
        locked.finished_at = timezone.now()
        locked.auto_submitted = auto
        locked.save(update_fields=["score", "state", "finished_at", "auto_submitted"])
        quiz = locked.quiz
        enrolment = Enrolment.objects.select_related("course").get(pk=locked.enrolment_id)
        result = quiz_grade(quiz, enrolment)
        assert result is not None
        activity = Activity.objects.get(pk=quiz.activity_id)
        learning.progress_record(
            enrolment=enrolment,
            activity=activity,
            state=ProgressState.PASSED if result >= quiz.pass_mark else ProgressState.FAILED,
            score=result,
            data={"attempts": locked.number},
            replace=True,
        )
    attempt.state, attempt.score, attempt.finished_at = (
        locked.state,
        locked.score,
        locked.finished_at,
    )
    attempt.auto_submitted = locked.auto_submitted
    return locked


def quiz_grade(quiz: Quiz, enrolment: Enrolment) -> Decimal | None:
    """The grade of the test for the learner: the grading method over the finished attempts."""
    scores = list(
        Attempt.objects.filter(quiz=quiz, enrolment=enrolment, state=AttemptState.FINISHED)
        .order_by("number")
        .values_list("score", flat=True)
    )
    return rules.overall(quiz.grading, [s for s in scores if s is not None])


def overdue_sweep(now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Submit the attempts whose time ran out (grace included) with what was saved; returns how
    many. Runs in the system scope (a command, the worker's sweeps): learners of every unit."""
    now = now or timezone.now()
    done = 0
    with system_scope():
        ids = list(
            Attempt.objects.filter(
                state=AttemptState.IN_PROGRESS, deadline__lt=now - GRACE
            ).values_list("pk", flat=True)[:limit]
        )
        for pk in ids:
            attempt = Attempt.objects.get(pk=pk)
            attempt_submit(attempt=attempt, auto=True)
            done += 1
    return done


def parse_points(value: Any) -> Decimal:
    try:
        return Decimal(str(value or "1").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Points must be a number between 0 and 100.")) from None
