"""Summary tables of the TEMIS report: one row per unit subtree, year and breakdown cell.

A report is read from these rows, never recounted per request (docs/decisions/0009-reports.md):
the national report reads the nation's few dozen rows. Every row holds the figures of the
unit's **whole subtree** for one combination of the ministry's breakdown (population GV/CBQL,
school level, woman, DTTS, disadvantaged area), so the five sub-columns of every table are sums
of rows. ``reports.refresh`` keeps them up to date incrementally: it recounts the units whose
staff or evaluations changed, then re-adds their ancestors from their children's rows.
"""

from __future__ import annotations

from django.db import models

from opentemis.core.scoping import ScopedManager
from opentemis.orgs.models import SchoolYear, Unit


class CellKey(models.Model):
    """The breakdown every summary row is keyed by (abstract)."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255, help_text="the parent unit's path")
    population = models.CharField(max_length=4)  # "GV" or "CBQL"
    level = models.CharField(max_length=10, blank=True)  # school level code of the unit
    woman = models.BooleanField()
    dtts = models.BooleanField()
    disadvantaged = models.BooleanField()

    objects = ScopedManager("unit_path")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.unit_id} {self.school_year_id} {self.population}/{self.level}"


class EvalCell(CellKey):
    """Evaluation figures of a subtree: completion, overall ratings, criteria, training needs."""

    to_evaluate = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    self_evaluated = models.PositiveIntegerField(default=0)
    opinions = models.PositiveIntegerField(default=0)
    finalised = models.PositiveIntegerField(default=0)
    rating_chuadat = models.PositiveIntegerField(default=0)
    rating_dat = models.PositiveIntegerField(default=0)
    rating_kha = models.PositiveIntegerField(default=0)
    rating_tot = models.PositiveIntegerField(default=0)
    # {"<criterion>": [Chưa đạt, Đạt, Khá, Tốt]} over finalised evaluations
    criteria = models.JSONField(default=dict)
    needs = models.JSONField(default=dict)  # {"<criterion>": people}
    modules = models.JSONField(default=dict)  # {"<BDTX module>": people}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "school_year",
                    "unit",
                    "population",
                    "level",
                    "woman",
                    "dtts",
                    "disadvantaged",
                ],
                name="one_eval_cell",
            )
        ]
        indexes = [
            models.Index(fields=["school_year", "unit"], name="evalcell_unit"),
            models.Index(fields=["school_year", "parent_path"], name="evalcell_parent"),
        ]


class StaffCell(CellKey):
    """Working staff in evaluated positions of a subtree, one dimension at a time.

    The report shows each dimension on its own (by school level, position, age band,
    qualification), so rows are margins: a person is counted once per dimension. A full cross
    of the four would multiply the rows of a province by about a hundred.
    """

    dimension = models.CharField(max_length=16)  # level, position, age_band, qualification
    key = models.CharField(max_length=20, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["school_year", "unit"], name="staffcell_unit"),
            models.Index(fields=["school_year", "parent_path"], name="staffcell_parent"),
        ]


class ReportState(models.Model):
    """How far the summaries of a school year are up to date (one row per year)."""

    school_year = models.OneToOneField(SchoolYear, on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # Changes up to this time are in the summaries (less an overlap, see reports.refresh).
    watermark = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.school_year}: {self.refreshed_at}"


class CompletionSnapshot(models.Model):
    """Completion of a unit's subtree in one week, kept to chart progress and rank history."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    week = models.DateField(help_text="the Monday of the week")
    to_evaluate = models.PositiveIntegerField()
    self_evaluated = models.PositiveIntegerField()
    finalised = models.PositiveIntegerField()
    rank = models.PositiveIntegerField(null=True, help_text="among its siblings, by completion")
    taken_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "unit", "week"], name="one_snapshot_per_week"
            )
        ]
        indexes = [models.Index(fields=["school_year", "unit_path"], name="snapshot_path")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.week}: {self.finalised}/{self.to_evaluate}"

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.finalised / self.to_evaluate, 1) if self.to_evaluate else None
