"""The audit of reads: who read other people's records, which and how many, and what they
exported (Decree 13/2023/NĐ-CP; decision 0012).

One audit row per request, never one per person: a list page records the ids it showed (at
most a page: 50) with the count and the filters; an export records its row count and filters; a
record records the record. The row is written by the same ``audit()`` as every other event: one
INSERT whose commit does not wait for the disk (see ``_insert``), and nothing else (no read of
the people, no lookup of names: the audit log names them when someone reads it). Reads of
one's own record are not recorded. ``settings.AUDIT_READS`` switches it off, for the benchmark
that measures what it costs (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction

from opentemis.accounts.services import audit


def audit_read(
    *,
    actor: Any,
    action: str,
    unit: Any = None,
    obj: models.Model | None = None,
    ids: Iterable[int] = (),
    count: int | None = None,
    filters: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    via: str = "page",
) -> None:
    """Record that ``actor`` read personal data: one row, whatever the number of people.

    ``ids``: the records shown (a page); ``count``: how many rows (defaults to the ids');
    ``filters``: what the list was filtered on (empty values dropped); ``details``: other
    facts for the sentence (the form printed); ``via``: page or api."""
    if not getattr(settings, "AUDIT_READS", True) or not getattr(actor, "is_authenticated", False):
        return
    shown = list(ids)
    changes: dict[str, Any] = {}
    if count is not None or shown:
        changes["count"] = len(shown) if count is None else count
    if shown:
        changes["ids"] = shown
    kept = {k: v for k, v in (filters or {}).items() if v not in ("", None)}
    if kept:
        changes["filters"] = kept
    changes.update(details or {})
    changes["via"] = via
    _insert(actor=actor, action=action, unit=unit, obj=obj, changes=changes)


def _insert(
    *, actor: Any, action: str, unit: Any, obj: models.Model | None, changes: dict[str, Any]
) -> None:
    """The one INSERT. Outside a transaction on PostgreSQL, its commit does not wait for the
    write-ahead log to reach the disk (``synchronous_commit = off`` for this transaction only):
    that wait was most of the cost (4-5 ms of 5.7 on the bench machine, against 0.5 ms
    without it). The risk is bounded and stated in decision 0012: if the database server
    itself crashes, the read events of its last fraction of a second (at most three times
    ``wal_writer_delay``, 0.6 s by default) can be lost; nothing is corrupted, and no write of
    the application's data is affected. Inside a transaction (a service's, a test's) the row
    simply joins it."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        audit(actor=actor, action=action, unit=unit, obj=obj, changes=changes)
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        audit(actor=actor, action=action, unit=unit, obj=obj, changes=changes)
