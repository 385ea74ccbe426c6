"""Writes of the satisfaction survey: keyword-only, atomic, audited (the fact of answering,
never the answers).

* ``survey_for``: the survey of an activity, pinned to the item set version in force when it
  was first used.
* ``response_submit``: one response per enrolment (idempotent: sending again changes it),
  editable until the course is closed; checked against the pinned items (R15: a form with
  more than 5 % unanswered is refused with the reason, not stored as invalid: the learner is
  there to complete it, and a refused form never reaches the results). Submitting reports
  "complete" through ``learning.services.progress_record``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.learning.models import (
    Activity,
    ActivityKind,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    ProgressState,
)
from opentemis.learning.services import progress_record
from opentemis.surveys import items
from opentemis.surveys.models import Survey, SurveyResponse

MAX_COMMENT = 2000


def survey_for(activity: Activity) -> Survey:
    """The activity's survey (made on first use, pinned to the current item set)."""
    if activity.kind != ActivityKind.SURVEY:
        raise ValueError("not a survey activity")
    survey, _created = Survey.objects.get_or_create(
        activity=activity, defaults={"item_set": items.default_version()}
    )
    return survey


def clean_comment(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            _("The comment is too long (at most %(max)s characters).") % {"max": MAX_COMMENT}
        )
    return text


@transaction.atomic
def response_submit(
    *,
    actor: User | None,
    survey: Survey,
    enrolment: Enrolment,
    answers: Any,
    comment: Any = "",
) -> SurveyResponse:
    """Record (or change) the learner's response and report the survey done."""
    activity = survey.activity
    if enrolment.course_id != activity.course_id:
        raise ValueError("enrolment of another course")
    if activity.course.status == CourseStatus.CLOSED:
        raise ValidationError(_("The course is closed: the survey no longer changes."))
    if enrolment.status == EnrolmentStatus.LEFT:
        raise ValidationError(_("You are no longer in this course's audience."))
    kept = items.get(survey.item_set).clean(answers)
    text = clean_comment(comment)
    response = (
        SurveyResponse.objects.select_for_update()
        .filter(survey=survey, enrolment=enrolment)
        .first()
    )
    if response is None:
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    survey=survey,
                    enrolment=enrolment,
                    unit_path=enrolment.unit_path,
                    answers=kept,
                    comment=text,
                )
        except IntegrityError:  # sent twice at once: the later one changes it
            response = SurveyResponse.objects.select_for_update().get(
                survey=survey, enrolment=enrolment
            )
    response.answers = kept
    response.comment = text
    response.save(update_fields=["answers", "comment", "updated_at"])
    progress_record(enrolment=enrolment, activity=activity, state=ProgressState.COMPLETE)
    audit(actor=actor, action="surveys.response_submit", obj=activity, unit_id=None)
    return response
