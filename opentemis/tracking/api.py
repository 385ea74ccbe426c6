"""REST API of the weekly progress, under ``/api/v1/tracking/units/{id}/``: a unit's figures
for a week (one course or all of the year) with its trend, and its child units ranked in
groups. The same selector as the page and the export (``selectors.unit_week``), so the small
cells withheld there are ``null`` here. Out of reach: 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS
from opentemis.core.params import parse_positive_int
from opentemis.orgs.selectors import get_school_year
from opentemis.reports.data import BREAKDOWN_KEYS
from opentemis.tracking import selectors
from opentemis.tracking.models import MEASURES
from opentemis.tracking.selectors import Figures, UnitWeek

R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))
PARAMS = [
    OpenApiParameter(
        "week",
        OpenApiTypes.DATE,
        description=gettext_lazy("Any day of the week (default: latest)."),
    ),
    OpenApiParameter(
        "course", OpenApiTypes.INT, description=gettext_lazy("A course (default: all of the year).")
    ),
    OpenApiParameter("year", OpenApiTypes.STR, description=gettext_lazy("School year code.")),
]


class BreakdownSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(allow_null=True)
    women = serializers.IntegerField(allow_null=True)
    dtts = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("Null: fewer than k people, withheld.")
    )
    women_dtts = serializers.IntegerField(allow_null=True)
    disadvantaged = serializers.IntegerField(allow_null=True)


class FiguresSerializer(serializers.Serializer[Any]):
    unit_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    group = serializers.CharField()
    completion_rate = serializers.FloatField(allow_null=True)
    start_rate = serializers.FloatField(allow_null=True)
    pass_rate = serializers.FloatField(allow_null=True)
    enrolled = BreakdownSerializer()
    started = BreakdownSerializer()
    completed = BreakdownSerializer()
    passed = BreakdownSerializer()


class TrendSerializer(serializers.Serializer[Any]):
    week = serializers.DateField()
    enrolled = serializers.IntegerField()
    started = serializers.IntegerField()
    completed = serializers.IntegerField()
    passed = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)


class UnitWeekSerializer(serializers.Serializer[Any]):
    week = serializers.DateField()
    school_year = serializers.CharField()
    course = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateTimeField(allow_null=True)
    min_cell = serializers.IntegerField()
    figures = FiguresSerializer()
    trend = TrendSerializer(many=True)


class RankingSerializer(serializers.Serializer[Any]):
    week = serializers.DateField()
    course = serializers.IntegerField(allow_null=True)
    min_cell = serializers.IntegerField()
    groups = serializers.DictField(child=serializers.FloatField())
    children = FiguresSerializer(many=True)
    praise = serializers.ListField(child=serializers.IntegerField())
    lagging = serializers.ListField(child=serializers.IntegerField())


def figures_data(row: Figures) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit_id": row.unit_id,
        "code": row.code,
        "name": row.name,
        "rank": row.rank,
        "group": row.group,
        "completion_rate": row.completion_rate,
        "start_rate": row.start_rate,
        "pass_rate": row.pass_rate,
    }
    for measure in MEASURES:
        b = getattr(row, measure)
        data[measure] = {k: getattr(b, k) for k in BREAKDOWN_KEYS}
    return data


def _view(request: Request, pk: int) -> UnitWeek:
    actor = request_actor(request)
    unit = selectors.reading_unit(actor=actor, pk=pk)
    raw = request.query_params.get("course") or ""
    course_id = parse_positive_int(raw) if raw else None
    if raw and course_id is None:
        raise Http404
    return selectors.unit_week(
        actor=actor,
        unit=unit,
        school_year=get_school_year(request.query_params.get("year") or None),
        week=selectors.chosen_week(request.query_params.get("week")),
        course_id=course_id,
    )


class TrackingView(APIView):
    permission_classes = API_PERMISSIONS


class UnitWeekView(TrackingView):
    @extend_schema(
        parameters=PARAMS,
        responses={200: UnitWeekSerializer, 404: R404},
        description=gettext_lazy(
            "A unit's weekly progress: enrolled, started, completed, passed with the women, "
            "DTTS, women DTTS and disadvantaged-area sub-columns, and the trend."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        view = _view(request, pk)
        return Response(
            UnitWeekSerializer(
                {
                    "week": view.week,
                    "school_year": view.school_year.code,
                    "course": view.course.pk if view.course else None,
                    "as_of": view.run.as_of if view.run else None,
                    "min_cell": view.min_cell,
                    "figures": figures_data(view.own),
                    "trend": [
                        {
                            "week": p.week,
                            "enrolled": p.enrolled,
                            "started": p.started,
                            "completed": p.completed,
                            "passed": p.passed,
                            "completion_rate": p.completion_rate,
                        }
                        for p in view.trend
                    ],
                }
            ).data
        )


class RankingView(TrackingView):
    @extend_schema(
        parameters=PARAMS,
        responses={200: RankingSerializer, 404: R404},
        description=gettext_lazy(
            "The unit's child units ranked by completion rate, with their groups (A, B, C), "
            "the units to praise and the units to remind."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        view = _view(request, pk)
        return Response(
            RankingSerializer(
                {
                    "week": view.week,
                    "course": view.course.pk if view.course else None,
                    "min_cell": view.min_cell,
                    "groups": {g.name: g.min_rate for g in view.groups.groups},
                    "children": [figures_data(c) for c in view.children],
                    "praise": [c.unit_id for c in view.praise],
                    "lagging": [c.unit_id for c in view.lagging],
                }
            ).data
        )
