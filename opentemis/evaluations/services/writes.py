"""The tail of every workflow step: an UPDATE guarded by the version the actor saw, then the
audit of what changed and the event for the apps above (after the commit).

A save based on an old version raises :class:`ConflictError` carrying the record as it is now,
so the second editor sees the other's changes and nothing is overwritten silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts import audit_text
from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.conflicts import StaleVersion, compare
from opentemis.evaluations import signals
from opentemis.evaluations.models import Evaluation
from opentemis.evaluations.services.fields import INPUT_FIELDS


class ConflictError(StaleVersion):
    """The record changed since the actor loaded it; ``current`` is how it is now and
    ``differences`` how it differs from what the actor typed (see core/conflicts.py)."""

    def __init__(
        self,
        current: Evaluation,
        submitted: Mapping[str, Any] | None = None,
        *,
        sent_version: Any = None,
    ) -> None:
        typed = {k: v for k, v in (submitted or {}).items() if k in INPUT_FIELDS}
        saver = current.updated_by
        super().__init__(
            current=current,
            sent_version=sent_version,
            differences=compare(_saved(current, typed), typed, label=_label, say=_say),
            who=audit_text.person_name(saver) if saver is not None else "",
        )


def _saved(current: Evaluation, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(current, name, None) for name in names}


def _label(name: str, criterion: str | None) -> str:
    text = audit_text.label(name, Evaluation)
    if criterion is None:
        return text
    return f"{_('Criterion %(n)s') % {'n': criterion}}: {text}"


def _say(name: str, value: Any) -> str:
    return audit_text.say(name, value, Evaluation)


def guarded_update(
    evaluation: Evaluation,
    *,
    version: int,
    actor: User,
    submitted: Mapping[str, Any],
    **fields: Any,
) -> Evaluation:
    """UPDATE ... WHERE version = <what the actor saw>; raise ConflictError if someone saved."""
    now = timezone.now()
    updated = Evaluation.objects.filter(pk=evaluation.pk, version=version).update(
        version=models.F("version") + 1, updated_at=now, updated_by=actor, **fields
    )
    if not updated:
        current = Evaluation.objects.select_related("updated_by__person").get(pk=evaluation.pk)
        raise ConflictError(current, submitted, sent_version=version)
    for name, value in fields.items():
        setattr(evaluation, name, value)
    evaluation.version = version + 1
    evaluation.updated_at = now
    evaluation.updated_by = actor
    return evaluation


def field_changes(evaluation: Evaluation, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``{"before": {...}, "after": {...}}`` of the fields whose value changes."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in fields.items():
        old = getattr(evaluation, name)
        if old != value:
            before[name], after[name] = old, value
    return {"before": before, "after": after}


def write_step(
    evaluation: Evaluation,
    *,
    actor: User,
    action: str,
    version: int,
    fields: Mapping[str, Any],
    typed: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    only_if_changed: bool = False,
    before_audit: Callable[[], None] | None = None,
) -> Evaluation:
    """The guarded UPDATE, then the audit of what changed and the event after the commit.

    ``typed``: what the actor typed (shown back in a conflict; default ``fields``); ``extra``:
    more facts for the audit row (a reason); ``only_if_changed``: no audit row when nothing
    changed (autosave); ``before_audit``: called between the two (training needs).
    """
    changes = field_changes(evaluation, fields)
    if extra:
        changes.update(extra)
    submitted = fields if typed is None else typed
    guarded_update(evaluation, version=version, actor=actor, submitted=submitted, **fields)
    if before_audit is not None:
        before_audit()
    if only_if_changed and not changes["after"]:
        return evaluation
    audit(actor=actor, action=action, unit_id=evaluation.unit_id, obj=evaluation, changes=changes)
    signals.emit_after_commit(evaluation=evaluation, action=action, actor=actor, details=extra)
    return evaluation
