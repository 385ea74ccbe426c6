"""Writes on jobs: create, queue, run under a lease, report progress, finish, fail, sweep, restart.

A job's life: ``job_create`` (queued) → ``job_enqueue`` (the task is queued after the commit,
and what to run is kept on the job) → the task calls ``job_run``, which begins the attempt
(running, ``attempts`` + 1, heartbeat now) and runs the work → ``job_progress`` renews the
heartbeat in the same UPDATE that records progress → ``job_finish`` or ``job_fail``.

A worker that dies (killed, out of memory, machine gone) leaves the job running with a heartbeat
that stops moving. :func:`jobs_sweep` (run by ``db_worker`` every ``JOB_SWEEP_SECONDS``, and for
one job when its page is read) finds those older than ``JOB_LEASE_SECONDS``: it queues them again
up to ``JOB_MAX_RETRIES`` times, then marks them failed with a message; the owner can run a
failed job again (:func:`job_restart`, the "Run again" button).

Every write of a running attempt is fenced by ``attempts`` and the status: once the sweep has
given the job to another attempt, the presumed-dead run's writes match no row, and
:class:`LeaseLost` stops it. Progress is still one UPDATE (no save(), no signals), cheap enough
to call every few items; callers report every N items rather than after each one.

Other apps add their own sweeps (``register_sweep``): the worker runs them all.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from opentemis.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
NOT_QUEUED = _("The job could not be queued. Try again later.")
INTERRUPTED = _(
    "The job was interrupted (the background worker stopped) and could not be finished. "
    "Press “Run again” to start it again."
)


class LeaseLost(Exception):
    """This run no longer owns its job: the sweep presumed it dead and gave it to another."""


def job_create(
    *, actor: AbstractBaseUser, kind: str, unit: models.Model | None = None, total: int = 0
) -> Job:
    """A queued job of ``actor``, about ``unit`` (jobs sit below the apps of users and units,
    so both are named by their ids)."""
    unit_id = unit.pk if unit is not None else None
    return Job.objects.create(actor_id=actor.pk, kind=kind, unit_id=unit_id, total=total)


def job_enqueue(*, job: Job, task: Any, args: Sequence[Any] = ()) -> None:
    """Queue ``task(job.pk, *args)`` once the job row is committed, so the worker never picks
    up a task whose job it cannot read yet. The task and its arguments are kept on the job, to
    run it again after a lost worker or when its owner asks."""
    job.task_path, job.task_args = task.module_path, list(args)
    Job.objects.filter(pk=job.pk).update(task_path=job.task_path, task_args=job.task_args)
    transaction.on_commit(lambda: _enqueue(job))


def _enqueue(job: Job) -> None:
    try:
        result = import_string(job.task_path).enqueue(job.pk, *job.task_args)
    except Exception:
        logger.exception("could not enqueue job %s", job.pk)
        job_fail(job=job, message=NOT_QUEUED)
        return
    job.task_id = str(getattr(result, "id", "") or "")[:64]
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def job_begin(job_id: int) -> Job | None:
    """Begin an attempt of a queued job; None if it is not queued (done, failed, or begun by
    another run: a task delivered twice runs once)."""
    begun = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now()
    )
    return Job.objects.select_related("actor").get(pk=job_id) if begun else None


def job_run(job_id: int, work: Callable[[Job], None], *, failure_message: StrOrPromise) -> None:
    """Run ``work(job)`` as one attempt of the job: the body of every job task.

    An exception marks the job failed with ``failure_message`` (the log has the traceback) and
    is raised again for the task's own record; a lost lease ends the run quietly.
    """
    job = job_begin(job_id)
    if job is None:
        logger.info("job %s is not queued; nothing to run", job_id)
        return
    try:
        work(job)
    except LeaseLost:
        logger.warning("job %s: attempt %s lost its lease and stopped", job_id, job.attempts)
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        job_fail(job=job, message=failure_message)
        raise


def job_progress(job: Job, done: int, total: int | None = None) -> None:
    """Record that ``done`` of ``total`` items are done, and renew the lease (one UPDATE).

    Raises :class:`LeaseLost` if this attempt no longer owns the job.
    """
    fields: dict[str, Any] = {"progress": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    owned = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
    if not owned.update(**fields):
        raise LeaseLost(job.pk)
    job.progress, job.heartbeat_at = done, fields["heartbeat_at"]
    if total is not None:
        job.total = total


def _owned(job: Job) -> models.QuerySet[Job]:
    """The job's row while this attempt (or, before any, its creator) still owns it."""
    return Job.objects.filter(pk=job.pk, status__in=UNFINISHED, attempts=job.attempts)


def job_finish(
    *, job: Job, content: bytes | IO[bytes] | None = None, name: str = "", message: str = ""
) -> Job:
    """Mark the job done, storing ``content`` (bytes or a binary file) as its result ``name``.

    Raises :class:`LeaseLost` (and deletes the file) if another attempt owns the job now.
    """
    if content is not None:
        file = ContentFile(content) if isinstance(content, bytes) else File(content)
        job.result.save(name, file, save=False)
        job.result_name = name
    now = timezone.now()
    done = _owned(job).update(
        result=job.result.name or "",
        result_name=job.result_name,
        status=JobStatus.DONE,
        progress=F("total"),
        message=str(message)[:500],
        finished_at=now,
    )
    if not done:
        if job.result:
            job.result.delete(save=False)
        raise LeaseLost(job.pk)
    job.status, job.progress, job.message, job.finished_at = (
        JobStatus.DONE,
        job.total,
        str(message)[:500],
        now,
    )
    return job


def job_fail(*, job: Job, message: StrOrPromise) -> Job:
    """Mark the job failed with ``message`` (stored in the site language); a job another
    attempt owns, or that is finished already, is left as it is."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)[:500]
    now = timezone.now()
    if _owned(job).update(status=JobStatus.FAILED, message=text, finished_at=now):
        job.status, job.message, job.finished_at = JobStatus.FAILED, text, now
    return job


def job_restart(*, job: Job) -> Job:
    """Run a failed job (or one whose file expired) again, its owner's "Run again": queued
    afresh, attempts from zero.

    The task checks the owner's access again when it runs. Raises ValueError when the job may
    not run again (``Job.can_restart``) or changed since it was read.
    """
    if not job.can_restart:
        raise ValueError("only a failed or expired job that knows its task can run again")
    reset = Job.objects.filter(pk=job.pk, status=job.status, finished_at=job.finished_at).update(
        status=JobStatus.QUEUED,
        attempts=0,
        progress=0,
        message="",
        finished_at=None,
        heartbeat_at=None,
        result="",
        result_name="",
        task_id="",
    )
    if not reset:
        raise ValueError("the job changed since it was read")
    job.refresh_from_db()
    transaction.on_commit(lambda: _enqueue(job))
    return job


# --- the lease sweep ------------------------------------------------------------------------


@dataclass
class SweepResult:
    retried: int = 0
    failed: int = 0


def lease_expired(job: Job, now: dt.datetime | None = None) -> bool:
    """Whether a running job's heartbeat is older than the lease."""
    if job.status != JobStatus.RUNNING or job.heartbeat_at is None:
        return False
    now = now or timezone.now()
    return (now - job.heartbeat_at).total_seconds() > settings.JOB_LEASE_SECONDS


def jobs_sweep(
    *, job_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> SweepResult:
    """Retry or fail the jobs whose worker died: running with a heartbeat older than the lease,
    or (database queue) queued while their task was claimed longer ago than the lease and never
    began. Safe to run in several workers at once: each job is taken by one conditional UPDATE.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    running = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    queued = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=cutoff).exclude(task_id="")
    if job_ids is not None:
        ids = list(job_ids)
        running, queued = running.filter(pk__in=ids), queued.filter(pk__in=ids)
    result = SweepResult()
    for job in running:
        _expire(job, now, result)
    lost = _claimed_before(cutoff, {job.task_id: job for job in queued[:1000]})
    for job in lost:
        _expire(job, now, result)
    return result


def _expire(job: Job, now: dt.datetime, result: SweepResult) -> None:
    """Queue ``job`` again (bounded) or fail it; its lost task is recorded as failed."""
    taken = Job.objects.filter(
        pk=job.pk, status=job.status, attempts=job.attempts, heartbeat_at=job.heartbeat_at
    )
    retry = bool(job.task_path) and job.attempts <= settings.JOB_MAX_RETRIES
    with translation.override(settings.LANGUAGE_CODE):
        if retry:
            message = str(
                _("The background worker stopped; the job was started again (attempt %(n)d).")
                % {"n": job.attempts + 1}
            )
        else:
            message = str(INTERRUPTED)
    if retry:
        if not taken.update(status=JobStatus.QUEUED, heartbeat_at=None, message=message[:500]):
            return
        logger.warning("job %s lost its worker; queued again", job.pk)
        _task_lost(job.task_id, now)
        job.status, job.message = JobStatus.QUEUED, message
        transaction.on_commit(lambda: _enqueue(job))
        result.retried += 1
    else:
        if not taken.update(status=JobStatus.FAILED, message=message[:500], finished_at=now):
            return
        logger.warning("job %s lost its worker %s times; failed", job.pk, job.attempts)
        _task_lost(job.task_id, now)
        result.failed += 1


def _task_rows(task_ids: Iterable[str]) -> Any:
    """The database queue's rows of ``task_ids`` (None when another backend is in use)."""
    # Local: the database task backend is optional; another backend may be configured.
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: only the heartbeat tells
        return None
    valid = []
    for task_id in task_ids:
        try:
            valid.append(uuid.UUID(task_id))
        except ValueError:
            continue
    return DBTaskResult.objects.filter(id__in=valid)


def _claimed_before(cutoff: dt.datetime, queued: dict[str, Job]) -> list[Job]:
    """Queued jobs whose task a worker claimed before ``cutoff`` and never began (it died in
    between), or whose task ended without beginning the job (it could not even start)."""
    rows = _task_rows(queued) if queued else None
    if rows is None:
        return []
    lost = rows.filter(status="RUNNING", started_at__lt=cutoff) | rows.filter(status="FAILED")
    return [queued[str(task_id)] for task_id in lost.values_list("id", flat=True)]


def _task_lost(task_id: str, now: dt.datetime) -> None:
    """Record the lost run in the database queue too, so nothing shows it as running."""
    rows = _task_rows([task_id])
    if rows is not None:
        rows.filter(status="RUNNING").update(
            status="FAILED",
            finished_at=now,
            exception_class_path=f"{__name__}.LeaseLost",
            traceback="The worker running this task stopped (job lease expired).",
        )


def job_check_lease(job: Job) -> Job:
    """Sweep one job if its lease has expired (its page is read): the page never shows a dead
    job as running, even when no worker is left to sweep."""
    if lease_expired(job):
        jobs_sweep(job_ids=[job.pk])
        job.refresh_from_db()
    return job


# --- sweeps of other apps -------------------------------------------------------------------

_SWEEPS: list[Callable[[], object]] = [jobs_sweep]


def register_sweep(sweep: Callable[[], object]) -> None:
    """Have the worker run ``sweep()`` with its own (an app's lease on work that outlives a
    process: notice emails, ...). Higher apps register from their ``signals.py``."""
    if sweep not in _SWEEPS:
        _SWEEPS.append(sweep)


def sweep_all() -> None:
    """Run every registered sweep; one that fails is logged and does not stop the others."""
    for sweep in list(_SWEEPS):
        try:
            sweep()
        except Exception:
            logger.exception("sweep %s failed", getattr(sweep, "__qualname__", sweep))
