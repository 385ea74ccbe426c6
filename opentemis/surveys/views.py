"""Pages of the satisfaction survey, under /learn/surveys/ (R14, R15).

* ``<activity>/``: the learner's form, one question per row with the scale as radio buttons
  that fit a phone. Answers are anonymous and final (decision 0024): the form says so and asks
  the learner to confirm; once sent, the page only says that they answered, and a second
  answer is refused;
* ``<activity>/results/``: anonymous results for those who read the course's progress
  (``learning.access.read_course``): means and index bands by unit, small groups hidden.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.admission import completes_work
from opentemis.learning.access import learner_activity, read_course
from opentemis.learning.models import Activity, ActivityKind, CourseStatus
from opentemis.surveys import items, selectors, services
from opentemis.surveys.models import Survey


def _survey_activity(activity: Activity) -> Activity:
    if activity.kind != ActivityKind.SURVEY:
        raise Http404
    return activity


@completes_work
@login_required
@require_http_methods(["GET", "POST"])
def survey_take(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = learner_activity(request.user, pk)
    _survey_activity(activity)
    survey = services.survey_for(activity)
    survey.activity = activity
    item_set = items.get(survey.item_set)
    receipt = services.has_answered(survey, enrolment)
    answers: dict[str, Any] = {}
    comment = ""
    failed = False
    if request.method == "POST":
        answers = {i.code: request.POST.get(i.code, "") for i in item_set.items}
        comment = request.POST.get("comment", "")
        try:
            if receipt is not None:
                raise services.already_answered()
            if request.POST.get("confirm") != "1":
                raise ValidationError(
                    _("Tick the box to confirm: once sent, your answers cannot be changed.")
                )
            services.answer_submit(
                actor=request.user,
                survey=survey,
                enrolment=enrolment,
                answers=answers,
                comment=comment,
            )
        except ValidationError as exc:
            failed = True
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you: your answers are recorded, anonymously."))
            return redirect("survey_take", pk=pk)
    rows = [(item, str(answers.get(item.code, ""))) for item in item_set.items]
    return render(
        request,
        "surveys/take.html",
        {
            "activity": activity,
            "course": activity.course,
            "item_set": item_set,
            "rows": rows,
            "scale": [str(v) for v in item_set.scale],
            "comment": comment,
            "receipt": receipt,
            "closed": activity.course.status == CourseStatus.CLOSED,
        },
        status=400 if failed else 200,
    )


@login_required
@require_GET
def survey_results(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = Activity.objects.filter(pk=pk, kind=ActivityKind.SURVEY).first()
    if activity is None:
        raise Http404
    course = read_course(request.user, activity.course_id)
    activity.course = course
    survey = Survey.objects.filter(activity=activity).first()
    data = None
    if survey is not None:
        survey.activity = activity
        data = selectors.results(survey, request.user)
    return render(
        request,
        "surveys/results.html",
        {"activity": activity, "course": course, "results": data},
    )
