"""The record as the API shows it (``EvaluationDetailSerializer``), to one caller.

Every answer that carries a record (a GET, and every workflow step, which answers from the
object the service updated) goes through :func:`detail_response`. Its shape is the serializer's
alone: :func:`detail_values` gathers what its fields read (the model objects, and what depends
on the caller: the ratings, whether the review is shown, the actions allowed), and one instance
of the serializer, bound at import, turns them into JSON. A serializer made per answer would
copy its ~60 nested fields each time (a third of a workflow step's time, docs/benchmarks.md);
the bound one only reads (its fields keep no state between answers), so it serves every thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import status
from rest_framework.response import Response

from opentemis.accounts.models import User
from opentemis.evaluations import access, services
from opentemis.evaluations import serializers as s
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import Evaluation, EvidenceLink
from opentemis.standards.models import Framework

#: Bound once (see the module docstring); read only.
DETAIL = s.EvaluationDetailSerializer()


def rating(framework: Framework, levels: Mapping[str, str]) -> dict[str, Any] | None:
    """What ``RatingSerializer`` shows: the computed overall rating and its reasons, or None
    while a criterion has no level."""
    if not services.is_complete(framework, levels):
        return None
    result = services.rate_levels(framework, levels)
    return {
        "level": result.level.code,
        "label": result.level.label,
        "explanation": result.explanation(),
        "citation": services.rule_set_for(framework).citation,
    }


def actions(actor: User, evaluation: Evaluation) -> dict[str, bool]:
    """``can_<action>`` for every step: :func:`access.allowed_actions`, which the pages show
    and the services enforce (``ActionsSerializer`` declares one field per action)."""
    allowed = access.allowed_actions(actor, evaluation)
    return {f"can_{action.value}": action in allowed for action in Action}


def evidence_links(evaluation: Evaluation) -> list[EvidenceLink]:
    """The evidence the record cites, as ``EvidenceLinkSerializer`` reads it."""
    return list(
        EvidenceLink.objects.filter(evaluation=evaluation)
        .select_related("evidence")
        .only("criterion", "evidence_id", "evidence__title", "evidence__kind")
        .order_by("criterion", "id")
    )


def detail_values(actor: User, evaluation: Evaluation) -> dict[str, Any]:
    """What ``EvaluationDetailSerializer``'s fields read, as ``actor`` may see it."""
    framework = evaluation.framework
    # The reviewer's levels are a working draft until finalised (as on the pages).
    show_review = access.sees_review(actor, evaluation)
    return {
        "id": evaluation.pk,
        "cycle": evaluation.cycle_id,
        "person": evaluation.person,
        "unit": evaluation.unit,
        "framework": framework,
        "kind": evaluation.kind,
        "status": evaluation.status,
        "status_display": evaluation.get_status_display(),
        "version": evaluation.version,
        "criteria": services.criteria_of(framework),
        "self_evaluation": {
            "levels": evaluation.self_levels,
            "notes": evaluation.self_notes,
            **{name: getattr(evaluation, name) for name in services.TEXT_FIELDS},
            "priority_criteria": evaluation.priority_criteria,
            "self_rating": evaluation.self_rating,
            "rating": rating(framework, evaluation.self_levels),
            "submitted_at": evaluation.submitted_at,
        },
        "review": {
            "levels": evaluation.review_levels,
            "comments": evaluation.review_comments,
            "note": evaluation.review_note,
            "final_rating": evaluation.final_rating,
            "rating": rating(framework, evaluation.review_levels),
            "reviewer": evaluation.reviewer_id,
            "finalised_at": evaluation.finalised_at,
        }
        if show_review
        else None,
        "returned_reason": evaluation.returned_reason,
        "acknowledged_at": evaluation.acknowledged_at,
        "evidence": evidence_links(evaluation),
        "training_needs": list(evaluation.needs.all()) if evaluation.is_locked else [],
        "actions": actions(actor, evaluation),
    }


def detail_response(
    actor: User, evaluation: Evaluation, code: int = status.HTTP_200_OK
) -> Response:
    """The record as ``actor`` sees it, as the answer."""
    return Response(DETAIL.to_representation(detail_values(actor, evaluation)), status=code)
