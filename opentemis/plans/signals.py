"""Events of the plan workflow for the apps above this one (notifications), sent after the
step's commit (``transaction.on_commit``) and robustly, like ``evaluations.signals``.

``plan_changed(sender=Plan, plan, action, actor, details)``: ``action`` is the audit action
(``plans.submit``, ``plans.approve``, ``plans.return``, ``plans.change_request``,
``plans.change_accept``, ``plans.change_refuse``, ``plans.results_confirm``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django import dispatch
from django.db import transaction

from opentemis.accounts.models import User
from opentemis.plans.models import Plan

logger = logging.getLogger(__name__)

plan_changed = dispatch.Signal()


def send_plan_changed(
    plan: Plan, action: str, actor: User | None, details: Mapping[str, Any] | None = None
) -> None:
    """Send :data:`plan_changed` once the current transaction commits."""

    def send() -> None:
        for receiver, outcome in plan_changed.send_robust(
            sender=Plan, plan=plan, action=action, actor=actor, details=dict(details or {})
        ):
            if isinstance(outcome, Exception):
                logger.error("plan_changed receiver %r failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
