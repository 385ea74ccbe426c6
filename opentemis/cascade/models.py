"""The cascade's records (issue 14; bdtx.md R12; decision 0020).

:class:`Caseload`: each mass teacher (đại trà) has one core teacher (cốt cán) for a school year,
who supports them and grades their final products in every module of the year
(``learning.access.assigned_grader`` reads it: the one rule for whose queue a submission goes
to). The row carries the learner's unit path and is unit-scoped like every personal record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager


class CaseloadMethod(models.TextChoices):
    BALANCED = "balanced", _("Assigned by the balancing rule")
    UPLOADED = "uploaded", _("Uploaded from a spreadsheet")
    MANUAL = "manual", _("Assigned by hand")


class Caseload(models.Model):
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    learner = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    core = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    # The learner's unit path when assigned (kept in step by the cascade's services).
    unit_path = models.CharField(max_length=255, editable=False)
    method = models.CharField(
        max_length=8, choices=CaseloadMethod.choices, default=CaseloadMethod.BALANCED
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school_year", "learner"], name="one_caseload_per_year")
        ]
        indexes = [
            models.Index(fields=["school_year", "core"], name="caseload_core"),
            models.Index(fields=["school_year", "unit_path"], name="caseload_path"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} → {self.core_id} ({self.school_year_id})"


class CoreCheck(models.Model):
    """What the selection conditions said when a person was designated core staff for a year
    (TT 20/2018 Điều 12 for teachers, TT 14/2018 Điều 12 for managers; the conditions are data,
    ``cascade/data/core_conditions.yaml``). The designation itself is ``staff.CoreDesignation``
    (one source of truth); this row keeps the check it was made on, the school level the person
    is core for, and, when a condition was not met, the officer's reason for designating anyway.
    """

    person = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    level = models.ForeignKey(
        "orgs.SchoolLevel", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # [{"code", "status" (met / not_met / unknown), "reason"}], as shown to the officer.
    result = models.JSONField(default=list)
    passed = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    conditions_version = models.CharField(max_length=40, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "school_year"], name="one_core_check")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.school_year_id}): {'ok' if self.passed else 'override'}"


class SupportPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    ACTIVE = "active", _("Under way")
    DONE = "done", _("Carried out")


class SupportPlan(models.Model):
    """A core teacher's plan to support their colleagues for the year (kế hoạch hỗ trợ đồng
    nghiệp, bdtx.md R9, R12): free text and where it stands."""

    person = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    text = models.TextField(_("plan"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=6,
        choices=SupportPlanStatus.choices,
        default=SupportPlanStatus.DRAFT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "school_year"], name="one_support_plan")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.school_year_id}) {self.status}"


class SupportForm(models.TextChoices):
    ONLINE = "online", _("Online session")
    FORUM = "forum", _("Forum answer")
    OBSERVATION = "observe", _("Lesson observation")
    MEETING = "meeting", _("Meeting of the subject group")
    MODEL_LESSON = "model", _("Model lesson")
    OTHER = "other", _("Other")


class SupportActivity(models.Model):
    """One support activity a core teacher records (bdtx.md R12): when, in what form, for which
    colleagues of their caseload, and a note."""

    person = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    date = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=8, choices=SupportForm.choices)
    colleagues = models.ManyToManyField("staff.Person", blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["person", "school_year"], name="support_person_year")]
        verbose_name_plural = "support activities"

    def __str__(self) -> str:
        return f"{self.person_id} {self.date} {self.form}"
