"""Writes of the satisfaction survey: keyword-only, atomic, audited (the fact of answering,
never the answers; decision 0024).

* ``survey_for``: the survey of an activity, pinned to the item set version in force when it
  was first used.
* ``answer_submit``: once per enrolment, final. Checked against the pinned items (R15: a form
  with more than 5 % unanswered is refused with the reason, not stored as invalid: the learner
  is there to complete it, and a refused form never reaches the results). Writes, in one
  transaction, the receipt (counts for completion through ``learning.services.progress_record``)
  and the anonymous answer (no link to the person, no time, a random key, the unit
  generalised: ``anonymity.generalised_path``). A second answer is refused: the first can no
  longer be found, so it cannot be replaced.
* ``answers_seal``: what the database itself keeps of the writing (the two rows share the
  transaction that wrote them, PostgreSQL's ``xmin``, and sit in the tables in the order they
  came) is erased by rewriting a survey's answers in a random order with new keys, and its
  receipts, in one transaction of its own (``manage.py seal_survey_answers``, nightly).
"""

from __future__ import annotations

import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.learning.models import (
    Activity,
    ActivityKind,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    ProgressState,
)
from opentemis.learning.services import progress_record
from opentemis.surveys import anonymity, items
from opentemis.surveys.models import Survey, SurveyAnswer, SurveyReceipt

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


def already_answered() -> ValidationError:
    return ValidationError(
        _(
            "You have already answered this survey. Answers are anonymous: once sent they "
            "cannot be found again, so they cannot be changed."
        )
    )


def answer_path(enrolment: Enrolment, k: int) -> str:
    """The learner's unit generalised to the deepest ancestor (within the course's unit) that
    holds at least ``k`` of the course's learners (decision 0024). Counts every learner of the
    course who has not left, whoever asks: a count, read in the system scope to protect the
    answer, never shown."""
    course = enrolment.course

    def count(prefix: str) -> int:
        learners = Enrolment.objects.filter(
            course_id=course.pk, unit_path__startswith=prefix
        ).exclude(status=EnrolmentStatus.LEFT)
        return len(learners.values_list("pk", flat=True)[:k])  # stops at k

    with system_scope():
        return anonymity.generalised_path(enrolment.unit_path, course.unit_path, count, k)


def has_answered(survey: Survey, enrolment: Enrolment) -> SurveyReceipt | None:
    """The learner's receipt (in their own unit: within their scope)."""
    return SurveyReceipt.objects.filter(survey=survey, enrolment=enrolment).first()


@transaction.atomic
def answer_submit(
    *,
    actor: User | None,
    survey: Survey,
    enrolment: Enrolment,
    answers: Any,
    comment: Any = "",
) -> SurveyReceipt:
    """Record the learner's answer, once and for good, and report the survey done."""
    activity = survey.activity
    if enrolment.course_id != activity.course_id:
        raise ValueError("enrolment of another course")
    if activity.course.status == CourseStatus.CLOSED:
        raise ValidationError(_("The course is closed: the survey no longer changes."))
    if enrolment.status == EnrolmentStatus.LEFT:
        raise ValidationError(_("You are no longer in this course's audience."))
    item_set = items.get(survey.item_set)
    kept = item_set.clean(answers)
    text = clean_comment(comment)
    if has_answered(survey, enrolment) is not None:
        raise already_answered()
    try:
        with transaction.atomic():
            receipt = SurveyReceipt.objects.create(
                survey=survey, enrolment=enrolment, unit_path=enrolment.unit_path
            )
    except IntegrityError:  # sent twice at once: the later one is refused
        raise already_answered() from None
    SurveyAnswer.objects.create(  # an INSERT: filed outside the learner's scope, never read there
        survey=survey,
        unit_path=answer_path(enrolment, item_set.min_group),
        answers=kept,
        comment=text,
    )
    progress_record(enrolment=enrolment, activity=activity, state=ProgressState.COMPLETE)
    audit(actor=actor, action="surveys.response_submit", obj=activity, unit_id=None)
    return receipt


def answers_seal(*, survey: Survey) -> int:
    """Rewrite ``survey``'s answers in a random order with new random keys, and touch its
    receipts, in one transaction: afterwards no live row shares its writing transaction or its
    place in the table with the receipt it came with (the old row versions go at the next
    VACUUM; decision 0024). Returns how many answers were rewritten (0: nothing new since the
    last seal). Run in the system scope (``manage.py seal_survey_answers``)."""
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        receipts = SurveyReceipt.objects.filter(survey=locked)
        count = receipts.count()
        if count == locked.sealed_count:
            return 0
        rows = list(
            SurveyAnswer.objects.filter(survey=locked).values_list(
                "pk", "unit_path", "answers", "comment"
            )
        )
        SurveyAnswer.objects.filter(pk__in=[row[0] for row in rows]).delete()
        fresh = [
            SurveyAnswer(survey=locked, unit_path=path, answers=answers, comment=comment)
            for _pk, path, answers, comment in rows
        ]
        random.SystemRandom().shuffle(fresh)
        SurveyAnswer.objects.bulk_create(fresh, batch_size=2000)
        receipts.update(unit_path=F("unit_path"))
        locked.sealed_count = count
        locked.save(update_fields=["sealed_count"])
        return len(fresh)
