"""REST API of face-to-face classes (issue 13 item 6), under ``/api/v1/learn/classes/``: the
same access rules and services as the pages.

* a learner lists the class's sessions with their own attendance and enters a session's code;
* whoever takes attendance (officers, the session's lecturer, graders for their subtree) reads
  a session's roster with each mark and marks one learner (the same mark twice changes nothing).

A class or session out of reach is a 404; a refused step a 400 with the service's message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.classes import access, selectors, services
from opentemis.classes.models import AttendanceStatus, ClassSession, FaceClass
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin
from opentemis.core.scoping import system_scope
from opentemis.learning.access import learner_activity
from opentemis.learning.models import Enrolment

R400 = OpenApiResponse(description=gettext_lazy("Invalid request, or a step not allowed now."))
R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


class SessionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    starts = serializers.TimeField(allow_null=True)
    ends = serializers.TimeField(allow_null=True)
    place = serializers.CharField()
    lecturer_name = serializers.CharField()
    periods = serializers.DecimalField(max_digits=4, decimal_places=1)
    cancelled = serializers.BooleanField()
    code_open = serializers.BooleanField()
    mine = serializers.CharField(
        help_text=gettext_lazy("Your attendance: present, absent, excused or empty.")
    )


class ClassSerializer(serializers.Serializer[Any]):
    member = serializers.BooleanField()
    present = serializers.IntegerField()
    held = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=4)
    threshold = serializers.DecimalField(max_digits=3, decimal_places=2)
    met = serializers.BooleanField()
    sessions = SessionSerializer(many=True)


class RosterRowSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField()
    full_name = serializers.CharField()
    unit_path = serializers.CharField()
    status = serializers.CharField()
    method = serializers.CharField()


class MarkSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class CodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=20)


class AttendanceSerializer(serializers.Serializer[Any]):
    session = serializers.IntegerField()
    enrolment = serializers.IntegerField()
    status = serializers.CharField()
    method = serializers.CharField()


def _attendance(row: Any) -> dict[str, Any]:
    return {
        "session": row.session_id,
        "enrolment": row.enrolment_id,
        "status": row.status,
        "method": row.method,
    }


def _valid(serializer: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    body = serializer(data=data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class ClassView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS


class SessionsView(ClassView):
    @extend_schema(
        responses={200: ClassSerializer, 404: R404},
        description=gettext_lazy(
            "Your face-to-face class: its sessions, your attendance and share of sessions."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        activity, enrolment = learner_activity(request_actor(request), pk)
        face_class = FaceClass.objects.filter(activity=activity).first()
        if face_class is None:
            raise Http404
        face_class.activity = activity
        mine = selectors.mine(face_class, enrolment)
        return Response(
            ClassSerializer(
                {
                    "member": mine.member,
                    "present": mine.present,
                    "held": mine.held,
                    "share": mine.share.quantize(Decimal("0.0001")),
                    "threshold": mine.threshold,
                    "met": mine.met,
                    "sessions": [
                        {
                            "id": s.pk,
                            "date": s.date,
                            "starts": s.starts,
                            "ends": s.ends,
                            "place": s.place,
                            "lecturer_name": s.lecturer_name,
                            "periods": s.periods,
                            "cancelled": s.cancelled,
                            "code_open": open_now,
                            "mine": mark,
                        }
                        for s, mark, open_now in mine.sessions
                    ],
                }
            ).data
        )


class CodeView(ClassView):
    @extend_schema(
        request=CodeSerializer,
        responses={200: AttendanceSerializer, 400: R400, 404: R404},
        description=gettext_lazy(
            "Enter the 6-digit code the lecturer shows: present at the session whose window is "
            "open. Five wrong codes lock the session for you."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        activity, enrolment = learner_activity(request_actor(request), pk)
        face_class = FaceClass.objects.filter(activity=activity).first()
        if face_class is None:
            raise Http404
        face_class.activity = activity
        data = _valid(CodeSerializer, request.data)
        row = services.code_enter(face_class=face_class, enrolment=enrolment, code=data["code"])
        return Response(AttendanceSerializer(_attendance(row)).data)


class RosterView(ClassView):
    @extend_schema(
        responses={200: RosterRowSerializer(many=True), 404: R404},
        description=gettext_lazy(
            "A session's roster with each learner's mark (those whose attendance you take)."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        session, paths = access.taker_session(request_actor(request), pk)
        rows = [
            {
                "enrolment": r.member.enrolment_id,
                "full_name": r.member.enrolment.person.full_name,
                "unit_path": r.member.unit_path,
                "status": r.status,
                "method": r.method,
            }
            for r in selectors.roll_call(session, paths)
        ]
        return Response(RosterRowSerializer(rows, many=True).data)


class MarkView(ClassView):
    @extend_schema(
        request=MarkSerializer,
        responses={200: AttendanceSerializer, 400: R400, 404: R404},
        description=gettext_lazy(
            "Mark one learner present, absent or excused at a session (idempotent)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        session, paths = access.taker_session(actor, pk)
        data = _valid(MarkSerializer, request.data)
        enrolment = _roster_enrolment(session, data["enrolment"], paths)
        row = services.attendance_mark(
            actor=actor, session=session, enrolment=enrolment, status=data["status"], paths=paths
        )
        return Response(AttendanceSerializer(_attendance(row)).data)


def _roster_enrolment(session: ClassSession, pk: int, paths: access.Paths) -> Enrolment:
    with system_scope():  # the taker may take learners outside their scope (classes.access)
        enrolment = Enrolment.objects.filter(
            pk=pk, course_id=session.face_class.activity.course_id
        ).first()
    if enrolment is None or not access.within(enrolment.unit_path, paths):
        raise ValidationError({"enrolment": [_("Choose a learner of the roster.")]})
    return enrolment
