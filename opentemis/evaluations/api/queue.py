"""REST API: the caller's review queue (``GET /api/v1/evaluations/queue/``), the same selector
as the page: the evaluations the caller reviews, by status (default: submitted, i.e. waiting
for the caller), unit (its subtree; 404 outside the caller's reach) and kind."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from opentemis.accounts.roles import Perm
from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, query_params, schema_queryset
from opentemis.evaluations.models import Evaluation, EvaluationKind, Status
from opentemis.evaluations.serializers import EvaluationListSerializer
from opentemis.evaluations.waiting import QUEUE_STATUSES, review_queue
from opentemis.orgs.selectors import get_unit_for_user


class ReviewQueueQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in QUEUE_STATUSES],
        required=False,
        allow_blank=True,
        default=Status.SUBMITTED,
        help_text=_("Default: submitted (waiting for your review); empty: any status."),
    )
    unit = serializers.IntegerField(
        required=False, help_text=_("Only evaluations in this unit and its sub-units.")
    )
    kind = serializers.ChoiceField(choices=EvaluationKind.choices, required=False, allow_blank=True)


@extend_schema(
    parameters=[ReviewQueueQuerySerializer],
    description=_(
        "Evaluations of open cycles that you review: a principal's teachers (and deputies, by "
        "configuration), the principals a Sở officer evaluates across the officer's subtree."
    ),
)
class ReviewQueueView(generics.ListAPIView[Evaluation]):
    serializer_class = EvaluationListSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()  # filters are parsed by ReviewQueueQuerySerializer

    def get_queryset(self) -> QuerySet[Evaluation]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Evaluation)
        params = ReviewQueueQuerySerializer(data=query_params(self.request))
        params.is_valid(raise_exception=True)
        data = params.validated_data
        actor = request_actor(self.request)
        unit = None
        if data.get("unit") is not None:
            unit = get_unit_for_user(actor=actor, pk=data["unit"], perm=Perm.VIEW_EVALUATIONS)
        return review_queue(
            actor=actor, status=data.get("status", ""), unit=unit, kind=data.get("kind", "")
        )
