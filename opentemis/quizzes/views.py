"""The pages of tests, under /learn/ (issue 13 item 3).

Learner (``learning.access.learner_activity``; an attempt: only one's own):

* ``quiz/<activity>/``: the intro (attempts left, time limit, grade, why it is locked);
* ``quiz/<activity>/start/`` (POST): start or resume (idempotent);
* ``quiz/attempts/<attempt>/``: all questions on one page; each answer is saved as it is chosen
  (``attempt.js``: a small ``fetch`` to ``save/``, kept in ``localStorage`` and sent again when
  the connection returns); a countdown driven by the server's deadline;
* ``quiz/attempts/<attempt>/save/`` (POST, JSON): one answer; ``submit/`` (POST) also takes the
  whole form (without JavaScript the answers come with the submit); ``result/``.

Builder (``learning.access.managed_activity``): ``quiz/<activity>/manage/`` (settings),
``bank/`` (questions, import, template), ``bank/questions/add/``, ``…/<question>/`` (edit: a new
version), ``…/<question>/archive/``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.admission import completes_work
from opentemis.core.http import xlsx_response
from opentemis.learning.models import Activity, Enrolment
from opentemis.quizzes import imports, selectors, services
from opentemis.quizzes.forms import ImportForm, QuestionForm, QuizForm
from opentemis.quizzes.models import Attempt, AttemptState, Quiz


def _errors(request: AuthenticatedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _clock(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


def _remaining(attempt: Attempt) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - timezone.now()).total_seconds()))


# --- the learner -----------------------------------------------------------------------------


@login_required
@require_GET
def take(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment, quiz = selectors.learner_quiz(request.user, pk)
    info = selectors.intro(quiz, enrolment) if quiz else None
    return render(
        request,
        "quizzes/take.html",
        {"activity": activity, "course": activity.course, "quiz": quiz, "info": info},
    )


@login_required
@require_POST
def start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment, quiz = selectors.learner_quiz(request.user, pk)
    if quiz is None:
        messages.error(request, _("This test is not ready yet."))
        return redirect("quiz_take", pk=activity.pk)
    try:
        attempt = services.attempt_start(enrolment=enrolment, quiz=quiz)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("quiz_take", pk=activity.pk)
    return redirect("quiz_attempt", pk=attempt.pk)


@login_required
@require_GET
def attempt_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    attempt = services.close_if_overdue(selectors.own_attempt(request.user, pk))
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect("quiz_attempt_result", pk=attempt.pk)
    activity = Activity.objects.select_related("course").get(pk=attempt.quiz.activity_id)
    return render(
        request,
        "quizzes/attempt.html",
        {
            "attempt": attempt,
            "activity": activity,
            "questions": selectors.attempt_questions(attempt),
            "remaining": _remaining(attempt),
            "clock": _clock(_remaining(attempt)),
        },
    )


def _json_body(request: AuthenticatedRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return {}
        return body if isinstance(body, dict) else {}
    raw = request.POST.get("response")
    try:
        response = json.loads(raw) if raw is not None else None
    except ValueError:
        response = raw
    return {"position": request.POST.get("position"), "response": response}


@completes_work
@login_required
@require_POST
def attempt_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One answer, as JSON ``{"position": n, "response": …}``; answers JSON."""
    attempt = selectors.own_attempt(request.user, pk)
    body = _json_body(request)
    try:
        slot = services.answer_save(
            attempt=attempt, position=body.get("position"), response=body.get("response")
        )
    except ValidationError as exc:
        closed = attempt.state != AttemptState.IN_PROGRESS or services.is_overdue(attempt)
        return JsonResponse(
            {
                "saved": False,
                "error": exc.messages[0],
                "closed": closed,
                "result": reverse("quiz_attempt_result", args=[attempt.pk]) if closed else "",
            },
            status=409 if closed else 400,
        )
    return JsonResponse(
        {"saved": True, "position": slot.position, "remaining": _remaining(attempt)}
    )


@completes_work
@login_required
@require_POST
def attempt_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Submit; answers sent with the form (a page without JavaScript) are saved first."""
    attempt = selectors.own_attempt(request.user, pk)
    if attempt.state == AttemptState.IN_PROGRESS and not services.is_overdue(attempt):
        for key in request.POST:
            if key.startswith("q") and key[1:].isdigit():
                values = request.POST.getlist(key)
                response: Any = values if key in request.POST.getlist("multi") else values[-1]
                try:
                    services.answer_save(attempt=attempt, position=key[1:], response=response)
                except ValidationError:
                    continue
    services.attempt_submit(attempt=attempt, auto=services.is_overdue(attempt))
    return redirect("quiz_attempt_result", pk=attempt.pk)


@login_required
@require_GET
def attempt_result(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    attempt = services.close_if_overdue(selectors.own_attempt(request.user, pk))
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect("quiz_attempt", pk=attempt.pk)
    quiz = Quiz.objects.select_related("activity", "activity__course").get(pk=attempt.quiz_id)
    enrolment = Enrolment.objects.get(pk=attempt.enrolment_id)
    info = selectors.intro(quiz, enrolment)
    reveal = selectors.reveals_answers(attempt, info)
    return render(
        request,
        "quizzes/result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "activity": quiz.activity,
            "info": info,
            "reveal": reveal,
            "passed": attempt.score is not None and attempt.score >= quiz.pass_mark,
            "questions": selectors.attempt_questions(attempt, reveal=reveal),
        },
    )


# --- the builder -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.managed_quiz_activity(request.user, pk)
    quiz = Quiz.objects.filter(activity=activity).first()
    bank = services.bank_for(activity.course)
    categories = list(bank.categories.all())
    counts = {
        c.pk: c.questions.filter(archived=False, current__isnull=False).count() for c in categories
    }
    drawn = {d["category"]: d["count"] for d in (quiz.draws if quiz else [])}
    if request.method == "POST":
        form = QuizForm(request.POST)
        draws = [
            {"category": c.pk, "count": request.POST.get(f"draw{c.pk}") or 0} for c in categories
        ]
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.quiz_setup(
                    actor=request.user,
                    activity=activity,
                    draws=draws,
                    time_limit=data["time_limit"],
                    attempts=data["attempts"],
                    grading=data["grading"],
                    pass_mark=data["pass_mark"],
                    shuffle=data["shuffle"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The test is saved."))
                return redirect("quiz_manage", pk=activity.pk)
        drawn = {int(d["category"]): d["count"] for d in draws}
    else:
        initial: dict[str, Any] = {"grading": "highest", "attempts": "0", "shuffle": True}
        if quiz:
            initial = {
                "time_limit": quiz.time_limit or "",
                "attempts": quiz.attempts_allowed,
                "grading": quiz.grading,
                "pass_mark": f"{quiz.pass_mark.normalize():f}",
                "shuffle": quiz.shuffle,
            }
        form = QuizForm(initial=initial)
    rows = [(c, counts[c.pk], drawn.get(c.pk, 0)) for c in categories]
    return render(
        request,
        "quizzes/manage.html",
        {
            "activity": activity,
            "course": activity.course,
            "quiz": quiz,
            "form": form,
            "rows": rows,
            "default_pass": services.default_pass_mark(activity.course),
        },
    )


@login_required
@require_GET
def bank(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.managed_quiz_activity(request.user, pk)
    the_bank = services.bank_for(activity.course)
    return render(
        request,
        "quizzes/bank.html",
        {
            "activity": activity,
            "course": activity.course,
            "bank": the_bank,
            "listing": selectors.bank_listing(the_bank),
            "kinds": selectors.KIND_LABELS,
            "import_form": ImportForm(),
        },
    )


@login_required
@require_POST
def bank_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.managed_quiz_activity(request.user, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to import."))
        return redirect("quiz_bank", pk=activity.pk)
    upload = form.cleaned_data["file"]
    if upload.size > imports.MAX_BYTES:
        messages.error(request, _("The file is larger than 5 MB."))
        return redirect("quiz_bank", pk=activity.pk)
    try:
        report = imports.bank_import(
            actor=request.user, course=activity.course, content=upload.read(), name=upload.name
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("quiz_bank", pk=activity.pk)
    messages.success(
        request,
        _("Imported: %(added)s new, %(versions)s changed (new version), %(same)s unchanged.")
        % {"added": report.added, "versions": report.versions, "same": report.unchanged},
    )
    for message in report.skipped[:20]:
        messages.warning(request, message)
    return redirect("quiz_bank", pk=activity.pk)


@login_required
@require_GET
def bank_template(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    selectors.managed_quiz_activity(request.user, pk)
    return xlsx_response(imports.excel_template(), "mau-ngan-hang-cau-hoi.xlsx")


@login_required
@require_POST
def category_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.managed_quiz_activity(request.user, pk)
    try:
        services.category_add(
            actor=request.user, course=activity.course, name=request.POST.get("name")
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("quiz_bank", pk=activity.pk)


def _question_page(
    request: AuthenticatedRequest, activity: Activity, question: Any = None
) -> HttpResponse:
    the_bank = services.bank_for(activity.course)
    if request.method == "POST":
        form = QuestionForm(request.POST, bank_id=the_bank.pk)
        if form.is_valid():
            try:
                services.question_save(
                    actor=request.user,
                    course=activity.course,
                    category=form.cleaned_data["category"],
                    draft=form.draft(),
                    question=question,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The question is saved."))
                return redirect("quiz_bank", pk=activity.pk)
    else:
        initial = QuestionForm.initial_of(question) if question else {"points": "1"}
        form = QuestionForm(initial=initial, bank_id=the_bank.pk)
    versions = list(question.versions.order_by("-number")[:20]) if question else []
    return render(
        request,
        "quizzes/question.html",
        {
            "activity": activity,
            "course": activity.course,
            "form": form,
            "question": question,
            "versions": versions,
            "has_categories": the_bank.categories.exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.managed_quiz_activity(request.user, pk)
    return _question_page(request, activity)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: AuthenticatedRequest, pk: int, question: int) -> HttpResponse:
    activity, found = selectors.managed_question(request.user, pk, question)
    return _question_page(request, activity, found)


@login_required
@require_POST
def question_archive(request: AuthenticatedRequest, pk: int, question: int) -> HttpResponse:
    activity, found = selectors.managed_question(request.user, pk, question)
    services.question_archive(actor=request.user, course=activity.course, question=found)
    messages.success(request, _("The question is no longer drawn."))
    return redirect("quiz_bank", pk=activity.pk)
