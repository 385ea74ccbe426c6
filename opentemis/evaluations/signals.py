"""Events of the evaluation workflow, for the apps above this one (notifications) to react to.

The evaluations app must not import the apps that react to it (the layers in
``docs/architecture.md``): it sends a signal, and they subscribe in their ``AppConfig.ready``.
A signal is sent only **after the commit** of the step (``transaction.on_commit``), so a
receiver never tells someone about a change that was rolled back, and a receiver's failure
never undoes the step (``send_robust``: failures are logged, not raised).

``evaluation_changed(sender=Evaluation, evaluation, action, actor)``: a workflow step was
recorded; ``action`` is the audit action (``evaluation.submit``, ``evaluation.return``,
``evaluation.finalise``, ``evaluation.reopen``...), ``evaluation`` the record as the step left
it (its ``version`` names the step: the same step is never reported with two versions),
``details`` the step's extra facts as audited (the reason of a reopening).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

evaluation_changed = Signal()

# The steps worth telling someone about (autosaves and the reviewer's drafts are not).
NOTIFIED_ACTIONS = frozenset(
    {"evaluation.submit", "evaluation.return", "evaluation.finalise", "evaluation.reopen"}
)


def emit_after_commit(
    *, evaluation: Any, action: str, actor: Any, details: Mapping[str, Any] | None = None
) -> None:
    """Send :data:`evaluation_changed` once the current transaction commits (a notified step
    only)."""
    if action not in NOTIFIED_ACTIONS:
        return

    def send() -> None:
        from opentemis.evaluations.models import Evaluation

        for receiver, result in evaluation_changed.send_robust(
            sender=Evaluation,
            evaluation=evaluation,
            action=action,
            actor=actor,
            details=dict(details or {}),
        ):
            if isinstance(result, Exception):
                logger.error(
                    "receiver %r failed on %s of evaluation %s",
                    receiver,
                    action,
                    evaluation.pk,
                    exc_info=result,
                )

    transaction.on_commit(send)
