"""Tests (bài kiểm tra) with a versioned question bank (issue 13 item 3; decision 0019).

Designed after Moodle's quiz (read for design only):

* **The bank** belongs to the unit that offers a course and to a catalogue module *code*
  (``QuestionBank``: unit + ``module_code``), not to one ``training.Module`` row: a new
  catalogue version of GVPT 06 (a new ``Module`` row, the same code) keeps its bank, and the
  courses of the next years draw from the same questions. Questions are grouped in
  categories (``Category``).
* **Versions.** A ``Question`` is a stable identity (its ``key``: a code given in the import
  file, or a hash of its content); each edit creates a new immutable ``QuestionVersion`` and
  moves ``Question.current``. A slot of an attempt pins the version the learner saw, so an edit
  never changes an attempt already taken.
* **The quiz** (one-to-one with a ``learning.Activity`` of kind "quiz") draws questions at random
  by category, has an optional time limit, a number of attempts, a grading method across
  attempts and a pass mark on 10.
* **Attempts** (``Attempt``) are in progress or finished; at most one is in progress per quiz and
  enrolment (a partial unique constraint: a double click, two tabs or concurrent requests land
  on the same one). The questions drawn are stored as slots (``Slot``), each with the learner's
  response and, once submitted, its grade (a fraction of the question's points).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUEFALSE = "truefalse", _("True / false")
    NUMERIC = "numeric", _("Number")
    SHORT = "short", _("Short answer")


class Grading(models.TextChoices):
    """Which attempts make the grade of the test (Moodle's grading methods)."""

    HIGHEST = "highest", _("Highest grade")
    LAST = "last", _("Last attempt")
    AVERAGE = "average", _("Average of the attempts")
    FIRST = "first", _("First attempt")


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Submitted")


class QuestionBank(models.Model):
    """The questions of one module code at one unit (see the module docstring)."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    module_code = models.CharField(max_length=60)
    title = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "module_code"], name="one_bank_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.module_code} ({self.unit_id})"


class Category(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("category"), max_length=255)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["bank", "position", "id"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["bank", "name"], name="one_category_name")]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A question's stable identity; what it says is in its versions."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    # The stable key an import recognises the question by: "code:<the file's code>",
    # "moodle:<category>/<name>" or "hash:<content hash>".
    key = models.CharField(max_length=255)
    current = models.ForeignKey(
        "QuestionVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "id"]
        constraints = [models.UniqueConstraint(fields=["bank", "key"], name="one_question_key")]
        indexes = [models.Index(fields=["category", "archived"], name="question_category")]

    def __str__(self) -> str:
        return self.key


class QuestionVersion(models.Model):
    """What a question said at one time: never changed once written (an edit is a new row).

    ``data`` by kind: single/multiple ``{"choices": [{"text", "correct"}]}``; truefalse
    ``{"answer": bool}``; numeric ``{"answers": [{"value", "tolerance", "fraction"}]}``; short
    ``{"answers": [{"text", "fraction"}], "case_sensitive": bool}`` (grading.py)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.TextField()
    data = models.JSONField(default=dict)
    feedback = models.TextField(blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    content_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"


class Quiz(models.Model):
    """The settings of a test activity."""

    activity = models.OneToOneField(
        "learning.Activity", on_delete=models.CASCADE, related_name="quiz"
    )
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="quizzes")
    # [{"category": <Category pk>, "count": n}]
    draws = models.JSONField(default=list, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit (minutes)"), null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=0)
    grading = models.CharField(max_length=8, choices=Grading.choices, default=Grading.HIGHEST)
    pass_mark = models.DecimalField(max_digits=4, decimal_places=2, default=5)
    shuffle = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return f"quiz {self.activity_id}"


class Attempt(models.Model):
    """One attempt of a learner at a quiz; ``deadline`` is kept by the server (null: no limit)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    number = models.PositiveSmallIntegerField()
    state = models.CharField(
        max_length=11, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["quiz", "enrolment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "enrolment", "number"], name="one_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["quiz", "enrolment"],
                condition=Q(state="in_progress"),
                name="one_attempt_in_progress",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="attempt_overdue")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.enrolment_id} at {self.quiz_id}"


class Slot(models.Model):
    """A question of an attempt: the version shown, the choices' order, the response, the grade
    (a fraction 0..1 of ``points``; null until submitted)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="slots")
    unit_path = models.CharField(max_length=255, editable=False)
    position = models.PositiveSmallIntegerField()
    question_version = models.ForeignKey(
        QuestionVersion, on_delete=models.PROTECT, related_name="+"
    )
    order = models.JSONField(default=list, blank=True)  # the choices' indexes, as shown
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    grade = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="one_slot_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"
