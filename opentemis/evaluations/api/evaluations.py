"""``/api/v1/evaluations/``: the evaluations the caller may see, their own in a cycle (``me``:
read it, or start it), and one record."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.models import User
from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, query_params, schema_queryset
from opentemis.evaluations import selectors, services
from opentemis.evaluations import serializers as s
from opentemis.evaluations.api.common import (
    R404,
    EvaluationErrorsMixin,
    evaluation_for,
    scoped_unit,
    viewable,
    writes,
)
from opentemis.evaluations.api.detail import detail_response
from opentemis.evaluations.models import Cycle, Evaluation
from opentemis.staff.models import Person


class EvaluationViewSet(EvaluationErrorsMixin, viewsets.GenericViewSet[Evaluation]):
    """Evaluations the caller may see."""

    serializer_class = s.EvaluationListSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()  # filters are parsed by EvaluationQuerySerializer

    def get_queryset(self) -> QuerySet[Evaluation]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Evaluation)
        params = s.EvaluationQuerySerializer(data=query_params(self.request))
        params.is_valid(raise_exception=True)
        data = params.validated_data
        actor = request_actor(self.request)
        if data.get("unit") is not None:
            qs = Evaluation.objects.within((scoped_unit(data["unit"]).path,))
        else:
            qs = Evaluation.objects.all()
        if data.get("for") == "opinion":
            qs = selectors.opinion_candidates(actor=actor, queryset=qs)
        elif data.get("for") == "poll":
            qs = selectors.poll_candidates(actor=actor, queryset=qs)
        else:
            qs = qs.filter(viewable(actor))
        if data.get("cycle") is not None:
            qs = qs.filter(cycle=selectors.get_cycle_for_user(actor=actor, pk=data["cycle"]))
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        return qs.select_related("person", "unit").order_by(
            "unit_path", "person__search_text", "id"
        )

    @extend_schema(
        parameters=[s.EvaluationQuerySerializer],
        description=gettext_lazy(
            "Evaluations you may view: your own, those of the subtrees where you follow "
            "evaluations, and those you review. A cycle or unit filter outside your reach "
            "answers 404."
        ),
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # a default pagination class is configured
        return self.get_paginated_response(s.EvaluationListSerializer(page, many=True).data)

    def _my_cycle(self, actor: User, request: Request) -> tuple[Person, Cycle]:
        params = s.MeQuerySerializer(data=query_params(request))
        params.is_valid(raise_exception=True)
        person = actor.person
        if person is None:
            raise NotFound(_("Your account is not linked to a staff record."))
        if params.validated_data.get("cycle") is not None:
            cycle = selectors.get_cycle_for_user(actor=actor, pk=params.validated_data["cycle"])
        else:
            found = selectors.own_cycle(actor=actor)
            if found is None:
                raise NotFound(_("No evaluation cycle covers your unit at the moment."))
            cycle = found
        return person, cycle

    @extend_schema(
        operation_id="evaluations_me_retrieve",
        parameters=[s.MeQuerySerializer],
        responses={200: s.EvaluationDetailSerializer, 404: R404},
        description=gettext_lazy(
            "Your own evaluation in the cycle (default: the open cycle covering your unit); "
            "404 before you start it."
        ),
    )
    def me(self, request: Request) -> Response:
        actor = request_actor(request)
        _person, cycle = self._my_cycle(actor, request)
        mine = selectors.evaluation_of(actor=actor, cycle=cycle)
        if mine is None:
            raise NotFound(_("You have not started your evaluation in this cycle yet."))
        return detail_response(actor, evaluation_for(actor, mine.pk))

    @extend_schema(
        operation_id="evaluations_me_start",
        parameters=[s.MeQuerySerializer],
        request=None,
        responses={**writes(s.EvaluationDetailSerializer, 201), 200: s.EvaluationDetailSerializer},
        description=gettext_lazy(
            "Start your own evaluation in the cycle (201), or get it if already started (200). "
            "The standard follows your position and school level (TT 20 or TT 14; TT 26 or "
            "TT 25 in a preschool); an evaluation against one that does not apply is refused "
            "(400)."
        ),
    )
    def start(self, request: Request) -> Response:
        actor = request_actor(request)
        person, cycle = self._my_cycle(actor, request)
        existed = selectors.evaluation_of(actor=actor, cycle=cycle) is not None
        evaluation = services.evaluation_start(actor=actor, cycle=cycle, person=person)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return detail_response(actor, evaluation_for(actor, evaluation.pk), code)

    @extend_schema(
        responses={200: s.EvaluationDetailSerializer, 404: R404},
        description=gettext_lazy(
            "One evaluation: levels, texts, ratings with their explanation, evidence, and what "
            "you may do with it. The reviewer's levels are hidden from the person evaluated "
            "until the record is finalised."
        ),
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        return detail_response(actor, evaluation_for(actor, pk))
