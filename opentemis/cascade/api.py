"""REST API of the cascade (issue 14), under ``/api/v1/cascade/``: a unit's caseloads for a
year (who supports whom), for the Sở's officers. Out of reach: 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.cascade import selectors
from opentemis.cascade.models import Caseload
from opentemis.core.api import API_PERMISSIONS, CappedPageNumberPagination, ServiceErrorsMixin
from opentemis.orgs.selectors import get_school_year

R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


class CaseloadSerializer(serializers.Serializer[Caseload]):
    learner = serializers.IntegerField(source="learner_id")
    learner_code = serializers.CharField(source="learner.staff_code")
    learner_name = serializers.CharField(source="learner.full_name")
    unit = serializers.CharField(source="learner.unit.name")
    core = serializers.IntegerField(source="core_id")
    core_code = serializers.CharField(source="core.staff_code")
    core_name = serializers.CharField(source="core.full_name")
    method = serializers.CharField()
    assigned_at = serializers.DateTimeField()


class UnitCaseloadsView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(
        operation_id="cascade_unit_caseloads",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.STR, description="A school year (2025-2026)."),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses={200: CaseloadSerializer(many=True), 404: R404},
        description=gettext_lazy(
            "The unit's mass teachers with their core teacher for the year, by school."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = selectors.get_unit_for(actor, pk)
        year = get_school_year(request.query_params.get("year") or None)
        rows = selectors.caseloads_of_unit(actor=actor, unit=unit, school_year=year)
        paginator = CappedPageNumberPagination()
        page: Any = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(CaseloadSerializer(page, many=True).data)
