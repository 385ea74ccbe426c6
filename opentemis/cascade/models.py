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
