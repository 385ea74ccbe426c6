"""Writes on jobs: create, report progress, finish with a file, fail. Called by tasks and views.

Progress is one UPDATE of two integers (no save(), no signals), cheap enough to call every few
items; callers still report every N items rather than after each one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import IO, Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


def job_create(*, actor: Any, kind: str, unit: Any = None, total: int = 0) -> Job:
    return Job.objects.create(actor=actor, kind=kind, unit=unit, total=total)


def job_enqueue(*, job: Job, enqueue: Callable[[], Any]) -> None:
    """Run ``enqueue`` (e.g. ``lambda: my_task.enqueue(job.pk, ...)``) once the job row is
    committed, so the worker never picks up a task whose job it cannot read yet."""

    def run() -> None:
        try:
            result = enqueue()
        except Exception:
            logger.exception("could not enqueue job %s", job.pk)
            job_fail(job=job, message=_("The job could not be queued. Try again later."))
            return
        task_id = str(getattr(result, "id", "") or "")
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=task_id[:64])

    transaction.on_commit(run)


def job_progress(job: Job, done: int, total: int | None = None) -> None:
    """Record that ``done`` of ``total`` items are done (and that the job is running)."""
    fields: dict[str, Any] = {"progress": done, "status": JobStatus.RUNNING}
    if total is not None:
        fields["total"] = total
        job.total = total
    Job.objects.filter(pk=job.pk).update(**fields)
    job.progress, job.status = done, JobStatus.RUNNING


def job_finish(
    *, job: Job, content: bytes | IO[bytes] | None = None, name: str = "", message: str = ""
) -> Job:
    """Mark the job done, storing ``content`` (bytes or a binary file) as its result ``name``."""
    if content is not None:
        file = ContentFile(content) if isinstance(content, bytes) else File(content)
        job.result.save(name, file, save=False)
        job.result_name = name
    job.status = JobStatus.DONE
    job.progress = job.total
    job.message = message[:500]
    job.finished_at = timezone.now()
    job.save(
        update_fields=["result", "result_name", "status", "progress", "message", "finished_at"]
    )
    return job


def job_fail(*, job: Job, message: str) -> Job:
    job.status = JobStatus.FAILED
    job.message = message[:500]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
    return job
