"""Personal BDTX plans, their approval, the hours ledger and the year's result (decision 0018).

Everything here belongs to one person of a unit and is unit-scoped by the person's unit path at
the time it was made (``unit_path``), like evaluations (``core/scoping.py``). What a regulation
sets (hours, the deadline, the pass mark, the result rule) is data of the ``training`` app, read
per school year; a plan pins the catalogue version it chose from and the regulation's version in
force (bdtx.md R17).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager
from opentemis.training.models import Programme, Title


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class StudyForm(models.TextChoices):
    """How an item is studied (TT 19/2019 Đ.6): face-to-face, distance (online) or blended."""

    FACE_TO_FACE = "tap_trung", _("Face-to-face (tập trung)")
    DISTANCE = "tu_xa", _("Distance (từ xa)")
    BLENDED = "ket_hop", _("Blended (kết hợp)")


class PlanDeadline(models.Model):
    """The personal-plan deadline a unit sets for its subtree in a school year (the deepest
    unit's wins); without one, the year's default (``training.TrainingYear.plan_due``)."""

    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    due = models.DateField(_("deadline"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school_year", "unit"], name="one_plan_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.school_year_id}: {self.due}"


class Plan(models.Model):
    """A person's BDTX plan for a school year (TT 19/2019 Đ.8): what they study in each
    programme, in which form and when, with objectives and expected outputs."""

    person = models.ForeignKey("staff.Person", on_delete=models.PROTECT, related_name="bdtx_plans")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(max_length=10, choices=Title.choices)
    # The programme-03 catalogue version the modules come from (locked when a plan is submitted).
    catalogue = models.ForeignKey(
        "training.Catalogue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The finalised evaluation the suggestions were drawn from (None: none was finalised).
    evaluation = models.ForeignKey(
        "evaluations.Evaluation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    regulation_version = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-lock counter")
    objectives = models.TextField(_("objectives"), blank=True)
    outputs = models.TextField(_("expected outputs"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False, help_text="submitted after the deadline")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    returned_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "school_year"], name="one_plan_per_year")
        ]
        indexes = [
            models.Index(fields=["school_year", "unit_path"], name="plan_year_path"),
            models.Index(fields=["unit", "school_year", "status"], name="plan_unit_status"),
        ]

    def __str__(self) -> str:
        return f"BDTX {self.person_id} {self.school_year_id}"

    @property
    def is_locked(self) -> bool:
        """Submitted or approved: the person no longer edits it."""
        return self.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED)


class PlanItem(models.Model):
    """One thing a plan studies: a programme-01/02 content or a programme-03 module, with its
    hours, form and timing, and, at year end, its assessment (TT 19/2019 Đ.10)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    programme = models.CharField(max_length=2, choices=Programme.choices)
    module = models.ForeignKey(
        "training.Module", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content = models.ForeignKey(
        "training.ProgrammeContent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hours = models.PositiveSmallIntegerField(_("periods (tiết)"))
    form = models.CharField(
        _("form"), max_length=10, choices=StudyForm.choices, default=StudyForm.DISTANCE
    )
    starts = models.DateField(_("from"), null=True, blank=True)
    ends = models.DateField(_("to"), null=True, blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    outputs = models.TextField(_("expected outputs"), blank=True)
    # Suggested by the system and why ("Tiêu chí 6 ở mức Đạt"): shown beside the item.
    suggested = models.BooleanField(default=False)
    reason = models.CharField(max_length=255, blank=True)
    # The year-end assessment: a score on 10 and/or Đạt / Chưa đạt (TT 19/2019 Đ.10).
    score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "programme", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(module__isnull=True) | models.Q(content__isnull=True),
                name="plan_item_one_source",
            ),
            models.UniqueConstraint(
                fields=["plan", "module"],
                condition=models.Q(module__isnull=False),
                name="plan_item_module_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "content"],
                condition=models.Q(content__isnull=False),
                name="plan_item_content_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.programme} {self.module_id or self.content_id}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class PlanChangeRequest(models.Model):
    """A request to change an approved plan: the principal accepts it (the plan reopens as a
    draft, to be submitted and approved again) or refuses it with a reason."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="change_requests")
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = ScopedManager("plan__unit_path")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status="pending"),
                name="one_pending_change_request",
            )
        ]

    def __str__(self) -> str:
        return f"change {self.plan_id} {self.status}"


class EntrySource(models.TextChoices):
    """Where hours come from (issue 12 item 5)."""

    ONLINE = "online", _("Online module completed")
    CLASS = "class", _("Face-to-face class attended")
    SCHOOL = "school", _("School-based professional activity")
    SELF_STUDY = "self_study", _("Self-study with evidence")
    EXTERNAL = "external", _("External course with certificate")


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    DISPUTED = "disputed", _("Disputed")


class LedgerEntry(models.Model):
    """Hours a person studied in a programme: from where, when, how many, who confirmed them.
    Only confirmed entries count toward the requirement; an entry can be disputed."""

    person = models.ForeignKey("staff.Person", on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, db_index=True)
    programme = models.CharField(max_length=2, choices=Programme.choices)
    item = models.ForeignKey(
        PlanItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    source = models.CharField(max_length=12, choices=EntrySource.choices)
    hours = models.DecimalField(_("periods (tiết)"), max_digits=5, decimal_places=1)
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=500)
    evidence = models.ForeignKey(
        "evidence.Evidence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The posting system's own key (e.g. an LMS completion): posting twice records once.
    external_ref = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="why rejected or disputed")

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "school_year", "source", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="ledger_external_once",
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="ledger_hours_positive"),
        ]
        indexes = [
            models.Index(fields=["person", "school_year"], name="ledger_person_year"),
            models.Index(fields=["school_year", "unit_path"], name="ledger_year_path"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.programme} {self.hours} ({self.source})"


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed the BDTX plan")
    NOT_COMPLETED = "not_completed", _("Did not complete the BDTX plan")


class YearResult(models.Model):
    """A person's BDTX result of a school year: Hoàn thành / Không hoàn thành kế hoạch BDTX
    (TT 19/2019 Đ.10-11), with the figures and the reasons it follows from, the rule and the
    regulation's version it was judged by, and the principal's confirmation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("staff.Person", on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, db_index=True)
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, related_name="+")
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    hours = models.JSONField(default=dict, help_text="programme -> confirmed periods")
    required = models.JSONField(default=dict, help_text="programme -> required periods")
    reasons = models.JSONField(default=list, help_text="why, as sentences")
    rule = models.JSONField(default=dict, help_text="the rule as it was applied")
    regulation_version = models.CharField(max_length=255, blank=True)
    computed_at = models.DateTimeField(auto_now=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ForeignKey(
        "evidence.Evidence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "school_year"], name="one_result_per_year")
        ]
        indexes = [models.Index(fields=["school_year", "unit_path"], name="result_year_path")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.school_year_id}: {self.outcome}"


from opentemis.plans.models_school import SchoolActivity, SchoolPlan  # noqa: E402, F401
