"""The end-of-course satisfaction survey (khảo sát mức độ hài lòng; issue 13, issue 14 item 6;
bdtx.md R14, R15; decisions 0019 and 0024).

A :class:`Survey` belongs to one activity of kind "survey" and pins the item set version it
uses (``items.py``: the items come from data).

Answering writes two rows in one transaction, and nothing joins them (decision 0024):

* a :class:`SurveyReceipt` (survey, enrolment, when): *that* the learner answered. It counts
  for the course's completion (``learning.services.progress_record``) and refuses a second
  answer (one per survey and enrolment);
* a :class:`SurveyAnswer` (survey, a generalised unit, the scores, the free text): *what* was
  answered, with no link to the person: no key to the enrolment, the person or the account, no
  date or time, and a random UUID for a key (no number that follows the order of insertion).
  Its unit is the learner's unit generalised until at least ``min_group`` learners of the
  course share it (``anonymity.generalised_path``), so the row cannot single anyone out.

Since an answer cannot be found again, it cannot be changed once sent. Results (means per
aspect, index bands, counts) are in ``selectors.py``, withheld for groups under ``min_group``.
"""

from __future__ import annotations

import uuid

from django.db import models

from opentemis.core.scoping import ScopedManager


class Survey(models.Model):
    activity = models.OneToOneField(
        "learning.Activity", on_delete=models.CASCADE, related_name="survey"
    )
    item_set = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    # Receipts counted at the last seal (``services.answers_seal``): a survey with more has
    # answers still lying in the order, and the transaction, they were written in.
    sealed_count = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return f"survey {self.activity_id} ({self.item_set})"


class SurveyReceipt(models.Model):
    """That a learner answered a survey (never what): completion and "once only"."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="receipts")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "enrolment"], name="one_survey_receipt")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.enrolment_id}"


class SurveyAnswer(models.Model):
    """What was answered, by nobody in particular: no link to a person, no time, a random key.

    ``unit_path``: the learner's unit generalised to the deepest ancestor holding at least
    ``min_group`` learners of the course (``anonymity.generalised_path``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    unit_path = models.CharField(max_length=255, editable=False)
    answers = models.JSONField(default=dict)
    comment = models.TextField(blank=True)

    objects = ScopedManager("unit_path")

    class Meta:
        indexes = [models.Index(fields=["survey", "unit_path"], name="survey_answer_path")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.unit_path}"
