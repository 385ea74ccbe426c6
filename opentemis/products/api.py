"""REST API of the final product, under ``/api/v1/learn/products/`` (issue 13 item 4): the
same selectors and services as the pages.

* ``<activity>/submissions/``: GET the caller's own submissions; POST hands in (multipart:
  ``text`` and/or ``file``; or JSON with ``text``), replacing the one waiting if any;
* ``<activity>/queue/``: GET the submissions waiting for the caller's grade (oldest first);
* ``submissions/<pk>/grade/``: POST the grade (``passed``, ``score``, ``comments``,
  ``remarks``, ``revision``).

Grading that never stalls (issue 14 item 3; decision 0021):

* ``mine/``: GET the caller's own queue across their courses (assigned, claimed) and the
  number waiting in the pool they may claim from;
* ``pool/claim/``: POST takes the next submission of the pool with a lease (``submission``:
  null when nothing waits); ``submissions/<pk>/release/``: POST gives it back;
* ``second-marks/``: GET a lecturer's sample and appeals; ``submissions/<pk>/second-mark/``:
  POST their decision (``passed``, ``comments``);
* ``submissions/<pk>/appeal/``: POST the learner's appeal (``reason``);
* ``courses/<pk>/workload/``: GET the per-grader workload and turnaround of a course.

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
from opentemis.core.admission import completes_work
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin
from opentemis.learning.access import learner_activity
from opentemis.products import selectors, services
from opentemis.products.models import Appeal, SecondMark, Submission

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


@completes_work
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


# --- grading that never stalls -----------------------------------------------------------------


class WaitingSerializer(QueueItemSerializer):
    course = serializers.IntegerField(source="product.activity.course_id")
    activity = serializers.IntegerField(source="product.activity_id")
    waiting_since = serializers.DateTimeField()
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    claimed_by = serializers.IntegerField(source="claimed_by_id", allow_null=True)
    lease_expires = serializers.DateTimeField(allow_null=True)


class MyQueueSerializer(serializers.Serializer[Any]):
    assigned = WaitingSerializer(many=True)
    claimed = WaitingSerializer(many=True)
    pool = serializers.IntegerField()


class ClaimSerializer(serializers.Serializer[Any]):
    submission = WaitingSerializer(allow_null=True)


class AppealSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    submission = serializers.IntegerField(source="submission_id")
    reason = serializers.CharField()
    status = serializers.CharField()
    lodged_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class AppealBodySerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=2000)


class SecondMarkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    submission = serializers.IntegerField(source="submission_id")
    appeal = serializers.IntegerField(source="appeal_id", allow_null=True)
    passed = serializers.BooleanField()
    comments = serializers.CharField()
    first_status = serializers.CharField()
    agrees = serializers.BooleanField()
    marked_at = serializers.DateTimeField()


class SecondMarkBodySerializer(serializers.Serializer[dict[str, Any]]):
    passed = serializers.BooleanField(help_text=gettext_lazy("true: Đạt; false: Chưa đạt."))
    comments = serializers.CharField(
        required=False, allow_blank=True, max_length=services.COMMENTS_MAX
    )


class SecondMarkRowSerializer(serializers.Serializer[Any]):
    submission = WaitingSerializer()
    appeal = AppealSerializer(allow_null=True)
    mark = SecondMarkSerializer(allow_null=True)
    waiting = serializers.BooleanField()


class GraderLoadSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    assigned_pending = serializers.IntegerField()
    claimed = serializers.IntegerField()
    graded_week = serializers.IntegerField()
    graded_total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    disagreements = serializers.IntegerField()
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)


class WorkloadSerializer(serializers.Serializer[Any]):
    course = serializers.IntegerField(source="course.pk")
    week_start = serializers.DateTimeField()
    overflow_hours = serializers.FloatField()
    unassigned = serializers.IntegerField()
    rows = GraderLoadSerializer(many=True)


class MyQueueView(ProductView):
    @extend_schema(operation_id="learn_product_mine", responses={200: MyQueueSerializer})
    def get(self, request: Request) -> Response:
        found = selectors.my_queue(request_actor(request))
        return Response(
            MyQueueSerializer(
                {"assigned": found.assigned, "claimed": found.claimed, "pool": found.pool}
            ).data
        )


class ClaimView(ProductView):
    @extend_schema(
        operation_id="learn_product_claim", request=None, responses={200: ClaimSerializer}
    )
    def post(self, request: Request) -> Response:
        claimed = services.submission_claim_next(actor=request_actor(request))
        return Response(ClaimSerializer({"submission": claimed}).data)


class ReleaseView(ProductView):
    @extend_schema(
        operation_id="learn_product_release",
        request=None,
        responses={200: WaitingSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        submission = selectors.submission_to_grade(actor, pk)
        released = services.submission_release(actor=actor, submission=submission)
        return Response(WaitingSerializer(released).data)


class SecondMarksView(ProductView):
    @extend_schema(
        operation_id="learn_product_second_marks",
        responses={200: SecondMarkRowSerializer(many=True), 404: R404},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.second_mark_list(request_actor(request))
        return Response(SecondMarkRowSerializer(rows, many=True).data)


class SecondMarkView(ProductView):
    @extend_schema(
        operation_id="learn_product_second_mark",
        request=SecondMarkBodySerializer,
        responses={201: SecondMarkSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        submission = selectors.submission_to_second_mark(actor, pk)
        body = SecondMarkBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mark: SecondMark = services.second_mark_record(
            actor=actor,
            submission=submission,
            passed=body.validated_data["passed"],
            comments=body.validated_data.get("comments", ""),
        )
        return Response(SecondMarkSerializer(mark).data, status=status.HTTP_201_CREATED)


class AppealView(ProductView):
    @extend_schema(
        operation_id="learn_product_appeal",
        request=AppealBodySerializer,
        responses={201: AppealSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        submission = selectors.own_submission(actor, pk)
        body = AppealBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appeal: Appeal = services.appeal_lodge(
            actor=actor, submission=submission, reason=body.validated_data["reason"]
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class WorkloadView(ProductView):
    @extend_schema(
        operation_id="learn_product_workload", responses={200: WorkloadSerializer, 404: R404}
    )
    def get(self, request: Request, pk: int) -> Response:
        course, paths = selectors.workload_course(request_actor(request), pk)
        return Response(WorkloadSerializer(selectors.workload(course, paths)).data)
