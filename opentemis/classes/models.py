"""Face-to-face classes (lớp tập trung) of a course: the roster, the sessions, attendance taken
by roll call or by a code the learner enters, and the ≥ 80 % rule (issue 13 item 6; bdtx.md
R9, R11; decision 0019).

* A :class:`FaceClass` belongs to one activity of kind "class". Its roster is stored as rows
  (:class:`ClassMember`, one per enrolment) so the roll call reads one table: filled from the
  course's enrolments under a unit chosen for the class (one province's core teachers), or
  member by member.
* A :class:`ClassSession` is one day or half-day: date, times, place, lecturer, the periods
  (tiết) it credits, and a 6-digit attendance code valid only while the window the lecturer
  opened lasts (15 minutes by default); 5 wrong codes per learner and session lock the learner
  out of that session's code (:class:`CodeTry`).
* An :class:`Attendance` is one per session and enrolment (idempotent): present, absent or
  excused, how it was taken, by whom, when.

The rule (``rules.py``): share = sessions present / sessions of the class not cancelled;
excused counts as absent (R11 asks for attendance, an excuse does not replace it). The
threshold is the year's ``training.TrainingYear.attendance_min`` unless the class sets its own.
Closing the class (``services.class_close``) posts each member's attended periods to the BDTX
ledger once (source "class") and freezes attendance.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager


class ClassStatus(models.TextChoices):
    OPEN = "open", _("Running")
    CLOSED = "closed", _("Closed, hours posted")


class FaceClass(models.Model):
    activity = models.OneToOneField(
        "learning.Activity", on_delete=models.CASCADE, related_name="face_class"
    )
    # The subtree whose enrolments the roster is filled from (empty: the course's own unit).
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The share of sessions to attend; null: the school year's (TrainingYear.attendance_min).
    attendance_min = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=6, choices=ClassStatus.choices, default=ClassStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Minutes an attendance code stays valid once the lecturer opens it.
    code_minutes = models.PositiveSmallIntegerField(default=15)
    # Sessions planned by a module package (``transfer.py``), without dates: [{"periods",
    # "place", "lecturer_name", "starts", "ends"}]; the officer dates them.
    session_templates = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"class {self.activity_id}"


class ClassMember(models.Model):
    """One learner on the roster (a row per enrolment: the roll call reads one table)."""

    face_class = models.ForeignKey(FaceClass, on_delete=models.CASCADE, related_name="members")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["face_class", "unit_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["face_class", "enrolment"], name="one_class_member")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} in {self.face_class_id}"


class ClassSession(models.Model):
    face_class = models.ForeignKey(FaceClass, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    starts = models.TimeField(_("starts"), null=True, blank=True)
    ends = models.TimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lecturer_name = models.CharField(_("lecturer"), max_length=255, blank=True)
    periods = models.DecimalField(_("periods (tiết)"), max_digits=4, decimal_places=1)
    cancelled = models.BooleanField(default=False)
    code = models.CharField(max_length=6, blank=True)
    code_opens_at = models.DateTimeField(null=True, blank=True)
    code_closes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["face_class", "date", "starts", "id"]

    def __str__(self) -> str:
        return f"{self.face_class_id} {self.date}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class AttendanceMethod(models.TextChoices):
    ROLL_CALL = "roll_call", _("Roll call")
    CODE = "code", _("Attendance code")


class Attendance(models.Model):
    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(max_length=7, choices=AttendanceStatus.choices)
    method = models.CharField(max_length=9, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id}: {self.status}"


class CodeTry(models.Model):
    """Wrong codes a learner entered for a session (the lock against guessing)."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    failures = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="one_code_try")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id}: {self.failures}"
