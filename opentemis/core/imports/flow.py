"""The one way an import runs: check the file, show what it would do, then write all of it or
nothing.

::

    upload ──check (dry run)──▶ issues + what would change ──confirm──▶ check again, write
              nothing written      (pending file kept)                  in one transaction

An import is two functions of its own, given to :func:`run_import`:

* ``check(run)`` reads ``run.source`` (through :func:`~opentemis.core.imports.reader.
  open_workbook`), validates every row, records problems in ``run.issues`` and returns the
  plan: what the file would do (rows to create, update, leave), app-specific. It locks the
  rows it will change when ``run.lock`` (a real run), so the plan still holds at the write.
* ``write(plan)`` applies the plan and audits it, inside the same transaction; it returns
  whether anything was written (a file identical to the records writes nothing).

:func:`run_import` runs both inside one transaction: a dry run, a file with issues (unless the
import allows a ``partial`` write) or a refused file is rolled back whatever the check did, so a
dry run never leaves a trace; a write that collides with a concurrent one (an
``IntegrityError`` or the import's own conflict) is rolled back as a whole and becomes one
issue. The result is an :class:`Outcome`.

Between the check and the confirmation the pages keep the checked file server-side
(:func:`pending_keep`, :func:`pending_take`: :mod:`.uploads`), bound to what it was checked
for (a unit, a cycle), so the confirmation runs the whole import again on exactly those bytes;
the API takes ``dry_run`` and the file again.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from opentemis.core.imports.issues import ERROR_CAP, Issue, Issues, TooManyIssues
from opentemis.core.imports.reader import FileRejected, Source
from opentemis.core.imports.uploads import StoredUpload, upload_discard, upload_read, upload_store

logger = logging.getLogger(__name__)

P = TypeVar("P")


@dataclass
class ImportRun:
    """What a check is given: the upload, the issue collector, and whether this run writes."""

    source: Source
    issues: Issues
    dry_run: bool

    @property
    def lock(self) -> bool:
        """Lock the rows read for the write (``select_for_update``): only when writing."""
        return not self.dry_run


@dataclass
class Outcome(Generic[P]):
    """What one run of an import found and did.

    ``plan`` is what the check returned (``None`` when the file was refused before it could
    say); ``written`` is False for a dry run and whenever anything was wrong.
    """

    plan: P | None = None
    issues: list[Issue] = field(default_factory=list)
    truncated: bool = False
    dry_run: bool = False
    written: bool = False
    file_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.issues


def run_import(
    *,
    file: Any,
    check: Callable[[ImportRun], P],
    write: Callable[[P], bool],
    dry_run: bool,
    partial: bool = False,
    cap: int = ERROR_CAP,
    conflicts: tuple[type[Exception], ...] = (),
    conflict_message: str = "",
) -> Outcome[P]:
    """Check ``file`` and, unless ``dry_run``, write it: all of it or nothing (see above).

    ``file`` is a path, bytes or a binary file object. ``partial=True`` writes the valid rows
    of a file that has issues (the CLI's choice; the pages never offer it). ``conflicts`` are
    the import's own exceptions meaning "changed by someone else meanwhile", reported with
    ``conflict_message`` like an ``IntegrityError``.
    """
    outcome: Outcome[P] = Outcome(dry_run=dry_run)
    issues = Issues(cap=cap)
    collisions: tuple[type[Exception], ...] = (IntegrityError, *conflicts)
    with Source(file) as source:
        outcome.file_name = source.name
        try:
            with transaction.atomic():
                outcome.plan = check(ImportRun(source=source, issues=issues, dry_run=dry_run))
                if dry_run or (issues and not partial):
                    # Nothing a check did survives it, whatever it was.
                    transaction.set_rollback(True)
                else:
                    outcome.written = write(outcome.plan)
        except FileRejected as exc:
            issues.reject(exc.problem)
        except TooManyIssues:
            pass
        except collisions:
            # Someone saved some of these records between the check and the write; the
            # transaction was rolled back as a whole.
            logger.info("Import collided with a concurrent write", exc_info=True)
            outcome.written = False
            issues.reject(conflict_message or collision_message())
    outcome.issues = issues.items
    outcome.truncated = issues.truncated
    return outcome


def collision_message() -> str:
    return _(
        "Some of these records were changed by someone else while the file was being saved, "
        "so nothing was saved. Upload the file again to see the current state."
    )


# ---------------------------------------------------------------------------------------------
# The checked file, kept between the preview and the confirmation
# ---------------------------------------------------------------------------------------------

_SESSION_PREFIX = "import_pending:"


def pending_keep(
    request: HttpRequest, *, kind: str, file: Any, bound: Mapping[str, Any] | None = None
) -> str:
    """Keep the checked ``file`` for the confirmation of import ``kind`` ("staff", "paper" ...);
    returns the token the confirmation form sends back. ``bound`` is what the file was checked
    for (ids of a unit, a cycle): the confirmation must be for the same. Replaces (and
    deletes) a file pending for ``kind`` in this session."""
    pending_forget(request, kind=kind)
    stored = upload_store(file)
    request.session[_SESSION_PREFIX + kind] = {**stored.as_dict(), "bound": dict(bound or {})}
    return stored.sha256


def pending_take(
    request: HttpRequest, *, kind: str, token: Any, bound: Mapping[str, Any] | None = None
) -> io.BytesIO | None:
    """The file kept by :func:`pending_keep`, as a stream named like the user's file, and
    forgotten (taken once: confirming twice saves nothing more). ``None`` when it is gone
    (swept, already saved), or was kept for something else or another file (a stale or forged
    token: the file kept stays for the right confirmation)."""
    data = request.session.get(_SESSION_PREFIX + kind) or {}
    stored = StoredUpload.from_dict(data)
    if (
        stored is None
        or data.get("bound") != dict(bound or {})
        or not isinstance(token, str)
        or token != stored.sha256
    ):
        return None
    content = upload_read(stored)
    pending_forget(request, kind=kind)
    if content is None:
        return None
    stream = io.BytesIO(content)
    stream.name = stored.original
    return stream


def pending_forget(request: HttpRequest, *, kind: str) -> None:
    """Drop the file pending for ``kind`` in this session (its stored bytes too)."""
    stored = StoredUpload.from_dict(request.session.pop(_SESSION_PREFIX + kind, None))
    if stored is not None:
        upload_discard(stored)


def pending_gone_message() -> str:
    """The answer to a confirmation whose file is no longer kept."""
    return _(
        "The file to save is no longer available (the preview is outdated or was already "
        "saved). Upload the file again."
    )
