"""REST API of the final product, under ``/api/v1/learn/products/`` (issue 13 item 4): the
same selectors and services as the pages.

* ``<activity>/submissions/``: GET the caller's own submissions; POST hands in (multipart:
  ``text`` and/or ``file``; or JSON with ``text``), replacing the one waiting if any;
* ``<activity>/queue/``: GET the submissions waiting for the caller's grade (oldest first);
* ``submissions/<pk>/grade/``: POST the grade (``passed``, ``score``, ``comments``,
  ``remarks``, ``revision``).

Out of reach: 404; a refused step: 400 with the service's message.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin
from opentemis.learning.access import learner_activity
from opentemis.products import selectors, services
from opentemis.products.models import Submission

R400 = OpenApiResponse(description=gettext_lazy("Invalid request, or a step not allowed now."))
R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


class RemarkSerializer(serializers.Serializer[Any]):
    criterion = serializers.CharField()
    remark = serializers.CharField()


class SubmissionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    revision = serializers.IntegerField()
    status = serializers.CharField()
    text = serializers.CharField()
    file_name = serializers.CharField()
    file_size = serializers.IntegerField()
    file_url = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()
    score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    comments = serializers.CharField()
    remarks = RemarkSerializer(many=True)
    graded_at = serializers.DateTimeField(allow_null=True)

    def get_file_url(self, obj: Submission) -> str:
        return reverse("products_file", args=[obj.pk]) if obj.file.name else ""


class QueueItemSerializer(SubmissionSerializer):
    learner = serializers.CharField(source="enrolment.person.full_name")
    enrolment = serializers.IntegerField(source="enrolment_id")


class ProductSubmitSerializer(serializers.Serializer[dict[str, Any]]):
    text = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_MAX)
    file = serializers.FileField(required=False)


class GradeSerializer(serializers.Serializer[dict[str, Any]]):
    passed = serializers.BooleanField(help_text=gettext_lazy("true: Đạt; false: Chưa đạt."))
    score = serializers.CharField(
        required=False, allow_blank=True, max_length=6, help_text=gettext_lazy("On 10.")
    )
    comments = serializers.CharField(
        required=False, allow_blank=True, max_length=services.COMMENTS_MAX
    )
    remarks = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=services.REMARK_MAX),
        required=False,
        max_length=services.CRITERIA_MAX,
        help_text=gettext_lazy("One remark per rubric criterion, in order."),
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("The revision you graded; refused if the learner replaced it."),
    )


class ProductView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS


class SubmissionsView(ProductView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="learn_product_submissions",
        responses={200: SubmissionSerializer(many=True), 404: R404},
    )
    def get(self, request: Request, pk: int) -> Response:
        activity, enrolment = learner_activity(request_actor(request), pk)
        if activity.kind != "product":
            return Response(status=status.HTTP_404_NOT_FOUND)
        rows = selectors.my_submissions(activity, enrolment.pk)
        return Response(SubmissionSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="learn_product_submit",
        request={
            "multipart/form-data": ProductSubmitSerializer,
            "application/json": ProductSubmitSerializer,
        },
        responses={201: SubmissionSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        activity, enrolment = learner_activity(actor, pk)
        if activity.kind != "product":
            return Response(status=status.HTTP_404_NOT_FOUND)
        body = ProductSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        submission = services.submission_submit(
            actor=actor,
            activity=activity,
            enrolment=enrolment,
            text=body.validated_data.get("text", ""),
            uploaded_file=body.validated_data.get("file"),
        )
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class QueueView(ProductView):
    @extend_schema(
        operation_id="learn_product_queue",
        responses={200: QueueItemSerializer(many=True), 404: R404},
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        activity = selectors.graded_activity(actor, pk)
        found = selectors.queue(actor, activity)
        return Response(QueueItemSerializer(found.waiting, many=True).data)


class GradeView(ProductView):
    @extend_schema(
        operation_id="learn_product_grade",
        request=GradeSerializer,
        responses={200: SubmissionSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        submission = selectors.submission_to_grade(actor, pk)
        body = GradeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        graded = services.submission_grade(
            actor=actor,
            submission=submission,
            passed=data["passed"],
            score=data.get("score"),
            comments=data.get("comments", ""),
            remarks=data.get("remarks", []),
            revision=data.get("revision"),
        )
        return Response(SubmissionSerializer(graded).data)
