"""REST API of the learning core (issue 13 item 9), under ``/api/v1/learn/``: the same reads
and services as the pages.

* a learner lists their courses with progress and deadlines, reads a course's outline with
  each activity's state and what is still missing, and an enrolment's completion;
* an officer reads a course's progress below a unit (who started, completed, is stuck where)
  and brings its enrolment up to date.

The activity apps add their own endpoints (attempts, submissions, video progress, SCORM
commits...). A course or enrolment out of the caller's reach is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin
from opentemis.core.params import parse_positive_int
from opentemis.learning import access, colleagues, completion, selectors, services
from opentemis.learning import serializers as s
from opentemis.learning.models import Enrolment
from opentemis.orgs.selectors import get_school_year

R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


def completion_data(verdict: completion.Judgement | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "complete": verdict.complete,
        "done": verdict.done_count,
        "required_count": verdict.required_count,
        "missing": [
            {
                "activity": c.activity_id,
                "title": c.title,
                "state": state,
                "needs_pass": c.pass_required,
            }
            for c, state in verdict.missing
        ],
    }


def _row(row: selectors.UnitRow) -> dict[str, Any]:
    return {
        "unit": row.unit.pk if row.unit else None,
        "name": row.unit.name if row.unit else "",
        "enrolled": row.enrolled,
        "not_started": row.not_started,
        "started": row.started,
        "completed": row.completed,
    }


class LearningView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS


class MyCoursesView(LearningView):
    @extend_schema(
        responses={200: s.CardSerializer(many=True)},
        description=gettext_lazy("Your courses, open ones first, with progress and deadlines."),
    )
    def get(self, request: Request) -> Response:
        cards = selectors.my_courses(actor=request_actor(request))
        return Response(s.CardSerializer(cards, many=True).data)


class CourseDetailView(LearningView):
    @extend_schema(
        responses={200: s.OutlineSerializer, 404: R404},
        description=gettext_lazy(
            "A course as its learner sees it: sections, each activity's state, what is still "
            "missing. An officer who manages it gets the outline without states."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        enrolment = access.own_enrolment(actor, pk)
        course = enrolment.course if enrolment else access.managed_course(actor, pk)
        view = selectors.outline(course=course, enrolment=enrolment)
        return Response(
            s.OutlineSerializer(
                {
                    "course": course,
                    "enrolment": enrolment.pk if enrolment else None,
                    "due": view.due,
                    "sections": view.sections,
                    "completion": completion_data(view.verdict),
                }
            ).data
        )


class CourseProgressView(LearningView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unit", OpenApiTypes.INT, description="A unit: its subtree's learners."
            )
        ],
        responses={200: s.CourseProgressSerializer, 404: R404},
        description=gettext_lazy(
            "Who of a unit's subtree is enrolled, studying, has completed, and where learners "
            "stop (learning.view or learning.manage)."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        course = access.read_course(actor, pk)
        raw = request.query_params.get("unit")
        unit_pk = parse_positive_int(raw)
        if raw and unit_pk is None:
            raise Http404
        unit = selectors.progress_unit(actor=actor, course=course, unit_pk=unit_pk)
        report = selectors.course_progress(actor=actor, course=course, unit=unit)
        return Response(
            s.CourseProgressSerializer(
                {
                    "course": course.pk,
                    "unit": unit.pk,
                    "total": _row(report.total),
                    "children": [_row(r) for r in report.children],
                    "funnel": [
                        {
                            "activity": f.activity.pk,
                            "title": f.activity.title,
                            "done": f.done,
                            "stuck": f.stuck,
                        }
                        for f in report.funnel
                    ],
                }
            ).data
        )


class CourseSyncView(LearningView):
    @extend_schema(
        request=None,
        responses={200: s.SyncSerializer, 404: R404},
        description=gettext_lazy(
            "Apply the course's audience rule now (learning.manage on the course's unit)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        course = access.managed_course(request_actor(request), pk)
        return Response(s.SyncSerializer(services.enrol_sync(course=course)).data)


class EnrolmentView(LearningView):
    @extend_schema(
        responses={200: s.CourseCompletionSerializer, 404: R404},
        description=gettext_lazy(
            "An enrolment's completion: what is done and what is still missing (the learner, "
            "or whoever reads the progress of their unit)."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        found = parse_positive_int(pk)
        enrolment = (
            Enrolment.objects.filter(pk=found).select_related("course").first() if found else None
        )
        if enrolment is None:
            raise Http404
        verdict = selectors.enrolment_detail(actor=actor, enrolment=enrolment)
        return Response(s.CourseCompletionSerializer(completion_data(verdict)).data)


class ColleaguesView(LearningView):
    @extend_schema(
        operation_id="learn_colleagues",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.STR, description="A school year (2025-2026).")
        ],
        responses={200: s.ColleagueSerializer(many=True)},
        description=gettext_lazy(
            "A core teacher's colleagues of the year: each one's courses, progress and what "
            "needs the core teacher now. Empty for anyone who supports nobody."
        ),
    )
    def get(self, request: Request) -> Response:
        year = get_school_year(request.query_params.get("year") or None)
        found = colleagues.my_colleagues(actor=request_actor(request), school_year=year)
        return Response(s.ColleagueSerializer(found, many=True).data)
