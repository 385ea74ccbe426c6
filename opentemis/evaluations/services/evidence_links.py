"""The evidence a person cites for each criterion of their self-evaluation (items of their own
evidence library, decision 0007)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.params import parse_positive_int
from opentemis.evaluations import access
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import Evaluation, EvidenceLink
from opentemis.evaluations.services.frameworks import rule_set_for
from opentemis.evidence.models import Evidence


def criterion_number(evaluation: Evaluation, criterion: Any) -> int:
    """``criterion`` as a number of the evaluation's framework, or ``ValidationError``."""
    number = parse_positive_int(criterion)
    if number is None or number not in rule_set_for(evaluation.framework).criteria:
        raise ValidationError(
            _("Criterion %(n)s is not in this standard.") % {"n": criterion}, code="criterion"
        )
    return number


@transaction.atomic
def evidence_attach(
    *, actor: User, evaluation: Evaluation, criterion: int, evidence: Evidence
) -> None:
    """Cite one of the person's evidence items for a criterion of their self-evaluation."""
    access.require(actor, evaluation, Action.EDIT_SELF)
    if evidence.owner_id != evaluation.person_id:
        raise PermissionDenied
    criterion = criterion_number(evaluation, criterion)
    _link, created = EvidenceLink.objects.get_or_create(
        evaluation=evaluation, criterion=criterion, evidence=evidence
    )
    if created:
        audit(
            actor=actor,
            action="evaluation.evidence_attach",
            unit_id=evaluation.unit_id,
            obj=evaluation,
            changes={"after": {"criterion": criterion, "evidence": evidence.pk}},
        )


@transaction.atomic
def evidence_detach(
    *, actor: User, evaluation: Evaluation, criterion: int, evidence: Evidence
) -> None:
    """Stop citing an item for a criterion; the item stays in the person's library."""
    access.require(actor, evaluation, Action.EDIT_SELF)
    deleted, _n = EvidenceLink.objects.filter(
        evaluation=evaluation, criterion=criterion, evidence=evidence
    ).delete()
    if deleted:
        audit(
            actor=actor,
            action="evaluation.evidence_detach",
            unit_id=evaluation.unit_id,
            obj=evaluation,
            changes={"before": {"criterion": criterion, "evidence": evidence.pk}},
        )
