"""REST API of BDTX plans (issue 12 item 8), under ``/api/v1/bdtx/``: the same reads
(``api_reads``) and services as the pages.

A person opens, edits and submits their own plan, and asks to change it once approved; the
head of their school (``plans.manage``) approves many at once, returns one with a reason,
decides change requests and sets the deadline of the school's plans. A plan out of the caller's
reach is a 404; a step the caller may not take on a plan they see is a 403; a refused step is a
400 with the service's message in the request's language; a stale ``version`` a 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.models import User
from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import request_actor
from opentemis.core.admission import completes_work
from opentemis.core.api import API_PERMISSIONS, CONFLICT_RESPONSE, ServiceErrorsMixin, query_params
from opentemis.core.params import id_param
from opentemis.orgs.selectors import get_school_year
from opentemis.plans import api_reads, services
from opentemis.plans import serializers as s
from opentemis.plans.models import Plan, PlanStatus
from opentemis.training.models import Module, ProgrammeContent

R400 = OpenApiResponse(description=gettext_lazy("Invalid request, or a step not allowed now."))
R403 = OpenApiResponse(description=gettext_lazy("You see this plan but may not take this step."))
R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


def writes(ok: Any, code: int = 200, conflict: bool = False) -> dict[int, Any]:
    responses: dict[int, Any] = {code: ok, 400: R400, 403: R403, 404: R404}
    if conflict:
        responses[409] = CONFLICT_RESPONSE
    return responses


def _detail(plan: Plan, code: int = status.HTTP_200_OK) -> Response:
    fresh = Plan.objects.select_related("person", "unit", "school_year", "catalogue").get(
        pk=plan.pk
    )
    return Response(s.PlanDetailSerializer(api_reads.plan_detail(fresh)).data, status=code)


def _valid(serializer: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    body = serializer(data=data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _require_manager(actor: User) -> None:
    """Approving and setting deadlines: for those who manage plans somewhere (403 before
    anything is read, as a page of such people would answer)."""
    paths = perm_paths(actor, Perm.MANAGE_PLANS)
    if paths is not None and not paths:
        raise PermissionDenied(_("You may not approve BDTX plans of this unit."))


class PlanView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS


class PlanListView(PlanView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.STR, description="School year code; default: the current."
            ),
            OpenApiParameter("unit", OpenApiTypes.INT, description="A unit: its subtree's plans."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=PlanStatus.values),
        ],
        responses={200: s.PlanSerializer(many=True), 404: R404},
        description=gettext_lazy(
            "The plans of a year you reach: your own, and those of the units where you follow "
            "or approve BDTX plans."
        ),
    )
    def get(self, request: Request) -> Response:
        actor = request_actor(request)
        params = query_params(request)
        year = get_school_year(params.get("year") or None)
        unit_pk = id_param(params, "unit")
        unit = api_reads.get_unit(unit_pk) if unit_pk is not None else None
        state = params.get("status", "")
        if state and state not in PlanStatus.values:
            raise serializers.ValidationError({"status": [_("Unknown state.")]})
        rows = api_reads.plan_list(actor=actor, school_year=year, unit=unit, status=state)
        return Response(s.PlanSerializer(rows, many=True).data)


class PlanOpenView(PlanView):
    @extend_schema(
        request=s.OpenSerializer,
        responses=writes(s.PlanDetailSerializer),
        description=gettext_lazy(
            "Your plan of the year; the first time, a draft made from your last finalised "
            "evaluation (programme 01/02 contents and suggested programme-03 modules)."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        body = _valid(s.OpenSerializer, request.data)
        year = get_school_year(body.get("year") or None)
        if actor.person is None:
            raise ValidationError(_("Your account is not linked to a staff record."))
        plan = services.plan_open(actor=actor, person=actor.person, school_year=year)
        return _detail(plan)


class PlanDetailView(PlanView):
    @extend_schema(
        responses={200: s.PlanDetailSerializer, 404: R404},
        description=gettext_lazy(
            "A plan with its items (and why each module was suggested), its periods per "
            "programme against the requirement, and what still stops its submission."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = api_reads.get_plan(actor=request_actor(request), pk=pk)
        return Response(s.PlanDetailSerializer(api_reads.plan_detail(plan)).data)

    @extend_schema(
        request=s.PlanWriteSerializer,
        responses=writes(s.PlanDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Change your plan's objectives and expected outputs. Send the version you read."
        ),
    )
    def patch(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        plan = api_reads.get_plan(actor=actor, pk=pk)
        body = _valid(s.PlanWriteSerializer, request.data)
        services.plan_update(
            actor=actor,
            plan=plan,
            version=body["version"],
            objectives=body.get("objectives", plan.objectives),
            outputs=body.get("outputs", plan.outputs),
        )
        return _detail(plan)


class ItemListView(PlanView):
    @extend_schema(
        request=s.ItemAddSerializer,
        responses=writes(s.ItemSerializer, 201),
        description=gettext_lazy(
            "Add a programme-03 module of your plan's catalogue, or a programme-01/02 content "
            "that applies to you, with its periods, form and dates."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        plan = api_reads.get_plan(actor=actor, pk=pk)
        body = s.ItemAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        module = content = None
        if "module" in body.validated_data:
            module = Module.objects.filter(pk=body.validated_data["module"]).first()
            if module is None:
                raise serializers.ValidationError({"module": [_("No module with this id.")]})
        else:
            content = ProgrammeContent.objects.filter(pk=body.validated_data["content"]).first()
            if content is None:
                raise serializers.ValidationError({"content": [_("No content with this id.")]})
        item = services.item_add(
            actor=actor, plan=plan, module=module, content=content, fields=body.fields_sent()
        )
        return Response(s.ItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ItemDetailView(PlanView):
    @extend_schema(
        request=s.ItemFieldsSerializer,
        responses=writes(s.ItemSerializer),
        description=gettext_lazy("Change an item's periods, form, dates, objectives or outputs."),
    )
    def patch(self, request: Request, pk: int, item_id: int) -> Response:
        actor = request_actor(request)
        item = api_reads.get_item(plan=api_reads.get_plan(actor=actor, pk=pk), pk=item_id)
        body = s.ItemFieldsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.item_update(actor=actor, item=item, fields=body.fields_sent())
        return Response(s.ItemSerializer(item).data)

    @extend_schema(
        request=None,
        responses=writes(None, 204),
        description=gettext_lazy("Remove an item from your plan."),
    )
    def delete(self, request: Request, pk: int, item_id: int) -> Response:
        actor = request_actor(request)
        item = api_reads.get_item(plan=api_reads.get_plan(actor=actor, pk=pk), pk=item_id)
        services.item_remove(actor=actor, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


@completes_work
class SubmitView(PlanView):
    @extend_schema(
        request=s.SubmitSerializer,
        responses=writes(s.PlanDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Submit your plan for approval: refused, with every reason, while incomplete; "
            "marked late after the deadline."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        plan = api_reads.get_plan(actor=actor, pk=pk)
        body = _valid(s.SubmitSerializer, request.data)
        services.plan_submit(actor=actor, plan=plan, version=body.get("version"))
        return _detail(plan)


class ApproveView(PlanView):
    @extend_schema(
        request=s.ApproveSerializer,
        responses=writes(s.PlanSerializer(many=True)),
        description=gettext_lazy(
            "Approve submitted plans at once: all or none (one that cannot be approved says "
            "why and nothing is written)."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        _require_manager(actor)
        body = _valid(s.ApproveSerializer, request.data)
        plans = api_reads.get_plans(actor=actor, pks=body["plans"])
        services.plans_approve(actor=actor, plans=plans)
        rows = Plan.objects.filter(pk__in=[p.pk for p in plans]).select_related(
            "person", "unit", "school_year"
        )
        return Response(s.PlanSerializer(rows.order_by("pk"), many=True).data)


class ReturnView(PlanView):
    @extend_schema(
        request=s.PlanReasonSerializer,
        responses=writes(s.PlanDetailSerializer),
        description=gettext_lazy("Return a submitted plan to its person, saying why."),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        plan = api_reads.get_plan(actor=actor, pk=pk)
        body = _valid(s.PlanReasonSerializer, request.data)
        services.plan_return(actor=actor, plan=plan, reason=body["reason"])
        return _detail(plan)


class ChangeRequestView(PlanView):
    @extend_schema(
        request=s.PlanReasonSerializer,
        responses=writes(s.ChangeRequestSerializer, 201),
        description=gettext_lazy("Ask to change your approved plan (one request waits at a time)."),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        plan = api_reads.get_plan(actor=actor, pk=pk)
        body = _valid(s.PlanReasonSerializer, request.data)
        change = services.change_request(actor=actor, plan=plan, reason=body["reason"])
        return Response(s.ChangeRequestSerializer(change).data, status=status.HTTP_201_CREATED)


class DecideView(PlanView):
    @extend_schema(
        request=s.DecideSerializer,
        responses=writes(s.ChangeRequestSerializer),
        description=gettext_lazy(
            "Accept a change request (the plan reopens as a draft) or refuse it with a note."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        change = api_reads.get_change_request(actor=actor, pk=pk)
        body = _valid(s.DecideSerializer, request.data)
        change = services.change_decide(
            actor=actor, request=change, accept=body["accept"], note=body.get("note", "")
        )
        return Response(s.ChangeRequestSerializer(change).data)


class DeadlineView(PlanView):
    @extend_schema(
        request=s.DeadlineSerializer,
        responses=writes(s.DeadlineOutSerializer),
        description=gettext_lazy(
            "Set the personal-plan deadline of a unit's subtree for a year (the deepest "
            "unit's applies)."
        ),
    )
    def put(self, request: Request) -> Response:
        actor = request_actor(request)
        _require_manager(actor)
        body = _valid(s.DeadlineSerializer, request.data)
        unit = api_reads.get_unit(body["unit"])
        year = get_school_year(body.get("year") or None)
        deadline = services.deadline_set(actor=actor, unit=unit, school_year=year, due=body["due"])
        return Response(s.DeadlineOutSerializer(deadline).data)
