"""Courses (khóa bồi dưỡng), their sections and activities, who is enrolled, and each learner's
progress in each activity (issue 13; decision 0019).

A course offers a catalogue module (``training.Module``) or a programme content for a school
year, a wave (core staff first, then everyone) and an audience (``audience.py``). It belongs to
the unit that offers it (the ministry, a Sở, a training institution): its officers build it and
read its progress below them. Learners reach it through their enrolment, which carries the
learner's unit path and is unit-scoped like every personal record (``core/scoping.py``): a
course itself is offered to many units and is read through ``learning.access``, never listed
freely.

Progress is one row per learner and activity (``ActivityProgress``), written only by
``services.progress_record``, which the activity apps call (a quiz passed, a product graded Đạt,
a video watched far enough, a SCORM package completed, attendance met). The course's completion
rule (``completion.py``) reads those rows; a completed enrolment posts its hours to the BDTX
ledger once (``plans.ledger.entry_post``, idempotent by the course's reference).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager
from opentemis.training.models import Programme


class Wave(models.TextChoices):
    """Core staff are trained first, then everyone else (bdtx.md R9, R12)."""

    CORE = "core", _("Core staff (cốt cán)")
    ALL = "all", _("Everyone")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Course(models.Model):
    """A module offered for a school year to an audience (issue 13 item 1)."""

    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
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
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    programme = models.CharField(_("programme"), max_length=2, choices=Programme.choices)
    # The periods (tiết) a completion credits to the learner's ledger.
    hours = models.DecimalField(_("periods (tiết)"), max_digits=5, decimal_places=1)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, db_index=True)
    wave = models.CharField(_("wave"), max_length=4, choices=Wave.choices, default=Wave.ALL)
    status = models.CharField(
        max_length=6, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    # Who is enrolled (audience.py): {"units": [pk...], "levels": [...], "positions": [code...],
    # "subjects": [code...], "from_plans": bool}. An empty rule enrols nobody automatically.
    audience = models.JSONField(default=dict, blank=True)
    # How completion is judged (completion.py): {"aggregation": "all" | "any"}; the activities
    # that count are those marked required.
    completion_rule = models.JSONField(default=dict, blank=True)
    starts = models.DateField(_("opens"), null=True, blank=True)
    due = models.DateField(_("deadline"), null=True, blank=True)
    options = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school_year", "wave", "code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "unit", "code", "wave"], name="one_course_per_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CourseDeadline(models.Model):
    """A deadline a course sets for part of its audience (staggered by province); the deepest
    unit's wins, else the course's own."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="deadlines")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    due = models.DateField(_("deadline"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "unit"], name="one_course_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.unit_id}: {self.due}"


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["course", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ActivityKind(models.TextChoices):
    """What an activity is; each kind's app registers its pages (``kinds.py``)."""

    PAGE = "page", _("Page")
    VIDEO = "video", _("Video")
    FILE = "file", _("File")
    SCORM = "scorm", _("SCORM package")
    H5P = "h5p", _("H5P content")
    QUIZ = "quiz", _("Test")
    PRODUCT = "product", _("Final product")
    FORUM = "forum", _("Forum")
    CLASS = "class", _("Face-to-face class")
    SURVEY = "survey", _("Satisfaction survey")


class Activity(models.Model):
    """One thing to do in a section. ``required``: it counts for completion; ``pass_required``:
    only a pass counts (a test, a product Đạt), not merely finishing it. ``prerequisites``: what
    must be done first (the final test after ≥ 80 % attendance, bdtx.md R11). ``options``: the
    kind's own (a video's minimum share watched...); each kind's app keeps its larger data in
    its own models, linked one-to-one."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="activities")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=255)
    required = models.BooleanField(_("required for completion"), default=True)
    pass_required = models.BooleanField(_("must be passed"), default=False)
    options = models.JSONField(default=dict, blank=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "section__position", "position", "id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Studying")
    COMPLETED = "completed", _("Completed")
    LEFT = "left", _("No longer in the audience")


class EnrolmentSource(models.TextChoices):
    RULE = "rule", _("By the course's audience")
    MANUAL = "manual", _("Added by an officer")


class Enrolment(models.Model):
    """A person in a course. Leaving the audience keeps the row and its progress (``LEFT``);
    a completed enrolment never goes back (its hours are posted)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        max_length=9, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    source = models.CharField(
        max_length=6, choices=EnrolmentSource.choices, default=EnrolmentSource.RULE
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Required activities done / required in all, kept by services for lists and roll-ups.
    done_count = models.PositiveSmallIntegerField(default=0)
    required_count = models.PositiveSmallIntegerField(default=0)
    ledger_entry = models.ForeignKey(
        "plans.LedgerEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["course", "unit_path", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "person"], name="one_enrolment")]
        indexes = [
            models.Index(fields=["person", "status"], name="enrolment_person"),
            models.Index(fields=["course", "unit_path"], name="enrolment_course_path"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.course_id}"


class ProgressState(models.TextChoices):
    """Moodle's activity completion states, plus "started" (bdtx.md §3)."""

    STARTED = "started", _("Started")
    COMPLETE = "complete", _("Done")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not passed")


class ActivityProgress(models.Model):
    """A learner's state in one activity, written only by ``services.progress_record``.
    ``data``: what the kind keeps for resuming (a video's position and watched share...)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="progress")
    unit_path = models.CharField(max_length=255, editable=False)
    state = models.CharField(max_length=8, choices=ProgressState.choices)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "activity"], name="one_progress")
        ]
        # The officer's funnel: learners of a subtree who did each activity.
        indexes = [models.Index(fields=["activity", "unit_path"], name="progress_activity_path")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.activity_id}: {self.state}"


class CourseGrader(models.Model):
    """Who grades the final products of a course's learners in a subtree (issue 13 item 4;
    the cascade issue adds caseloads). ``unit`` empty: the whole audience."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="graders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit_path = models.CharField(max_length=255, editable=False, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user", "unit"], name="one_course_grader")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} grades {self.course_id} {self.unit_path}"
