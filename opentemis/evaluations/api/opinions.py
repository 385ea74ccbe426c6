"""Colleagues' voices on one record: their opinions on a teacher (BM2, and the counts, BM3),
and the staff's anonymous poll about a principal (TT 14)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.types import request_actor
from opentemis.core.admission import completes_work
from opentemis.evaluations import access, selectors, services
from opentemis.evaluations import serializers as s
from opentemis.evaluations.api.common import (
    R403,
    R404,
    OneEvaluationViewSet,
    evaluation_for,
    leads_group,
    writes,
)


class OpinionViewSet(OneEvaluationViewSet):
    """Colleagues' opinions on a teacher's submitted self-evaluation (BM2, BM3)."""

    @extend_schema(
        request=s.OpinionWriteSerializer,
        responses=writes(s.OpinionSerializer),
        description=gettext_lazy(
            "Give (or change) your opinion on a colleague of your subject group whose "
            "self-evaluation is submitted: one overall level and an optional comment."
        ),
    )
    def opinion(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, also=[access.can_give_opinion])
        body = s.OpinionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opinion = services.opinion_give(
            actor=actor,
            evaluation=evaluation,
            level=body.validated_data["level"],
            comment=body.validated_data["comment"],
        )
        return Response(s.OpinionSerializer(opinion).data)

    @extend_schema(
        responses={200: s.OpinionSummarySerializer, 403: R403, 404: R404},
        description=gettext_lazy(
            "Counts of the colleagues' opinions (BM3), without their authors: for the "
            "reviewer, the subject group's leader and whoever follows the subtree; for the "
            "person once the record is finalised."
        ),
    )
    def opinions(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, also=[access.can_give_opinion, leads_group])
        readers = access.can_view(actor, evaluation) or leads_group(actor, evaluation)
        if not (readers and access.sees_review(actor, evaluation)):
            raise PermissionDenied
        return Response(s.OpinionSummarySerializer(selectors.opinion_summary(evaluation)).data)


class PollViewSet(OneEvaluationViewSet):
    """The anonymous poll about a manager of the caller's school (TT 14)."""

    @completes_work
    @extend_schema(
        request=s.PollWriteSerializer,
        responses=writes(None, 204),
        description=gettext_lazy(
            "Answer the anonymous poll about a manager of your school, once. Only that you "
            "answered is recorded with your name, never what."
        ),
    )
    def poll_answer(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk, also=[access.can_answer_poll])
        body = s.PollWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.poll_answer(
            actor=actor,
            evaluation=evaluation,
            levels=body.validated_data.get("levels", {}),
            overall=body.validated_data["overall"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={200: s.PollResultsSerializer, 403: R403, 404: R404},
        description=gettext_lazy(
            "Aggregated answers of the poll (counts per level); nothing below three answers, "
            "never an individual answer. Not for the person evaluated."
        ),
    )
    def poll_results(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        evaluation = evaluation_for(actor, pk)
        if access.is_own(actor, evaluation):
            raise PermissionDenied
        return Response(s.PollResultsSerializer(services.poll_results(evaluation)).data)
