"""Optimistic locking: one conflict for every versioned record, told the same way everywhere.

A versioned record (a staff record, an evaluation) carries a ``version`` counter. A service
writes ``UPDATE … WHERE version = <the version the actor read>``; when no row matches,
somebody saved in between and the service raises :class:`StaleVersion` (or an app's subclass)
with the record as it is now and, field by field, how it differs from what the actor sent.
Nothing was written: the exception is raised inside the service's transaction.

What people see is decided here, once:

* **pages** answer 409 and include ``_conflict.html``: who saved last and when, then a table
  of the fields (by their Vietnamese names) with the saved value and the actor's value
  (which stays in the form, so saving again is a conscious overwrite);
* **the API** answers 409 with :meth:`StaleVersion.api_body` (the DRF exception handler in
  ``core.api`` does it for every view)::

      {"detail": "<sentence>", "code": "conflict", "current_version": 3,
       "differences": [{"field": "self_levels[1]", "label": "<name>",
                        "theirs": "Tot", "yours": "Dat"}]}

  ``theirs`` / ``yours`` are the raw values as the API reads and writes them (codes, ids, ISO
  dates), ``label`` the field's name for a person. The OpenAPI schema declares this body once
  (the ``Conflict`` component).

Each app says how its fields are named and its values said (the same words as its audit
entries, ``accounts/audit_text.py``) through the ``label`` and ``say`` callables given to
:func:`compare`; this module, the lowest layer, imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

#: ``label(field, key)``: the name of a field (``key``: a criterion number inside a per-criterion
#: field such as ``self_levels``, else None).
Labeller = Callable[[str, str | None], str]
#: ``say(field, value)``: a value as a person reads it ("—" for nothing).
Sayer = Callable[[str, Any], str]


@dataclass(frozen=True)
class Difference:
    """One field where the saved record differs from what the actor sent."""

    field: str  # "full_name", or "self_levels[3]" inside a per-criterion field
    label: str
    theirs: Any  # JSON-safe raw value, as saved
    yours: Any  # JSON-safe raw value, as sent
    theirs_text: str
    yours_text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "theirs": self.theirs,
            "yours": self.yours,
        }


class StaleVersion(Exception):
    """The record changed since the actor read it; nothing was written.

    ``current``: the record as saved now (its ``version`` is the current one);
    ``sent_version``: the version the actor's write was based on; ``differences``: see
    :func:`compare`; ``who``: who saved last, by name, where the record keeps it.
    """

    def __init__(
        self,
        *,
        current: models.Model,
        sent_version: Any = None,
        differences: Iterable[Difference] = (),
        who: str = "",
    ) -> None:
        self.current = current
        self.who = who  # who saved last, as people know them ("" when not recorded)
        # Every versioned model has the field; core names no model, so the checker cannot know.
        self.current_version: int = current.version  # type: ignore[attr-defined]
        self.sent_version = sent_version
        self.differences = list(differences)
        super().__init__(f"stale version {sent_version}, now {self.current_version}")

    @property
    def message(self) -> str:
        """The sentence of the API's ``detail`` (in the active language)."""
        return _(
            "Somebody else saved this record after you read it (you sent version %(sent)s, it is "
            "now at version %(current)s). Fetch it again, re-apply your changes and send the "
            "new version."
        ) % {
            "sent": "?" if self.sent_version is None else self.sent_version,
            "current": self.current_version,
        }

    @property
    def updated_at(self) -> Any:
        return getattr(self.current, "updated_at", None)

    def api_body(self) -> dict[str, Any]:
        return {
            "detail": self.message,
            "code": "conflict",
            "current_version": self.current_version,
            "differences": [d.as_json() for d in self.differences],
        }


def compare(
    saved: Mapping[str, Any], sent: Mapping[str, Any], *, label: Labeller, say: Sayer
) -> list[Difference]:
    """The fields of ``sent`` whose saved value differs, in the order sent.

    A dict-valued field (a level per criterion) is compared key by key, each key its own row
    (``self_levels[3]``). Empty and missing count as the same.
    """
    rows: list[Difference] = []
    for name, value in sent.items():
        current = saved.get(name)
        if isinstance(current, Mapping) or isinstance(value, Mapping):
            current = current if isinstance(current, Mapping) else {}
            value = value if isinstance(value, Mapping) else {}
            for key in sorted(set(current) | set(value), key=_number_first):
                theirs, yours = current.get(key, ""), value.get(key, "")
                if not _same(theirs, yours):
                    rows.append(
                        _row(f"{name}[{key}]", label(name, str(key)), name, theirs, yours, say)
                    )
        elif not _same(current, value):
            rows.append(_row(name, label(name, None), name, current, value, say))
    return rows


def _row(field: str, text: str, name: str, theirs: Any, yours: Any, say: Sayer) -> Difference:
    return Difference(
        field=field,
        label=text,
        theirs=plain(theirs),
        yours=plain(yours),
        theirs_text=say(name, theirs),
        yours_text=say(name, yours),
    )


def _same(a: Any, b: Any) -> bool:
    empty: tuple[object, ...] = (None, "", [], {})
    return a == b or (a in empty and b in empty)


def _number_first(key: Any) -> tuple[int, str]:
    try:
        return (int(key), "")
    except (TypeError, ValueError):
        return (10**6, str(key))


def plain(value: Any) -> Any:
    """A JSON-safe copy of a field value (records by id, dates in ISO 8601)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value
