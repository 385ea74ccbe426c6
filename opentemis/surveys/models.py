"""The end-of-course satisfaction survey (khảo sát mức độ hài lòng; issue 13; bdtx.md R14, R15;
decision 0019).

A :class:`Survey` belongs to one activity of kind "survey" and pins the item set version it
uses (``items.py``: the items come from data). A :class:`SurveyResponse` is one per enrolment;
the learner may change it until the course is closed (the results then stay put). Results are
anonymous: means per aspect and their index band by unit, never for a group of fewer than 5
responses (``selectors.py``).
"""

from __future__ import annotations

from django.db import models

from opentemis.core.scoping import ScopedManager


class Survey(models.Model):
    activity = models.OneToOneField(
        "learning.Activity", on_delete=models.CASCADE, related_name="survey"
    )
    item_set = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"survey {self.activity_id} ({self.item_set})"


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    answers = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "enrolment"], name="one_survey_response")
        ]
        indexes = [models.Index(fields=["survey", "unit_path"], name="survey_response_path")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.enrolment_id}"
