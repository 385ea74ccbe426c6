"""The reviewer's part (TT 20 Điều 10 khoản 1 c; TT 14 Điều 10 khoản 3): levels and comments
saved as a draft, the self-evaluation returned for revision, or the record finalised with the
overall rating the rules give and its training needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.core.text import normalize_text
from opentemis.evaluations import access
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import (
    Evaluation,
    EvaluationKind,
    PeerOpinion,
    PollBallot,
    Status,
)
from opentemis.evaluations.services.frameworks import (
    clean_levels,
    clean_notes,
    is_complete,
    rate_levels,
    require_framework_applies,
    require_reason_below_suspended,
)
from opentemis.evaluations.services.training_needs import record_training_needs
from opentemis.evaluations.services.writes import write_step


def _review_fields(
    evaluation: Evaluation,
    *,
    levels: Mapping[Any, Any] | None,
    comments: Mapping[Any, Any] | None,
    note: str | None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if levels is not None:
        fields["review_levels"] = clean_levels(evaluation.framework, levels)
    if comments is not None:
        fields["review_comments"] = clean_notes(evaluation.framework, comments)
    if note is not None:
        fields["review_note"] = normalize_text(note)[:5000]
    return fields


@transaction.atomic
def evaluation_review_save(
    *,
    actor: User,
    evaluation: Evaluation,
    version: int,
    levels: Mapping[Any, Any] | None = None,
    comments: Mapping[Any, Any] | None = None,
    note: str | None = None,
) -> Evaluation:
    """Save the reviewer's levels and comments as a draft of the review."""
    access.require(actor, evaluation, Action.REVIEW)
    fields = _review_fields(evaluation, levels=levels, comments=comments, note=note)
    typed = dict(fields)
    fields["reviewer"] = actor
    return write_step(
        evaluation,
        actor=actor,
        action="evaluation.review",
        version=version,
        fields=fields,
        typed=typed,
    )


@transaction.atomic
def evaluation_return(
    *, actor: User, evaluation: Evaluation, version: int, reason: str
) -> Evaluation:
    """Send the self-evaluation back to the person for revision, saying why."""
    access.require(actor, evaluation, Action.REVIEW)
    reason = normalize_text(reason or "").strip()
    if not reason:
        raise ValidationError(_("Say what should be revised."))
    fields = {"status": Status.RETURNED, "returned_reason": reason[:2000]}
    return write_step(
        evaluation,
        actor=actor,
        action="evaluation.return",
        version=version,
        fields=fields,
        typed={},
    )


def finalise_warning(evaluation: Evaluation) -> str:
    """Why finalising now deserves a second thought, or "".

    Colleagues' opinions (for a manager, the staff's poll) come before the review; finalising
    while none has arrived and their deadline has not passed locks the record without them.
    Whether to ask is configuration: ``settings.EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS``.
    """
    if not getattr(settings, "EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS", True):
        return ""
    due = evaluation.cycle.opinions_due
    if timezone.localdate() > due:
        return ""
    if evaluation.kind == EvaluationKind.MANAGER:
        if PollBallot.objects.filter(evaluation=evaluation).exists():
            return ""
        text = _(
            "Nobody has answered the staff poll about this manager yet, and the poll stays "
            "open until %(date)s. Finalising now locks the record without their answers."
        )
    else:
        if PeerOpinion.objects.filter(evaluation=evaluation).exists():
            return ""
        text = _(
            "No colleague of the subject group has given an opinion yet, and they may do so "
            "until %(date)s. Finalising now locks the record without their opinions."
        )
    return text % {"date": due.strftime("%d/%m/%Y")}


@transaction.atomic
def evaluation_finalise(
    *,
    actor: User,
    evaluation: Evaluation,
    version: int,
    levels: Mapping[Any, Any] | None = None,
    comments: Mapping[Any, Any] | None = None,
    note: str | None = None,
    acknowledge_no_opinions: bool = False,
) -> Evaluation:
    """The reviewer decides the level of every criterion and the overall rating; record locked.

    Before the opinions deadline with no opinion yet (:func:`finalise_warning`), the reviewer
    must say they finalise knowingly: ``acknowledge_no_opinions=True``.
    """
    access.require(actor, evaluation, Action.REVIEW)
    fields = _review_fields(evaluation, levels=levels, comments=comments, note=note)
    typed = dict(fields)
    final_levels = fields.get("review_levels", evaluation.review_levels)
    if not is_complete(evaluation.framework, final_levels):
        raise ValidationError(_("Set a level for every criterion before finalising."))
    require_framework_applies(evaluation=evaluation)
    require_reason_below_suspended(
        evaluation.framework,
        final_levels,
        fields.get("review_comments", evaluation.review_comments),
    )
    warning = "" if acknowledge_no_opinions else finalise_warning(evaluation)
    if warning:
        raise ValidationError(
            {"acknowledge_no_opinions": [ValidationError(warning, code="no_opinions")]}
        )
    fields.update(
        reviewer=actor,
        final_rating=rate_levels(evaluation.framework, final_levels).level.code,
        status=Status.FINALISED,
        finalised_at=timezone.now(),
        returned_reason="",
    )
    # A record reaches finalisation only from "submitted": a first finalisation, or one after
    # an officer's reopening, which deleted the previous needs. Nothing to replace.
    return write_step(
        evaluation,
        actor=actor,
        action="evaluation.finalise",
        version=version,
        fields=fields,
        typed=typed,
        before_audit=lambda: record_training_needs(evaluation, replace=False),
    )
