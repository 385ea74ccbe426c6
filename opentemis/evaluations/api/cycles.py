"""``/api/v1/cycles/``: evaluation cycles covering or under the caller's units, opening one, and
its live completion."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.roles import Perm
from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, query_params, resolve_or_invalid, schema_queryset
from opentemis.evaluations import selectors, services
from opentemis.evaluations import serializers as s
from opentemis.evaluations.api.common import R404, EvaluationErrorsMixin, writes
from opentemis.evaluations.models import Cycle
from opentemis.orgs.selectors import get_unit_for_user


class CycleViewSet(EvaluationErrorsMixin, viewsets.GenericViewSet[Cycle]):
    """Evaluation cycles covering or under the caller's units."""

    serializer_class = s.CycleSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Cycle]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Cycle)
        return selectors.cycles_visible(actor=request_actor(self.request))

    @extend_schema(
        description=gettext_lazy(
            "Cycles you can see: those covering your units and those opened under them."
        )
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # a default pagination class is configured
        return self.get_paginated_response(s.CycleSerializer(page, many=True).data)

    @extend_schema(
        request=s.CycleCreateSerializer,
        responses=writes(s.CycleSerializer, 201),
        description=gettext_lazy(
            "Open a cycle for a school year over a unit's subtree where you manage cycles. "
            "Deadlines follow the steps: self-evaluation, opinions, review."
        ),
    )
    def create(self, request: Request) -> Response:
        actor = request_actor(request)
        body = s.CycleCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        unit = resolve_or_invalid(
            lambda: get_unit_for_user(actor=actor, pk=data["unit"], perm=Perm.MANAGE_CYCLES),
            _("No unit with this id among the units where you may open cycles."),
        )
        cycle = services.cycle_open(
            actor=actor,
            unit=unit,
            school_year=data["school_year"],
            name=data["name"],
            self_due=data["self_due"],
            opinions_due=data["opinions_due"],
            review_due=data["review_due"],
        )
        cycle = selectors.get_cycle_for_user(actor=actor, pk=cycle.pk)
        return Response(s.CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: s.CycleSerializer, 404: R404},
        description=gettext_lazy("One cycle; 404 if it is missing or not visible to you."),
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        cycle = selectors.get_cycle_for_user(actor=request_actor(request), pk=pk)
        return Response(s.CycleSerializer(cycle).data)

    @extend_schema(
        parameters=[s.CompletionQuerySerializer],
        responses={200: s.CompletionSerializer, 404: R404},
        description=gettext_lazy(
            "Live completion of the cycle for a unit and each of its child units. A unit where "
            "you do not follow evaluations answers 404."
        ),
    )
    def completion(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        params = s.CompletionQuerySerializer(data=query_params(request))
        params.is_valid(raise_exception=True)
        cycle = selectors.get_cycle_for_user(actor=actor, pk=pk)
        unit = selectors.completion_unit(
            actor=actor, cycle=cycle, unit_id=params.validated_data.get("unit")
        )
        total, rows = selectors.completion(actor=actor, cycle=cycle, unit=unit)
        body = {"cycle": cycle.pk, "total": total, "rows": rows}
        return Response(s.CompletionSerializer(body).data)
