"""BDTX reference data: what each teacher title must study in a school year, and the module
catalogues they choose from (decision 0017).

National reference data, not org-scoped (like the standards' frameworks), except the
programme-02 contents that a Sở adds for its province. Every fact a regulation sets is a row
here, versioned per school year, with the regulation's version (bdtx.md R17) and a "to verify"
note where the source is not confirmed: nothing of it is in code.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Title(models.TextChoices):
    """Who a requirement is for: a teacher title. Each has its own BDTX programme text
    (TT 12/2019 preschool teachers, TT 17/2019 general-education teachers, TT 11/2019 and
    TT 18/2019 preschool and general-education managers), and NĐ 93/2026 Đ.22.1 announces
    programmes per title, so primary, lower- and upper-secondary teachers are kept apart even
    where the 2019 programme is one."""

    GV_MN = "gv_mn", _("Preschool teacher")
    GV_TH = "gv_th", _("Primary teacher")
    GV_THCS = "gv_thcs", _("Lower-secondary teacher")
    GV_THPT = "gv_thpt", _("Upper-secondary teacher")
    CBQL_PT = "cbql_pt", _("General-education manager")
    CBQL_MN = "cbql_mn", _("Preschool manager")


class Audience(models.TextChoices):
    """Who a module is written for (bdtx.md: audience GV/CBQL); the school levels say the rest."""

    GV = "GV", _("Teachers")
    CBQL = "CBQL", _("Managers")


class Programme(models.TextChoices):
    """The three BDTX programmes (TT 17/2019 §IV; TT 19/2019)."""

    P01 = "01", _("Programme 01 (national)")
    P02 = "02", _("Programme 02 (local)")
    P03 = "03", _("Programme 03 (self-chosen modules)")


class TrainingYear(models.Model):
    """The BDTX rules of one school year that are not per title: the yearly ceiling of
    NĐ 93/2026 Đ.21.4 (3 weeks) and the version of the regulation in force (R17)."""

    school_year = models.OneToOneField(
        "orgs.SchoolYear", on_delete=models.CASCADE, related_name="training_year"
    )
    max_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="at most this many weeks of BDTX a year; null: no cap"
    )
    max_weeks_source = models.CharField(max_length=255, blank=True)
    regulation_version = models.CharField(max_length=255)
    to_verify = models.TextField(blank=True)
    # Plans (TT 19/2019 Đ.8, bdtx.md R5): personal plans are due before ``plan_due`` (a unit
    # may set its own, plans.PlanDeadline), the school reports its plan by ``school_plan_due``.
    plan_due = models.DateField(null=True, blank=True)
    school_plan_due = models.DateField(null=True, blank=True)
    plan_source = models.CharField(max_length=255, blank=True)
    # The year's result (TT 19/2019 Đ.10-11, bdtx.md R7-R8): the pass mark of an assessed
    # content on 10, and the rule deciding "Hoàn thành kế hoạch BDTX" as data, e.g.
    # {"hours": "each_programme", "items": "all_passed"} (plans.rules reads it).
    pass_score = models.DecimalField(max_digits=4, decimal_places=2, default=5)
    result_rule = models.JSONField(default=dict, blank=True)
    result_source = models.CharField(max_length=255, blank=True)
    result_to_verify = models.TextField(blank=True)
    # The criterion a year's result is evidence for in next year's evaluation, per framework
    # code (TT 20/2018 criterion 3, "Phát triển chuyên môn của bản thân").
    evidence_criteria = models.JSONField(default=dict, blank=True)
    # Face-to-face classes (bdtx.md R11): the share of sessions a learner attends to meet the
    # class (and sit the final test), 0.80 by the precedent of TT 28/2014 (to verify).
    attendance_min = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.80"))
    attendance_source = models.CharField(max_length=255, blank=True)
    attendance_to_verify = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"BDTX {self.school_year}"


class Requirement(models.Model):
    """How many periods (tiết) a title studies in one programme in a school year.

    ``rebalanceable``: the Sở may move hours between the programmes so marked (01 and 02,
    TT 17/2019 §IV); programme 03 is fixed.
    """

    school_year = models.ForeignKey(
        "orgs.SchoolYear", on_delete=models.CASCADE, related_name="training_requirements"
    )
    title = models.CharField(max_length=10, choices=Title.choices)
    programme = models.CharField(max_length=2, choices=Programme.choices)
    hours = models.PositiveSmallIntegerField()
    rebalanceable = models.BooleanField(default=False)
    source = models.CharField(max_length=255, blank=True)
    regulation_version = models.CharField(max_length=255, blank=True)
    to_verify = models.TextField(blank=True)

    class Meta:
        ordering = ["school_year", "title", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "title", "programme"], name="unique_training_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.title} {self.programme}: {self.hours}"


class CatalogueKind(models.TextChoices):
    TT17_PROGRAMME_03 = "tt17_p03", _("Programme-03 modules (TT 17/2019)")
    ETEP_4660 = "etep_4660", _("ETEP core-cascade modules (QĐ 4660)")
    OTHER = "other", _("Other catalogue")


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LOCKED = "locked", _("Locked")


class Catalogue(models.Model):
    """One version of a module catalogue for a school year.

    A draft may be replaced by a new upload; a locked version is never written again (the
    services refuse): a change becomes a new draft version, copied from it.
    """

    school_year = models.ForeignKey(
        "orgs.SchoolYear", on_delete=models.CASCADE, related_name="training_catalogues"
    )
    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=CatalogueKind.choices)
    title = models.CharField(max_length=255)
    legal_ref = models.CharField(max_length=255, blank=True)
    regulation_version = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=CatalogueStatus.choices, default=CatalogueStatus.DRAFT
    )
    to_verify = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school_year", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "code", "version"], name="unique_training_catalogue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.school_year})"

    @property
    def is_locked(self) -> bool:
        return self.status == CatalogueStatus.LOCKED


class Module(models.Model):
    """A module of a catalogue version. ``hours`` is null while unknown. ``criteria`` are the
    numbers of the criteria of ``framework`` (a standards framework code, e.g. TT20_2018_GVPT)
    the module develops: codes, stable across the framework's versions. ``to_verify`` maps a
    field name to what is unconfirmed about it (bdtx.md [?] / [V-en])."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=500)
    audience = models.CharField(max_length=4, choices=Audience.choices)
    levels = models.JSONField(default=list, blank=True)
    hours = models.PositiveSmallIntegerField(null=True, blank=True)
    framework = models.CharField(max_length=40, blank=True)
    criteria = models.JSONField(default=list, blank=True)
    contents = models.TextField(blank=True)
    outcomes = models.TextField(blank=True)
    to_verify = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["catalogue", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="unique_training_module")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CrossWalk(models.Model):
    """A module of one catalogue version beside a module of another catalogue (by its
    catalogue's code and the module's code, stable across versions): the ETEP modules of
    QĐ 4660 and the TT 17/2019 list are numbered differently and are never merged."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="crosswalk")
    target_catalogue = models.CharField(max_length=40)
    target_module = models.CharField(max_length=40)
    to_verify = models.TextField(blank=True)

    class Meta:
        ordering = ["module", "target_catalogue", "target_module"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "target_catalogue", "target_module"],
                name="unique_training_crosswalk",
            )
        ]

    def __str__(self) -> str:
        return f"{self.module.code} ~ {self.target_catalogue}/{self.target_module}"


class ProgrammeContent(models.Model):
    """A content of programme 01 (set by the ministry: ``unit`` empty) or of programme 02 (set
    by a Sở for its province: ``unit`` the province) in a school year; ``titles`` empty: for
    every title."""

    school_year = models.ForeignKey(
        "orgs.SchoolYear", on_delete=models.CASCADE, related_name="training_contents"
    )
    programme = models.CharField(max_length=2, choices=Programme.choices)
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=500)
    titles = models.JSONField(default=list, blank=True)
    hours = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    to_verify = models.TextField(blank=True)
    # Set when a submitted plan uses it: from then on it is never edited or removed (a change
    # is a new content), like a locked catalogue version.
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["school_year", "programme", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "programme", "unit", "code"],
                condition=models.Q(unit__isnull=False),
                name="unique_training_local_content",
            ),
            models.UniqueConstraint(
                fields=["school_year", "programme", "code"],
                condition=models.Q(unit__isnull=True),
                name="unique_training_national_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.code} {self.title}"
