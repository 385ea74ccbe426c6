"""REST API of the satisfaction survey, under ``/api/v1/learn/surveys/``: a learner submits
their answer, once and for good (anonymous: it cannot be found again, so not changed; the
client confirms it with ``confirm: true``); those who read the course's progress read the
anonymous results (groups of fewer than 5 answers are never shown). Out of reach: 404;
refused (a second answer too): 400. Decision 0024."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.admission import completes_work
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin
from opentemis.learning.access import learner_activity, read_course
from opentemis.learning.models import Activity, ActivityKind
from opentemis.surveys import selectors, services
from opentemis.surveys.models import Survey

R400 = OpenApiResponse(description=gettext_lazy("Invalid answers, or the course is closed."))
R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


class SurveySubmitSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text=gettext_lazy("Item code -> score on the scale (1-10)."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    confirm = serializers.BooleanField(
        help_text=gettext_lazy(
            "Must be true: the learner confirmed that the answers cannot be changed once sent."
        )
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                gettext_lazy("Confirm: once sent, the answers cannot be changed.")
            )
        return value


class ResponseSerializer(serializers.Serializer[Any]):
    item_set = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class AspectSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    aspect = serializers.CharField()
    mean = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    band = serializers.CharField()
    count = serializers.IntegerField(help_text=gettext_lazy("Answers scoring this aspect."))


class GroupSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    shown = serializers.BooleanField()
    count = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("Null for a group not shown.")
    )
    index = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    band = serializers.CharField()
    aspects = AspectSerializer(many=True)
    comments = serializers.ListField(child=serializers.CharField())


class ResultsSerializer(serializers.Serializer[Any]):
    item_set = serializers.CharField()
    min_group = serializers.IntegerField()
    total = GroupSerializer()
    groups = GroupSerializer(many=True)


def _group(group: selectors.Group) -> dict[str, Any]:
    return {
        "name": group.name,
        "shown": group.shown,
        "count": group.count if group.shown else None,
        "index": group.index,
        "band": group.band,
        "aspects": [
            {
                "code": a.item.code,
                "aspect": a.item.aspect,
                "mean": a.mean,
                "band": a.band,
                "count": a.count,
            }
            for a in group.aspects
        ],
        "comments": group.comments,
    }


class SurveyView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS


@completes_work
class SubmitView(SurveyView):
    @extend_schema(
        request=SurveySubmitSerializer,
        responses={200: ResponseSerializer, 400: R400, 404: R404},
        description=gettext_lazy(
            "Submit your survey answer: once per learner and final (anonymous, it cannot be "
            "found again). More than 5 % of the questions unanswered, or a second answer: "
            "refused."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        activity, enrolment = learner_activity(actor, pk)
        if activity.kind != ActivityKind.SURVEY:
            raise Http404
        body = SurveySubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        survey = services.survey_for(activity)
        survey.activity = activity
        receipt = services.answer_submit(
            actor=actor,
            survey=survey,
            enrolment=enrolment,
            answers=body.validated_data["answers"],
            comment=body.validated_data.get("comment", ""),
        )
        return Response(
            ResponseSerializer(
                {"item_set": survey.item_set, "submitted_at": receipt.submitted_at}
            ).data
        )


class ResultsView(SurveyView):
    @extend_schema(
        responses={200: ResultsSerializer, 404: R404},
        description=gettext_lazy(
            "Anonymous results: per aspect the mean and index band, in all and by unit; groups "
            "of fewer than 5 responses are not shown."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        activity = Activity.objects.filter(pk=pk, kind=ActivityKind.SURVEY).first()
        if activity is None:
            raise Http404
        activity.course = read_course(actor, activity.course_id)
        survey = Survey.objects.filter(activity=activity).first()
        if survey is None:
            raise Http404
        survey.activity = activity
        data = selectors.results(survey, actor)
        return Response(
            ResultsSerializer(
                {
                    "item_set": survey.item_set,
                    "min_group": data.min_group,
                    "total": _group(data.total),
                    "groups": [_group(g) for g in data.groups],
                }
            ).data
        )
