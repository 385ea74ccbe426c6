"""Background jobs with progress and a downloadable result (long exports, print-all, reports).

A :class:`Job` is the user-facing record of one piece of background work: what it is, who
asked, how far it got, and the file it produced. The task itself runs in the Django Tasks
worker; the job row is what the progress page polls. Jobs belong to their actor (only they see
and download the result), so the table is not unit-scoped: every read filters by actor.

A running job holds a **lease**: each progress report renews ``heartbeat_at`` (in the same
UPDATE). A job whose heartbeat is older than ``JOB_LEASE_SECONDS`` lost its worker (killed,
out of memory, machine gone); the sweep (``jobs.services.jobs_sweep``) starts it again up to
``JOB_MAX_RETRIES`` times, then marks it failed with a message, and its owner can run it again
from the job page. ``attempts`` counts the runs begun and fences them: a run that was presumed
dead writes nothing once another run has begun (docs/decisions/0008-jobs.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (JobStatus.DONE, JobStatus.FAILED)

# What each kind of job is called on its page; apps starting new kinds add theirs here.
KIND_LABELS = {
    "evaluations.print_school": _("All evaluation forms of a school"),
    "reports.export": _("TEMIS report"),
    "tracking.snapshot": _("Weekly progress snapshot"),
    "cascade.balance": _("Assigning colleagues to core teachers"),
}


class Job(models.Model):
    """One background job of one user: status, progress (``progress`` of ``total``), result."""

    kind = models.CharField(_("kind"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # What to run again (after a lost worker, or when the owner asks): the task's import path
    # and its arguments after the job's id.
    task_path = models.CharField(max_length=200, blank=True)
    task_args = models.JSONField(default=list, blank=True)
    # The lease: renewed by every progress report of the running attempt.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="job_actor_created"),
            # The sweep looks for unfinished jobs only.
            models.Index(
                fields=["status", "heartbeat_at"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def result_expired(self) -> bool:
        """Done, but the clean-up deleted its file (``site.cleanup``)."""
        return self.status == JobStatus.DONE and bool(self.result_name) and not self.result

    @property
    def can_restart(self) -> bool:
        """Failed, or done with its file expired: its owner may run it again (it knows what
        to run)."""
        return bool(self.task_path) and (self.status == JobStatus.FAILED or self.result_expired)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, round(100 * self.progress / self.total)) if self.total else 0
