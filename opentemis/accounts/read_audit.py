"""The audit of reads: who read other people's records, which and how many, and what they
exported (Decree 13/2023/NĐ-CP; decision 0012).

One audit row per request, never one per person: a list page records the ids it showed (at
most a page: 50) with the count and the filters; an export records its row count and filters; a
record records the record. The row is the event ``audit()`` builds, written by one INSERT in
one round trip whose commit does not wait for the disk (see ``_insert``), and nothing else (no
read of the people, no lookup of names: the audit log names them when someone reads it). Reads of
one's own record are not recorded. ``settings.AUDIT_READS`` switches it off, for the benchmark
that measures what it costs (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models

from opentemis.accounts.models import AuditEvent, User
from opentemis.accounts.services import audit, audit_event

if TYPE_CHECKING:
    from opentemis.orgs.models import Unit


def audit_read(
    *,
    actor: User,
    action: str,
    unit: Unit | None = None,
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
    if not getattr(settings, "AUDIT_READS", True) or not actor.is_authenticated:
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


_RELAXED_INSERT = (
    "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS setting) "
    "INSERT INTO {into} VALUES ({marks}) RETURNING (SELECT setting FROM relaxed)"
)


def _insert(
    *,
    actor: User,
    action: str,
    unit: Unit | None,
    obj: models.Model | None,
    changes: dict[str, Any],
) -> None:
    """The one INSERT, in one round trip. Outside a transaction on PostgreSQL its commit does
    not wait for the write-ahead log to reach the disk: the statement sets
    ``synchronous_commit = off`` for its own implicit transaction (``set_config(..., true)`` in a
    CTE that ``RETURNING`` reads, so that it runs). That wait was most of the cost of a plain
    INSERT (p50 2-9 ms against 0.2-0.5 ms on the bench machine, docs/benchmarks.md). The risk
    is bounded and stated in decision 0012: if the database server itself crashes, the read
    events of its last fraction of a second (at most three times ``wal_writer_delay``, 0.6 s by
    default) can be lost; nothing is corrupted, and the setting ends with the statement, so no
    other write is affected. Inside a transaction (a service's, a test's) or on SQLite, the row
    is written by ``audit()`` and simply joins the transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        audit(actor=actor, action=action, unit=unit, obj=obj, changes=changes)
        return
    event = audit_event(actor=actor, action=action, unit=unit, obj=obj, changes=changes)
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    quote = connection.ops.quote_name
    # Names from the model's metadata, values as parameters: nothing from the request is pasted.
    # A concrete field always has a column (a missing one would leave VALUES longer: an error).
    columns = ", ".join(quote(f.column) for f in fields if f.column)
    into = f"{quote(AuditEvent._meta.db_table)} ({columns})"
    marks = ", ".join(["%s"] * len(fields))
    sql = _RELAXED_INSERT.format(into=into, marks=marks)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
