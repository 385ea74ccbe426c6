"""After the review: the person acknowledges the result (the school's notification, TT 20
Điều 10 khoản 1 c), or an officer reopens it for the reviewer, with a recorded reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.text import normalize_text
from opentemis.evaluations import access
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import Evaluation, Status
from opentemis.evaluations.services.training_needs import forget_training_needs
from opentemis.evaluations.services.writes import guarded_update, write_step


@transaction.atomic
def evaluation_acknowledge(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """The person has seen the result (the school's notification, TT 20 Điều 10 khoản 1 c)."""
    access.require(actor, evaluation, Action.ACKNOWLEDGE)
    fields = {"status": Status.ACKNOWLEDGED, "acknowledged_at": timezone.now()}
    guarded_update(evaluation, version=evaluation.version, actor=actor, submitted={}, **fields)
    audit(actor=actor, action="evaluation.acknowledge", unit_id=evaluation.unit_id, obj=evaluation)
    return evaluation


@transaction.atomic
def evaluation_reopen(*, actor: User, evaluation: Evaluation, reason: str) -> Evaluation:
    """An officer reopens a finalised record for the reviewer, with a recorded reason."""
    access.require(actor, evaluation, Action.REOPEN)
    reason = normalize_text(reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening."))
    fields = {
        "status": Status.SUBMITTED,
        "final_rating": "",
        "finalised_at": None,
        "acknowledged_at": None,
    }
    return write_step(
        evaluation,
        actor=actor,
        action="evaluation.reopen",
        version=evaluation.version,
        fields=fields,
        typed={},
        extra={"reason": reason},
        before_audit=lambda: forget_training_needs(evaluation),
    )
