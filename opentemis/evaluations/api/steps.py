"""The workflow's steps on one record (``/api/v1/evaluations/<pk>/<step>/``): the person's
self-evaluation (BM1) and the evidence it cites, then the review, the acknowledgement and an
officer's reopening. A step answers the record as the caller now sees it, from the object the
service updated (no second lookup: the service set every field it wrote, and raised on a
conflict; who may view a record does not depend on its status)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.models import User
from opentemis.accounts.types import request_actor
from opentemis.core.admission import completes_work
from opentemis.core.api import query_params
from opentemis.evaluations import access, services
from opentemis.evaluations import serializers as s
from opentemis.evaluations.api.common import (
    OneEvaluationViewSet,
    evaluation_for,
    writes,
)
from opentemis.evaluations.api.detail import detail_response, evidence_links
from opentemis.evaluations.models import Evaluation
from opentemis.evidence.models import Evidence


class SelfEvaluationViewSet(OneEvaluationViewSet):
    """The person's self-evaluation (BM1) and the evidence it cites."""

    @extend_schema(
        request=s.SelfWriteSerializer,
        responses=writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Save your self-evaluation as a draft (any part may be incomplete). Send the "
            "version you read: a stale one answers 409 with the other's changes."
        ),
    )
    def save_self(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, write=True)
        body = s.SelfWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_save_draft(actor=actor, evaluation=evaluation, **body.service_kwargs())
        return detail_response(actor, evaluation)

    @completes_work
    @extend_schema(
        request=s.SelfWriteSerializer,
        responses=writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Submit your self-evaluation, with any last changes: every criterion needs a "
            "level. It can no longer be changed unless the reviewer returns it."
        ),
    )
    def submit(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, write=True)
        body = s.SelfWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_submit(actor=actor, evaluation=evaluation, **body.service_kwargs())
        return detail_response(actor, evaluation)

    @extend_schema(
        request=s.EvidenceWriteSerializer,
        responses=writes(s.EvidenceLinkSerializer(many=True), 201),
        description=gettext_lazy(
            "Cite an item of your evidence library for a criterion of your self-evaluation. "
            "Answers the evaluation's evidence links."
        ),
    )
    def attach_evidence(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk)
        criterion, item = _evidence_args(actor, evaluation, request.data)
        services.evidence_attach(
            actor=actor, evaluation=evaluation, criterion=criterion, evidence=item
        )
        return Response(
            s.EvidenceLinkSerializer(evidence_links(evaluation), many=True).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[s.EvidenceWriteSerializer],
        request=None,
        responses=writes(None, 204),
        description=gettext_lazy(
            "Stop citing an evidence item for a criterion (query parameters criterion and "
            "evidence). The item stays in your library."
        ),
    )
    def detach_evidence(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk)
        data = query_params(request) or request.data
        criterion, item = _evidence_args(actor, evaluation, data)
        services.evidence_detach(
            actor=actor, evaluation=evaluation, criterion=criterion, evidence=item
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _evidence_args(actor: User, evaluation: Evaluation, data: Any) -> tuple[int, Evidence]:
    """The criterion and the person's own evidence item a request names."""
    if not access.is_own(actor, evaluation):
        # Only the person cites evidence; they can see the evaluation, so 403 reveals nothing.
        raise PermissionDenied
    body = s.EvidenceWriteSerializer(data=data)
    body.is_valid(raise_exception=True)
    item: Evidence | None = Evidence.objects.filter(
        pk=body.validated_data["evidence"], owner_id=evaluation.person_id
    ).first()
    if item is None:
        raise serializers.ValidationError(
            {"evidence": [_("No item with this id in your evidence library.")]}
        )
    criterion: int = body.validated_data["criterion"]
    return criterion, item


class ReviewViewSet(OneEvaluationViewSet):
    """The review (BM4 / TT 14) and its aftermath: acknowledged, or reopened."""

    @extend_schema(
        request=s.ReviewWriteSerializer,
        responses=writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Save the reviewer's levels and comments on a submitted self-evaluation (a draft "
            "of the review). Send the version you read."
        ),
    )
    def review(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, write=True)
        body = s.ReviewWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_review_save(actor=actor, evaluation=evaluation, **body.service_kwargs())
        return detail_response(actor, evaluation)

    @extend_schema(
        request=s.ReturnSerializer,
        responses=writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Return the self-evaluation to the person for revision, saying what to revise."
        ),
    )
    def return_(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, write=True)
        body = s.ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_return(
            actor=actor,
            evaluation=evaluation,
            version=body.validated_data["version"],
            reason=body.validated_data["reason"],
        )
        return detail_response(actor, evaluation)

    @completes_work
    @extend_schema(
        request=s.FinaliseWriteSerializer,
        responses=writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Finalise: the reviewer's level of every criterion (those sent, or saved before) "
            "and the overall rating computed from them. The record is then locked."
        ),
    )
    def finalise(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, write=True)
        body = s.FinaliseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_finalise(actor=actor, evaluation=evaluation, **body.service_kwargs())
        return detail_response(actor, evaluation)

    @extend_schema(
        request=None,
        responses=writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy("Acknowledge the finalised result of your own evaluation."),
    )
    def acknowledge(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, write=True)
        services.evaluation_acknowledge(actor=actor, evaluation=evaluation)
        return detail_response(actor, evaluation)

    @extend_schema(
        request=s.ReasonSerializer,
        responses=writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Reopen a finalised evaluation for the reviewer (officers managing the cycle), "
            "with the reason, which is recorded."
        ),
    )
    def reopen(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, write=True)
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_reopen(
            actor=actor, evaluation=evaluation, reason=body.validated_data["reason"]
        )
        return detail_response(actor, evaluation)
