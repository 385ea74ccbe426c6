"""Weekly progress snapshots (issue 14 item 4; decision 0022).

:class:`WeekFigures` holds, for one ISO week (its Monday), one course and one unit (a school,
or any unit above it up to the nation), how many of the unit's subtree's learners were
enrolled, had started, had completed and had passed, each with the ministry's four
sub-columns (bdtx.md R16): women, ethnic minority (DTTS), women DTTS, disadvantaged area. The
figures are additive, so "all courses of the year" is their sum and a parent's row is the sum
of its children's (plus the unit's own staff). Rows are written only by
``services.snapshot_week``, which replaces a week's rows in one transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opentemis.core.scoping import ScopedManager

#: What is counted, and the sub-columns of each count (reports.data.BREAKDOWN_KEYS).
MEASURES = ("enrolled", "started", "completed", "passed")
COLUMNS = ("total", "women", "dtts", "women_dtts", "disadvantaged")
FIGURE_FIELDS = tuple(f"{m}_{c}" for m in MEASURES for c in COLUMNS)


class WeekFigures(models.Model):
    """One unit's learners in one course, as of the end of one week (or when taken, for the
    current week). ``parent_path``: the unit's parent's path, so that a unit's children are one
    indexed equality (the ranking)."""

    week = models.DateField()
    course = models.ForeignKey("learning.Course", on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255)
    is_school = models.BooleanField(default=False)
    enrolled_total = models.PositiveIntegerField(default=0)
    enrolled_women = models.PositiveIntegerField(default=0)
    enrolled_dtts = models.PositiveIntegerField(default=0)
    enrolled_women_dtts = models.PositiveIntegerField(default=0)
    enrolled_disadvantaged = models.PositiveIntegerField(default=0)
    started_total = models.PositiveIntegerField(default=0)
    started_women = models.PositiveIntegerField(default=0)
    started_dtts = models.PositiveIntegerField(default=0)
    started_women_dtts = models.PositiveIntegerField(default=0)
    started_disadvantaged = models.PositiveIntegerField(default=0)
    completed_total = models.PositiveIntegerField(default=0)
    completed_women = models.PositiveIntegerField(default=0)
    completed_dtts = models.PositiveIntegerField(default=0)
    completed_women_dtts = models.PositiveIntegerField(default=0)
    completed_disadvantaged = models.PositiveIntegerField(default=0)
    passed_total = models.PositiveIntegerField(default=0)
    passed_women = models.PositiveIntegerField(default=0)
    passed_dtts = models.PositiveIntegerField(default=0)
    passed_women_dtts = models.PositiveIntegerField(default=0)
    passed_disadvantaged = models.PositiveIntegerField(default=0)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "course", "unit"], name="one_week_figures")
        ]
        indexes = [
            # The ranking: the children of a unit in a week (one or all courses).
            models.Index(fields=["week", "parent_path", "course"], name="tracking_children"),
            # The trend and the headline: one unit's weeks.
            models.Index(fields=["unit", "week"], name="tracking_unit_week"),
            # A unit by path (the parent's total) and the schools under a unit (reminders):
            # equality and LIKE 'prefix%' on PostgreSQL whatever the collation (ignored
            # elsewhere).
            models.Index(
                fields=["week", "unit_path"],
                name="tracking_week_path",
                opclasses=["date_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.course_id} {self.unit_path}"


class SnapshotRun(models.Model):
    """That a week was taken: when, how long it took, how many rows (the page's "as of").
    One per week; a second run of the week replaces its figures and updates this row."""

    week = models.DateField(unique=True)
    taken_at = models.DateTimeField()
    as_of = models.DateTimeField(help_text="Figures count what happened before this moment")
    courses = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-week"]

    def __str__(self) -> str:
        return f"{self.week} ({self.rows} rows)"


class SchoolReminder(models.Model):
    """A school reminded of its lagging progress in one week (for one course, or all courses of
    a year: ``scope``). Unique per week, scope and school: a second click does not remind it
    again (the notices are also keyed per recipient, ``notifications.events.notify``)."""

    week = models.DateField()
    scope = models.CharField(max_length=40)  # "course:<pk>" or "year:<pk>"
    school = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    from_unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField()
    rate = models.FloatField(null=True)
    recipients = models.PositiveIntegerField(default=0)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "scope", "school"], name="one_school_reminder_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.scope} {self.school_id}"
