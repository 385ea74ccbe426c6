"""Evaluation against the professional standards: cycles, evaluations, opinions, training needs.

One :class:`Evaluation` row per person and cycle holds the whole record of one year's evaluation
(TT 20/2018 Điều 10; TT 14/2018 Điều 10): the self-evaluation (form BM1: a level per criterion,
strengths, points to improve, the development plan), the reviewer's levels and comments, and the
overall ratings. Levels are stored as ``{"<criterion number>": "<level code>"}`` so that a
submit or a finalisation is one row update (the rush: 1.2 million people in a few weeks);
reports aggregate from :class:`TrainingNeed` and summary tables, not by parsing these.

Rows are created when a person first opens the form ("lazy"): the number to evaluate is the
number of working staff the cycle covers, counted from the staff registry.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager, current_scope
from opentemis.orgs.models import UnitKind, path_prefixes


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FINISHED = "finished", _("Finished")


class CycleManager(models.Manager["Cycle"]):
    """Fail-closed like the other scoped managers, but a cycle is visible both to the units it
    covers (a school sees the province's cycle) and to the units above its root."""

    def get_queryset(self) -> models.QuerySet[Cycle]:
        scope = current_scope()
        qs = super().get_queryset()
        if scope.everything:
            return qs
        ancestors = {a for p in scope.paths for a in path_prefixes(p)}
        return qs.filter(scope.q("unit_path") | models.Q(unit_path__in=ancestors))


class Cycle(models.Model):
    """An evaluation cycle that an officer opens for a school year over a subtree of units."""

    school_year = models.ForeignKey(
        "orgs.SchoolYear", on_delete=models.PROTECT, related_name="cycles"
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="cycles")
    unit_path = models.CharField(max_length=255, editable=False, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    self_due = models.DateField(_("self-evaluation due"))
    opinions_due = models.DateField(_("colleagues' opinions due"))
    review_due = models.DateField(_("review due"))
    status = models.CharField(max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CycleManager()

    class Meta:
        ordering = ["-school_year__start_date", "unit_path"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "unit"], name="one_cycle_per_unit_year")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN


class EvaluationKind(models.TextChoices):
    TEACHER = "teacher", _("Teacher (TT 20/2018)")
    MANAGER = "manager", _("Principal or deputy (TT 14/2018)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Self-evaluation in progress")
    SUBMITTED = "submitted", _("Self-evaluation submitted")
    RETURNED = "returned", _("Returned for revision")
    FINALISED = "finalised", _("Finalised")
    ACKNOWLEDGED = "acknowledged", _("Result acknowledged")


LOCKED_STATUSES = (Status.FINALISED, Status.ACKNOWLEDGED)


class Evaluation(models.Model):
    """One person's evaluation in one cycle (BM1 self-evaluation and the reviewer's result)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="evaluations")
    person = models.ForeignKey("staff.Person", on_delete=models.PROTECT, related_name="evaluations")
    framework = models.ForeignKey(
        "standards.Framework", on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(max_length=10, choices=EvaluationKind.choices)
    # The person's unit when the evaluation started, and its path: scoping and roll-ups use it,
    # so a transfer later in the year does not move a finished record out of its school.
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-lock counter")

    # Self-evaluation (BM1).
    self_levels = models.JSONField(default=dict, blank=True)
    self_notes = models.JSONField(default=dict, blank=True, help_text="criterion -> note")
    strengths = models.TextField(_("strengths"), blank=True)
    improvements = models.TextField(_("points to improve"), blank=True)
    plan_goals = models.TextField(_("development goals"), blank=True)
    plan_content = models.TextField(_("content to study (competencies to improve)"), blank=True)
    plan_timing = models.CharField(_("timing"), max_length=255, blank=True)
    plan_conditions = models.TextField(_("conditions"), blank=True)
    priority_criteria = models.JSONField(
        default=list, blank=True, help_text="criteria the person chose to improve first"
    )
    self_rating = models.CharField(max_length=8, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    # Review (the head of the school for teachers; the configured superior for managers).
    review_levels = models.JSONField(default=dict, blank=True)
    review_comments = models.JSONField(default=dict, blank=True, help_text="criterion -> comment")
    review_note = models.TextField(_("reviewer's comment"), blank=True)
    final_rating = models.CharField(max_length=8, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    returned_reason = models.TextField(blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["unit_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="one_evaluation_per_cycle")
        ]
        indexes = [
            models.Index(fields=["cycle", "unit_path", "status"], name="evaluation_cycle_path"),
            # The report refresh looks for records changed since its last run.
            models.Index(fields=["updated_at"], name="evaluation_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.cycle_id}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    @property
    def self_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED) and self.cycle.is_open


class EvidenceLink(models.Model):
    """An evidence item cited for one criterion of an evaluation."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="links")
    criterion = models.PositiveSmallIntegerField()
    evidence = models.ForeignKey(
        "evidence.Evidence", on_delete=models.PROTECT, related_name="links"
    )

    objects = ScopedManager("evaluation__unit_path")

    class Meta:
        ordering = ["criterion", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion", "evidence"], name="unique_evidence_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} TC{self.criterion} {self.evidence_id}"


class PeerOpinion(models.Model):
    """A colleague's opinion in the subject group (TT 20 Điều 10 khoản 1 điểm b; form BM2)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="opinions")
    author = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=8)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("evaluation__unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "author"], name="one_opinion_per_peer")
        ]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.evaluation_id}: {self.level}"


class PollBallot(models.Model):
    """One anonymous answer of the school's teachers and staff about their principal (TT 14).

    Holds no author, no time and a random key, so it cannot be matched with the
    :class:`PollParticipation` that records who answered; results are only shown aggregated.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ballots")
    levels = models.JSONField(default=dict)
    overall = models.CharField(max_length=8)

    objects = ScopedManager("evaluation__unit_path")

    def __str__(self) -> str:
        return f"ballot on {self.evaluation_id}"


class PollParticipation(models.Model):
    """That a person answered the poll about a principal (never what they answered)."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager("evaluation__unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "person"], name="one_ballot_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} answered on {self.evaluation_id}"


class NeedReason(models.TextChoices):
    BELOW_KHA = "below_kha", _("Rated below Khá")
    CHOSEN = "chosen", _("Chosen by the person")


class TrainingNeed(models.Model):
    """A criterion to improve, from a finalised evaluation, with the BDTX modules it maps to."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="needs")
    criterion = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=10, choices=NeedReason.choices)
    modules = models.JSONField(default=list, help_text="BDTX module codes")

    objects = ScopedManager("evaluation__unit_path")

    class Meta:
        ordering = ["criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="one_need_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} TC{self.criterion} {self.reason}"


class EvaluatorKind(models.TextChoices):
    SCHOOL_HEAD = "school_head", _("The head of the person's school")
    SUPERIOR = "superior", _("An officer of a superior unit")


class EvaluatorRule(models.Model):
    """Who evaluates a manager (HT, PHT): configuration, since the district level is gone.

    The most specific rule wins: one naming the school level over one for any level.
    """

    position = models.ForeignKey("staff.Position", on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(
        "orgs.SchoolLevel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    evaluator = models.CharField(max_length=12, choices=EvaluatorKind.choices)
    superior_kind = models.CharField(
        max_length=20, blank=True, help_text="unit kind of the superior (e.g. department)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["position", "level"], name="one_rule_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id}/{self.level_id or '*'} -> {self.evaluator}"

    @property
    def superior_kind_label(self) -> str:
        """The superior unit kind's name ("" for any kind)."""
        return str(dict(UnitKind.choices).get(self.superior_kind, self.superior_kind))
