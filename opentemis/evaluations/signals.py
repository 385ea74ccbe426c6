"""Events of the evaluation workflow, for the apps above this one (notifications) to react to;
and what this app does on the events and hooks of the apps below it (connected by ``apps.py``).

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

from django import dispatch
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from opentemis.accounts.models import User
from opentemis.evaluations import access
from opentemis.evaluations.models import Evaluation
from opentemis.evidence.access import register_viewer_check
from opentemis.standards.models import Criterion, Framework

logger = logging.getLogger(__name__)

evaluation_changed = dispatch.Signal()

# The steps worth telling someone about (autosaves and the reviewer's drafts are not).
NOTIFIED_ACTIONS = frozenset(
    {"evaluation.submit", "evaluation.return", "evaluation.finalise", "evaluation.reopen"}
)


def emit_after_commit(
    *,
    evaluation: Evaluation,
    action: str,
    actor: User,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Send :data:`evaluation_changed` once the current transaction commits (a notified step
    only)."""
    if action not in NOTIFIED_ACTIONS:
        return

    def send() -> None:
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


# --- what this app does when the apps below it tell it something ----------------------------

# An evaluator opens the evidence library of the people they evaluate (decision 0007).
register_viewer_check(access.can_review_person)


@dispatch.receiver([post_save, post_delete], sender=Framework, dispatch_uid="fwcache-Framework")
@dispatch.receiver([post_save, post_delete], sender=Criterion, dispatch_uid="fwcache-Criterion")
def framework_changed(**kwargs: Any) -> None:
    """A framework version or criterion was saved or deleted (an administrator locked it, a test
    database reused a key): drop the per-process caches of frameworks and their rules."""
    # Local: services imports this module (emit_after_commit) at load time.
    from opentemis.evaluations.services import clear_framework_caches

    clear_framework_caches()
