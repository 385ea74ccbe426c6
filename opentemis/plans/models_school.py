"""The school's BDTX plan of a school year (TT 19/2019 Đ.8; bdtx.md R5): what its staff's
approved personal plans add up to (read, never stored: ``plans.schoolplan``) with the school's
own activities, reported to the superior in June (``training.TrainingYear.school_plan_due``).

Unit-scoped by the school's path, as the personal plans are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager
from opentemis.plans.models import StudyForm
from opentemis.training.models import Programme


class SchoolPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REPORTED = "reported", _("Reported to the superior")


class SchoolPlan(models.Model):
    """A school's plan of a year: its activities and whether it was reported, when, by whom."""

    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, db_index=True)
    status = models.CharField(
        max_length=10, choices=SchoolPlanStatus.choices, default=SchoolPlanStatus.DRAFT
    )
    note = models.TextField(_("note to the superior"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="how many times reported or reopened (writes take a row lock)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school_year", "unit"], name="one_school_plan")
        ]
        indexes = [models.Index(fields=["school_year", "unit_path"], name="school_plan_year_path")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.school_year_id}"


class SchoolActivity(models.Model):
    """An activity the school organises itself (a seminar, a model lesson, a cluster meeting):
    what, in which programme and form, which month (or day), how many periods."""

    school_plan = models.ForeignKey(SchoolPlan, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=255)
    programme = models.CharField(
        _("programme"), max_length=2, choices=Programme.choices, blank=True
    )
    form = models.CharField(
        _("form"), max_length=10, choices=StudyForm.choices, default=StudyForm.FACE_TO_FACE
    )
    month = models.DateField(_("month"), help_text="the first day of the month")
    date = models.DateField(_("date"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("periods (tiết)"), default=0)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager("school_plan__unit_path")

    class Meta:
        ordering = ["month", "date", "id"]

    def __str__(self) -> str:
        return self.title
