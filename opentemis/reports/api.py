"""REST API of the TEMIS report: the same ``ReportData`` the pages and exports render, as JSON.

``GET /api/v1/reports/units/<id>/?year=2025-2026``: the report of a unit the caller follows
evaluations of (``evaluations.view`` on it or above; 404 otherwise, as everywhere). The serializers
below document the shape for the OpenAPI schema; the answer is ``ReportData.to_json()``.
"""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.roles import Perm
from opentemis.accounts.types import request_actor
from opentemis.core.replicas import reads_from_replica
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import get_school_year, get_unit_for_user
from opentemis.reports.data import (
    BREAKDOWN_KEYS,
    RATINGS,
    Breakdown,
    ChildRow,
    CompletionRow,
    CriterionRow,
    NeedRow,
    RatingRow,
    ReportData,
    SatisfactionAspect,
    SatisfactionPart,
    SatisfactionRow,
    Section,
    StaffRow,
    StaffTable,
    Totals,
    YearFigures,
)
from opentemis.reports.selectors import report_for


class ReportBreakdownSerializer(serializers.Serializer[Breakdown]):
    total = serializers.IntegerField(allow_null=True)
    women = serializers.IntegerField(allow_null=True)
    dtts = serializers.IntegerField(
        allow_null=True, help_text=_("Null: suppressed (fewer people than min_cell).")
    )
    women_dtts = serializers.IntegerField(allow_null=True)
    disadvantaged = serializers.IntegerField(allow_null=True)


class ReportCompletionRowSerializer(serializers.Serializer[CompletionRow]):
    level = serializers.CharField(help_text=_("School level code; empty for all levels."))
    label = serializers.CharField()  # type: ignore[assignment]  # a field: DRF pops it off the class
    to_evaluate = ReportBreakdownSerializer()
    self_evaluated = ReportBreakdownSerializer()
    opinions = ReportBreakdownSerializer()
    finalised = ReportBreakdownSerializer()


class ReportRatingRowSerializer(serializers.Serializer[RatingRow]):
    level = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field: DRF pops it off the class
    finalised = ReportBreakdownSerializer()
    by_rating = serializers.DictField(
        child=ReportBreakdownSerializer(), help_text=", ".join(RATINGS)
    )


class ReportCriterionRowSerializer(serializers.Serializer[CriterionRow]):
    number = serializers.IntegerField()
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())


class ReportNeedRowSerializer(serializers.Serializer[NeedRow]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field: DRF pops it off the class
    count = serializers.IntegerField()


class ReportSectionSerializer(serializers.Serializer[Section]):
    population = serializers.CharField(help_text="GV | CBQL")
    title = serializers.CharField()
    completion = ReportCompletionRowSerializer(many=True)
    ratings = ReportRatingRowSerializer(many=True)
    criteria = ReportCriterionRowSerializer(many=True)
    needs_by_criterion = ReportNeedRowSerializer(many=True)
    needs_by_module = ReportNeedRowSerializer(many=True)


class ReportStaffRowSerializer(serializers.Serializer[StaffRow]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field: DRF pops it off the class
    counts = ReportBreakdownSerializer()


class ReportStaffTableSerializer(serializers.Serializer[StaffTable]):
    dimension = serializers.CharField()
    title = serializers.CharField()
    rows = ReportStaffRowSerializer(many=True)


class ReportChildRowSerializer(serializers.Serializer[ChildRow]):
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


class ReportYearFiguresSerializer(serializers.Serializer[YearFigures]):
    school_year = serializers.CharField()
    to_evaluate = serializers.IntegerField()
    finalised = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    by_rating = serializers.DictField(child=serializers.IntegerField())


class ReportTotalsSerializer(serializers.Serializer[Totals]):
    to_evaluate = serializers.IntegerField()
    self_evaluated = serializers.IntegerField()
    finalised = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ReportSatisfactionAspectSerializer(serializers.Serializer[SatisfactionAspect]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field: DRF pops it off the class


class ReportSatisfactionRowSerializer(serializers.Serializer[SatisfactionRow]):
    key = serializers.CharField()
    unit_id = serializers.IntegerField(
        allow_null=True, help_text=_("Null: the answers filed at the unit itself.")
    )
    name = serializers.CharField()
    answers = serializers.IntegerField(
        allow_null=True, help_text=_("Null: withheld (fewer answers than min_group).")
    )
    index = serializers.FloatField(allow_null=True)
    band = serializers.CharField()
    means = serializers.DictField(child=serializers.FloatField(allow_null=True))
    scored = serializers.DictField(child=serializers.IntegerField())
    bands = serializers.DictField(child=serializers.CharField())


class ReportSatisfactionSerializer(serializers.Serializer[SatisfactionPart]):
    min_group = serializers.IntegerField()
    scale = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field: DRF pops it off the class
    aspects = ReportSatisfactionAspectSerializer(many=True)
    total = ReportSatisfactionRowSerializer()
    children = ReportSatisfactionRowSerializer(many=True)
    courses = serializers.IntegerField()
    left_out = serializers.IntegerField()


class ReportSerializer(serializers.Serializer[ReportData]):
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    unit_kind = serializers.CharField()
    school_year = serializers.CharField()
    as_of = serializers.DateTimeField(allow_null=True, help_text=_("Data as of this time."))
    min_cell = serializers.IntegerField()
    teachers = ReportSectionSerializer()
    managers = ReportSectionSerializer()
    preschool_teachers = ReportSectionSerializer(help_text="Preschool teachers (TT 26/2018)")
    preschool_managers = ReportSectionSerializer(help_text="Preschool managers (TT 25/2018)")
    staff = ReportStaffTableSerializer(many=True)
    children = ReportChildRowSerializer(many=True)
    years = ReportYearFiguresSerializer(many=True)
    totals = ReportTotalsSerializer(
        help_text=_("Everyone to evaluate, all populations: the figure the years and weeks show.")
    )
    satisfaction = ReportSatisfactionSerializer(
        allow_null=True,
        help_text=_(
            "The satisfaction survey of the year's courses, per aspect, for the unit and its "
            "child units (anonymous, small groups withheld); null for a reader who does not "
            "follow learning in the unit, or without any survey."
        ),
    )


assert set(ReportBreakdownSerializer().fields) == set(BREAKDOWN_KEYS)


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
    @method_decorator(reads_from_replica)  # DRF authenticated the caller first, on the primary
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit: Unit = get_unit_for_user(actor=actor, pk=pk, perm=Perm.VIEW_EVALUATIONS)
        year = get_school_year(request.query_params.get("year"))
        return Response(report_for(actor=actor, unit=unit, school_year=year).to_json())
