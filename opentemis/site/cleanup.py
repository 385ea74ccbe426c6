"""Clean-up of stored files nobody needs any more: old job results, unused evidence bytes,
abandoned paper-import uploads.

Plain functions, each returning how many things it removed (or would remove with
``dry_run=True``); the ``cleanup`` management command and the ``site.tasks.cleanup_files`` task call
:func:`cleanup_all`. Every function is safe to run again and at the same time as users and as
another clean-up:

- a row is changed by a conditional write (``UPDATE … WHERE result = <name>``, or a delete of a
  row locked with ``SELECT … FOR UPDATE`` and re-checked), and its file is deleted only by the
  run whose write took effect, after the commit;
- files without a row (evidence bytes of a rolled-back upload, paper uploads) are deleted only
  after a grace period, so an upload in progress is never touched.

Files are reached through Django's storage API only (a local folder by default, S3 in
production). These are system-wide maintenance operations: they run in ``system_scope()``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, Expression, OuterRef, ProtectedError
from django.utils import timezone

from opentemis.core.imports.uploads import PREFIX as PENDING_UPLOADS_PREFIX
from opentemis.core.scoping import system_scope
from opentemis.evidence.models import Evidence, StoredFile
from opentemis.jobs.models import Job

logger = logging.getLogger(__name__)

EVIDENCE_PREFIX = "evidence"
# Files without a row are never removed younger than this, whatever the settings say: an upload
# being written (evidence) or previewed (paper import) must survive the clean-up.
MIN_GRACE = dt.timedelta(hours=1)

Report = Callable[[str], None]


def _days(name: str, default: float) -> float:
    """A retention in days: the Django setting ``name``, else the environment variable of the
    same name, else ``default``."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    days = float(value)
    if days < 0:
        raise ValueError(f"{name} must not be negative (got {value!r})")
    return days


def job_result_days() -> float:
    return _days("OPENTEMIS_JOB_RESULT_DAYS", 7)


def evidence_grace_days() -> float:
    return _days("OPENTEMIS_EVIDENCE_ORPHAN_DAYS", 1)


def paper_upload_days() -> float:
    return _days("OPENTEMIS_PAPER_UPLOAD_DAYS", 1)


def _cutoff(
    now: dt.datetime | None, days: float, *, floor: dt.timedelta | None = None
) -> dt.datetime:
    age = dt.timedelta(days=days)
    if floor is not None and age < floor:
        age = floor
    return (now or timezone.now()) - age


def _delete_later(storage: Storage, name: str) -> None:
    """Delete ``name`` from storage once the current transaction commits (never if it rolls
    back); a storage error is logged, not raised (the next run cannot find it again, but
    nothing refers to it either)."""

    def delete() -> None:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("cleanup: could not delete %s from storage", name, exc_info=True)

    transaction.on_commit(delete)


def _noop(_name: str) -> None:
    return None


def job_results_expire(
    *,
    dry_run: bool = False,
    days: float | None = None,
    now: dt.datetime | None = None,
    report: Report = _noop,
) -> int:
    """Delete result files of jobs finished more than ``days`` ago (``OPENTEMIS_JOB_RESULT_DAYS``,
    7 by default) and clear the field. The row stays (history); ``result_name`` stays too, so
    the job page can say which file expired."""
    cutoff = _cutoff(now, job_result_days() if days is None else days)
    # Read in full before writing: rows are updated while the list is walked.
    candidates = list(
        Job.objects.filter(finished_at__lt=cutoff).exclude(result="").values_list("pk", "result")
    )
    storage = Job._meta.get_field("result").storage
    count = 0
    for pk, name in candidates:
        if not dry_run:
            with transaction.atomic():
                # Only the run whose update took effect deletes the file.
                if not Job.objects.filter(pk=pk, result=name).update(result=""):
                    continue
                _delete_later(storage, name)
        report(name)
        count += 1
    return count


def _unreferenced() -> Expression:
    return ~Exists(Evidence.objects.filter(stored_file=OuterRef("pk")))


def stored_files_purge(
    *,
    dry_run: bool = False,
    days: float | None = None,
    now: dt.datetime | None = None,
    report: Report = _noop,
) -> int:
    """Delete evidence bytes (:class:`StoredFile` rows and their files) that no evidence item
    uses any more and that are older than the grace period (``OPENTEMIS_EVIDENCE_ORPHAN_DAYS``,
    1 day by default).

    Each row is locked and re-checked before it is deleted. An upload of the same bytes locks
    the same row before it adds its item (``evidence.services._stored_file``), so either the
    upload waits and then stores the bytes afresh, or the clean-up waits and then sees the new
    item and keeps the row. The database's foreign key is the last guard.
    """
    cutoff = _cutoff(now, evidence_grace_days() if days is None else days)
    with system_scope():
        candidates = list(
            StoredFile.objects.filter(_unreferenced(), created_at__lt=cutoff).values_list(
                "pk", "file"
            )
        )
        count = 0
        for pk, name in candidates:
            if not dry_run and _stored_file_delete(pk, cutoff) is None:
                continue
            report(name)
            count += 1
    return count


def _stored_file_delete(pk: int, cutoff: dt.datetime) -> str | None:
    """Delete one unreferenced StoredFile (its file after the commit); its name, or None if it
    is gone already or in use again."""
    try:
        with transaction.atomic():
            stored = (
                StoredFile.objects.select_for_update()
                .filter(_unreferenced(), pk=pk, created_at__lt=cutoff)
                .first()
            )
            if stored is None or Evidence.objects.filter(stored_file_id=pk).exists():
                return None
            name, storage = stored.file.name, stored.file.storage
            stored.delete()
            if name:
                _delete_later(storage, name)
    except (IntegrityError, ProtectedError):
        return None  # an item points at it again (committed in between): keep it
    return name


def _walk(storage: Storage, folder: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, file names) for ``folder`` and every folder below it; nothing if it is absent."""
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield folder, files
    for sub in sorted(dirs):
        yield from _walk(storage, f"{folder}/{sub}")


def _older_than(storage: Storage, name: str, cutoff: dt.datetime) -> bool:
    try:
        return bool(storage.get_modified_time(name) < cutoff)
    except (FileNotFoundError, OSError):
        return False  # gone meanwhile


def evidence_strays_purge(
    *,
    dry_run: bool = False,
    days: float | None = None,
    now: dt.datetime | None = None,
    report: Report = _noop,
) -> int:
    """Delete files under ``evidence/`` that no :class:`StoredFile` row names, older than the
    grace period (at least an hour): the bytes of an upload whose transaction rolled back
    (decision 0007). A new upload always writes a new file (the storage never overwrites), so a
    stray file is never adopted by a row later."""
    cutoff = _cutoff(now, evidence_grace_days() if days is None else days, floor=MIN_GRACE)
    storage = StoredFile._meta.get_field("file").storage
    count = 0
    for folder, files in _walk(storage, EVIDENCE_PREFIX):
        if not files:
            continue
        # Listed before the rows are read: a file whose row commits meanwhile is recent.
        known = set(
            StoredFile.objects.filter(file__startswith=f"{folder}/").values_list("file", flat=True)
        )
        for file_name in sorted(files):
            name = f"{folder}/{file_name}"
            if name in known or not _older_than(storage, name, cutoff):
                continue
            if not dry_run:
                storage.delete(name)
            report(name)
            count += 1
    return count


def paper_uploads_purge(
    *,
    dry_run: bool = False,
    days: float | None = None,
    now: dt.datetime | None = None,
    report: Report = _noop,
) -> int:
    """Delete import uploads (staff, paper, framework) kept for a confirmation nobody gave,
    older than ``OPENTEMIS_PAPER_UPLOAD_DAYS`` (1 day by default, at least an hour). A late
    confirmation then asks for the file again (``core.imports.flow.pending_take``)."""
    cutoff = _cutoff(now, paper_upload_days() if days is None else days, floor=MIN_GRACE)
    count = 0
    for folder, files in _walk(default_storage, PENDING_UPLOADS_PREFIX):
        for file_name in sorted(files):
            name = f"{folder}/{file_name}"
            if not _older_than(default_storage, name, cutoff):
                continue
            if not dry_run:
                default_storage.delete(name)  # deleting a file already gone is not an error
            report(name)
            count += 1
    return count


# What cleanup_all runs, in this order (unused rows first, so their files are not strays).
SWEEPS: dict[str, Callable[..., int]] = {
    "job_results": job_results_expire,
    "evidence_files": stored_files_purge,
    "evidence_strays": evidence_strays_purge,
    "paper_uploads": paper_uploads_purge,
}


@dataclass
class Totals:
    """What :func:`cleanup_all` removed (or would remove), by sweep; the sweeps that failed."""

    counts: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "failed": list(self.failed)}


def cleanup_all(
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    report: Callable[[str, str], None] | None = None,
) -> Totals:
    """Run every sweep with the configured retentions. A sweep that fails (storage unreachable)
    is logged and listed in ``failed``; the others still run."""
    totals = Totals()
    with system_scope():
        for key, sweep in SWEEPS.items():
            each: Report = functools.partial(report, key) if report else _noop
            try:
                totals.counts[key] = sweep(dry_run=dry_run, now=now, report=each)
            except Exception:
                logger.exception("cleanup: %s failed", key)
                totals.failed.append(key)
    return totals
