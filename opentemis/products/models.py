"""The final product of a course (sản phẩm cuối khóa: a lesson plan, a bài thu hoạch) and the
learners' submissions, graded Đạt / Chưa đạt by a core teacher (issue 13 item 4; decision
0019). Designed after Moodle's assignment (settings on the activity, numbered attempts, a
grade with feedback per rubric criterion); no code of it is used.

* :class:`Product`: one per activity of kind "product": the instructions, a rubric (a list of
  criteria ``[{"title": ..., "description": ...}]``), what may be handed in (a text, a file or
  both), the file limits and whether a learner graded Chưa đạt may hand in again.
* :class:`Submission`: a learner's numbered submissions. At most one waits for a grade at a
  time (a database constraint); before it is graded the learner may replace it (same number,
  ``revision`` + 1); after a Chưa đạt grade the next one is numbered on when the product allows
  resubmission. A submission belongs to the learner: it carries the enrolment's unit path and
  is unit-scoped like every personal record (a grader of another school reads it through
  ``learning.access.graded_enrolment``).

Progress (``learning.services.progress_record``, see ``services``): for a product that must be
passed (``Activity.pass_required``) handing in records "started", Đạt "passed", Chưa đạt
"failed"; otherwise handing in records "complete" (handing in is what is asked), Đạt "passed"
and Chưa đạt stays "complete" (the grade is feedback).

Grading that never stalls (issue 14 item 3; decision 0021):

* a submission is assigned at hand-in to the grader ``learning.access.assigned_graders`` names
  (the learner's core teacher, else a grader of the course) and waits ``since`` then;
* after the wait set in ``data/grading.yaml`` it is in the overflow pool (a query on the
  waiting time, nothing moves it), where an eligible grader claims it with a lease
  (``claimed_by`` until ``lease_expires``; Open edX ORA2's staff workflow);
* :class:`SecondMark`: a lecturer's own decision on a sampled submission (``draw``) or an
  :class:`Appeal`, the latter final.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager
from opentemis.products.policy import DRAW_RANGE


class Product(models.Model):
    activity = models.OneToOneField(
        "learning.Activity", on_delete=models.CASCADE, related_name="product"
    )
    instructions = models.TextField(_("instructions"), blank=True)
    # [{"title": str, "description": str}, ...] (services.clean_rubric)
    rubric = models.JSONField(default=list, blank=True)
    accepts_text = models.BooleanField(_("a text may be written"), default=True)
    accepts_file = models.BooleanField(_("a file may be attached"), default=True)
    # Bytes; 0: the evidence limit (settings.EVIDENCE_MAX_BYTES), never more than it.
    max_bytes = models.PositiveIntegerField(default=0)
    # Extensions among evidence.validation.KINDS ("pdf", "docx"...); empty: all of them.
    file_types = models.JSONField(default=list, blank=True)
    resubmit_until_pass = models.BooleanField(_("may hand in again until passed"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"product of activity {self.activity_id}"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a grade")
    PASSED = "passed", _("Passed (Đạt)")
    FAILED = "failed", _("Not passed (Chưa đạt)")


def submission_path(instance: Any, filename: str) -> str:
    """A random name: it says nothing about the learner or the original file."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"products/{uuid.uuid4().hex}.{ext}"


def new_draw() -> int:
    """A submission's random draw for the second-marking sample (``policy.DRAW_RANGE``)."""
    return secrets.randbelow(DRAW_RANGE)


class Submission(models.Model):
    """A learner's numbered submission of a final product (module docstring)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="submissions")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    number = models.PositiveSmallIntegerField(default=1)
    # Replacing a waiting submission raises it: a grade is given on the revision the grader saw.
    revision = models.PositiveIntegerField(default=1)
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=submission_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=120, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField()
    status = models.CharField(
        max_length=7, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    comments = models.TextField(blank=True)
    # [{"criterion": title, "remark": text}, ...], one per rubric criterion at grading time.
    remarks = models.JSONField(default=list, blank=True)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    # Whose queue it is in (learning.access.assigned_graders at hand-in), and since when it
    # waits (the first hand-in of this number: replacing it does not restart the clock).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    waiting_since = models.DateTimeField()
    # The overflow pool's lease: held by ``claimed_by`` until ``lease_expires`` (then it is in
    # the pool again). ``claimed_by`` stays after the grade, for the record.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_expires = models.DateTimeField(null=True, blank=True)
    # Drawn once at random: in the second-marking sample when below the share (policy.py).
    draw = models.PositiveSmallIntegerField(default=new_draw, editable=False)

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["product", "enrolment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "enrolment", "number"], name="one_submission_number"
            ),
            models.UniqueConstraint(
                fields=["product", "enrolment"],
                condition=models.Q(status="pending"),
                name="one_pending_submission",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "submitted_at"], name="submission_queue"),
            # The overflow pool: what waits longest, of every course.
            models.Index(
                fields=["waiting_since"],
                condition=models.Q(status="pending"),
                name="submission_pool",
            ),
            models.Index(fields=["assigned_to", "status"], name="submission_assigned"),
            models.Index(fields=["claimed_by", "status"], name="submission_claimed"),
        ]

    def __str__(self) -> str:
        # Shown in the audit log: in the interface's language.
        return gettext("submission %(n)s") % {"n": self.number}


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the lecturer")
    UPHELD = "upheld", _("Chưa đạt confirmed")
    OVERTURNED = "overturned", _("Changed to Đạt")


class Appeal(models.Model):
    """A learner's appeal of a Chưa đạt grade (one per submission, with a reason); a lecturer
    decides it, finally (``SecondMark`` with this appeal)."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="appeal")
    unit_path = models.CharField(max_length=255, editable=False)
    reason = models.TextField()
    lodged_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager("unit_path")

    class Meta:
        indexes = [models.Index(fields=["status", "lodged_at"], name="appeal_open")]

    def __str__(self) -> str:
        return gettext("appeal of submission %(n)s") % {"n": self.submission_id}


class SecondMark(models.Model):
    """A lecturer's own Đạt / Chưa đạt on a graded submission: of the sample (``appeal``
    empty; one per submission) or deciding an appeal (final). ``first_status`` and
    ``first_grader`` keep the grade it was compared with; ``agrees`` says whether they match."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="second_marks"
    )
    appeal = models.OneToOneField(
        Appeal, on_delete=models.CASCADE, null=True, blank=True, related_name="decision"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    marker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    passed = models.BooleanField()
    comments = models.TextField(blank=True)
    first_status = models.CharField(max_length=7, choices=SubmissionStatus.choices)
    first_grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agrees = models.BooleanField()
    marked_at = models.DateTimeField()

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["marked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(appeal__isnull=True),
                name="one_sample_mark",
            )
        ]
        indexes = [models.Index(fields=["first_grader", "agrees"], name="second_mark_grader")]

    def __str__(self) -> str:
        return gettext("second marking of submission %(n)s") % {"n": self.submission_id}
