"""REST API of the TEMIS report: the same ``ReportData`` the pages and exports render, as JSON.

``GET /api/v1/reports/units/<id>/?year=2025-2026``: the report of a unit the caller follows
evaluations of (``evaluations.view`` on it or above; 404 otherwise, as everywhere). The serializers
below document the shape for the OpenAPI schema; the answer is ``ReportData.to_json()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.orgs.models import SchoolYear, Unit
from opentemis.reports.data import BREAKDOWN_KEYS, RATINGS


class BreakdownSerializer(serializers.Serializer):
    total = serializers.IntegerField(allow_null=True)
    women = serializers.IntegerField(allow_null=True)
    dtts = serializers.IntegerField(
        allow_null=True, help_text=_("Null: suppressed (fewer people than min_cell).")
    )
    women_dtts = serializers.IntegerField(allow_null=True)
    disadvantaged = serializers.IntegerField(allow_null=True)


class CompletionRowSerializer(serializers.Serializer):
    level = serializers.CharField(help_text=_("School level code; empty for all levels."))
    label = serializers.CharField()
    to_evaluate = BreakdownSerializer()
    self_evaluated = BreakdownSerializer()
    opinions = BreakdownSerializer()
    finalised = BreakdownSerializer()


class RatingRowSerializer(serializers.Serializer):
    level = serializers.CharField()
    label = serializers.CharField()
    finalised = BreakdownSerializer()
    by_rating = serializers.DictField(child=BreakdownSerializer(), help_text=", ".join(RATINGS))


class CriterionRowSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())


class NeedRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SectionSerializer(serializers.Serializer):
    population = serializers.CharField(help_text="GV | CBQL")
    title = serializers.CharField()
    completion = CompletionRowSerializer(many=True)
    ratings = RatingRowSerializer(many=True)
    criteria = CriterionRowSerializer(many=True)
    needs_by_criterion = NeedRowSerializer(many=True)
    needs_by_module = NeedRowSerializer(many=True)


class StaffRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    counts = BreakdownSerializer()


class StaffTableSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    title = serializers.CharField()
    rows = StaffRowSerializer(many=True)


class ChildRowSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    to_evaluate = serializers.IntegerField()
    self_evaluated = serializers.IntegerField()
    finalised = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    group = serializers.CharField()


class YearFiguresSerializer(serializers.Serializer):
    school_year = serializers.CharField()
    to_evaluate = serializers.IntegerField()
    finalised = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    by_rating = serializers.DictField(child=serializers.IntegerField())


class ReportSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    unit_kind = serializers.CharField()
    school_year = serializers.CharField()
    as_of = serializers.DateTimeField(allow_null=True, help_text=_("Data as of this time."))
    min_cell = serializers.IntegerField()
    teachers = SectionSerializer()
    managers = SectionSerializer()
    staff = StaffTableSerializer(many=True)
    children = ChildRowSerializer(many=True)
    years = YearFiguresSerializer(many=True)


assert set(BreakdownSerializer().fields) == set(BREAKDOWN_KEYS)


class ReportView(APIView):
    @extend_schema(
        operation_id="reports_unit_retrieve",
        parameters=[
            OpenApiParameter("year", str, description=_("School year code (default: current)."))
        ],
        responses={200: ReportSerializer},
        description=_(
            "The TEMIS report of a unit: completion (A.1.1), ratings (A.1.2), criteria, "
            "training needs, managers, staff, the ranking of its child units and the previous "
            "year, with the small-cell protection of the pages. 404 outside your reach."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        from opentemis.accounts.roles import Perm
        from opentemis.orgs.selectors import get_unit_for_user
        from opentemis.reports.selectors import report_for

        unit: Unit = get_unit_for_user(actor=request.user, pk=pk, perm=Perm.VIEW_EVALUATIONS)
        code = request.query_params.get("year")
        years = SchoolYear.objects.all()
        year = years.filter(code=code).first() if code else years.filter(is_current=True).first()
        if year is None:
            raise NotFound(_("No such school year."))
        return Response(report_for(actor=request.user, unit=unit, school_year=year).to_json())
