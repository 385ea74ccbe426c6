"""The audit of reads: who read other people's records, which and how many, and what they
exported (Decree 13/2023/NĐ-CP; decision 0012).

One audit row per request, never one per person: a list page records the ids it showed (at
most a page: 50) with the count and the filters; an export records its row count and filters; a
record records the record. The row is written by the same ``audit()`` as every other event: one
INSERT, in autocommit since reads run outside a transaction (no BEGIN/COMMIT round trips), and
nothing else (no read of the people, no lookup of names: the audit log names them when someone
reads it). Reads of one's own record are not recorded. ``settings.AUDIT_READS`` switches it off,
for the benchmark that measures what it costs (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import models

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
    via: str = "page",
) -> None:
    """Record that ``actor`` read personal data: one row, whatever the number of people.

    ``ids``: the records shown (a page); ``count``: how many rows (defaults to the ids');
    ``filters``: what the list was filtered on (empty values dropped); ``via``: page or api."""
    if not getattr(settings, "AUDIT_READS", True) or not getattr(actor, "is_authenticated", False):
        return
    shown = list(ids)
    changes: dict[str, Any] = {"count": len(shown) if count is None else count}
    if shown:
        changes["ids"] = shown
    kept = {k: v for k, v in (filters or {}).items() if v not in ("", None)}
    if kept:
        changes["filters"] = kept
    changes["via"] = via
    audit(actor=actor, action=action, unit=unit, obj=obj, changes=changes)
