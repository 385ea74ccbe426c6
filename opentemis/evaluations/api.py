"""REST API for the evaluation workflow (TT 20/2018, TT 14/2018): cycles, completion, the
self-evaluation, colleagues' opinions, the anonymous poll, the review and its aftermath.

A thin layer over :mod:`opentemis.evaluations.services` and ``selectors``, so the API has the
pages' scoping, rules and audit. What it adds is the HTTP mapping:

* an evaluation the caller may not see at all answers 404, the same as a missing one; a step the
  caller may not take on an evaluation they can see answers 403. "See" means ``access.can_view``
  (the person, their reviewer, whoever follows the subtree), widened per endpoint for the
  colleagues who give an opinion and the staff who answer a principal's poll;
* a stale ``version`` answers the one 409 of every versioned record (``core/conflicts.py``: the
  current version and the other person's changes), from the project's exception handler;
* a service's ``ValidationError`` answers 400 with its message, in the request's language;
* a database failure during a write answers 503: the write is atomic, nothing was saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.permissions import path_filter
from opentemis.accounts.roles import Perm
from opentemis.core import unavailable
from opentemis.core.api import (
    API_PERMISSIONS,
    CONFLICT_RESPONSE,
    ServiceErrorsMixin,
    query_params,
    resolve_or_invalid,
    schema_queryset,
)
from opentemis.evaluations import access, selectors, services
from opentemis.evaluations import serializers as s
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import (
    Cycle,
    Evaluation,
    EvaluationKind,
    EvidenceLink,
)
from opentemis.evidence.models import Evidence
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import get_unit_for_user

logger = logging.getLogger(__name__)


class ServiceUnavailable(unavailable.ServiceUnavailable):
    """503: the database failed during a write; the write is atomic, so nothing was saved.

    The shared answer (``core.unavailable``), with a message about the write."""

    default_detail = gettext_lazy(
        "The server could not save right now (database unavailable). Nothing was saved: the "
        "record is exactly as it was before this request. Try again in a moment."
    )
    default_code = "unavailable"


class EvaluationErrorsMixin(ServiceErrorsMixin):
    """Service errors as in the other APIs, plus the 503 on writes."""

    def handle_exception(self, exc: Exception) -> Response:
        request = getattr(self, "request", None)
        writing = request is not None and request.method not in SAFE_METHODS
        if writing and isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError):
            logger.error("database error during an evaluation API write", exc_info=exc)
            exc = ServiceUnavailable()
        response = super().handle_exception(exc)
        if isinstance(exc, ServiceUnavailable):
            response["Retry-After"] = unavailable.retry_after()
        return response


# --- response builders ----------------------------------------------------------------------


def _unit_ref(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def _rating(framework: Any, levels: Mapping[str, str]) -> dict[str, Any] | None:
    """The computed overall rating and its reasons, or None while a criterion has no level."""
    if not services.is_complete(framework, levels):
        return None
    result = services.rate_levels(framework, levels)
    return {
        "level": result.level.code,
        "label": result.level.label,
        "explanation": result.explanation(),
        "citation": services.rule_set_for(framework).citation,
    }


def _actions(actor: Any, evaluation: Evaluation) -> dict[str, bool]:
    """``can_<action>`` for every step: :func:`access.allowed_actions`, which the pages show
    and the services enforce."""
    allowed = access.allowed_actions(actor, evaluation)
    return {f"can_{action.value}": action in allowed for action in Action}


def _evidence_links(evaluation: Evaluation) -> list[dict[str, Any]]:
    links = (
        EvidenceLink.objects.filter(evaluation=evaluation)
        .order_by("criterion", "id")
        .values_list("criterion", "evidence_id", "evidence__title", "evidence__kind")
    )
    return [
        {"criterion": criterion, "evidence": evidence, "title": title, "kind": kind}
        for criterion, evidence, title, kind in links
    ]


_DATETIME = serializers.DateTimeField()


def _when(value: Any) -> str | None:
    """A timestamp as the API writes it everywhere (ISO 8601 in the current time zone)."""
    return None if value is None else _DATETIME.to_representation(value)


def _detail(actor: Any, evaluation: Evaluation) -> dict[str, Any]:
    """The record as ``EvaluationDetailSerializer`` documents it, already in JSON types.

    Built directly rather than through the serializer, which copies its ~60 nested fields for
    every response (a third of a workflow step's time in the API); a test checks that the
    serializer turns this into itself, so the OpenAPI schema stays the truth.
    """
    framework = evaluation.framework
    person = evaluation.person
    title = framework.title_en if get_language() == "en" and framework.title_en else None
    # The reviewer's levels are a working draft until finalised (as on the pages).
    show_review = access.sees_review(actor, evaluation)
    return {
        "id": evaluation.pk,
        "cycle": evaluation.cycle_id,
        "person": {"id": person.pk, "full_name": person.full_name, "staff_code": person.staff_code},
        "unit": _unit_ref(evaluation.unit),
        "framework": {
            "id": framework.pk,
            "code": framework.code,
            "version": framework.version,
            "title": title or framework.title_vi,
        },
        "kind": evaluation.kind,
        "status": evaluation.status,
        "status_display": evaluation.get_status_display(),
        "version": evaluation.version,
        "criteria": services.criteria_of(framework),
        "self_evaluation": {
            "levels": evaluation.self_levels,
            "notes": evaluation.self_notes,
            **{name: getattr(evaluation, name) for name in services.TEXT_FIELDS},
            "priority_criteria": evaluation.priority_criteria,
            "self_rating": evaluation.self_rating,
            "rating": _rating(framework, evaluation.self_levels),
            "submitted_at": _when(evaluation.submitted_at),
        },
        "review": {
            "levels": evaluation.review_levels,
            "comments": evaluation.review_comments,
            "note": evaluation.review_note,
            "final_rating": evaluation.final_rating,
            "rating": _rating(framework, evaluation.review_levels),
            "reviewer": evaluation.reviewer_id,
            "finalised_at": _when(evaluation.finalised_at),
        }
        if show_review
        else None,
        "returned_reason": evaluation.returned_reason,
        "acknowledged_at": _when(evaluation.acknowledged_at),
        "evidence": _evidence_links(evaluation),
        "training_needs": [
            {"criterion": n.criterion, "reason": n.reason, "modules": n.modules}
            for n in evaluation.needs.all()
        ]
        if evaluation.is_locked
        else [],
        "actions": _actions(actor, evaluation),
    }


def _completion_row(row: selectors.CompletionRow) -> dict[str, Any]:
    assert row.unit is not None
    return {
        "unit": _unit_ref(row.unit),
        "to_evaluate": row.to_evaluate,
        "started": row.started,
        "self_evaluated": row.self_evaluated,
        "opinions": row.opinions,
        "finalised": row.finalised,
        "started_rate": row.rate(row.started),
        "self_rate": row.self_rate,
        "opinions_rate": row.rate(row.opinions),
        "finalised_rate": row.finalised_rate,
    }


# --- lookups --------------------------------------------------------------------------------

Check = Callable[[Any, Evaluation], bool]


def _leads_group(actor: Any, evaluation: Evaluation) -> bool:
    """The leader (TTCM, TPCM) of the evaluated teacher's subject group (BM3 summary)."""
    person = getattr(actor, "person", None)
    return (
        person is not None
        and evaluation.kind == EvaluationKind.TEACHER
        and person.subject_group_id is not None
        and person.subject_group_id == evaluation.person.subject_group_id
        and selectors.is_group_leader(actor)
    )


def _evaluation(
    request: Request, pk: int, also: Iterable[Check] = (), write: bool = False
) -> Evaluation:
    """The evaluation if the caller may see it (``access.can_view`` or one of ``also``).

    404 for missing and for not visible alike; anything the caller then may not do is a 403.
    ``write``: the lighter lookup of a workflow step (see ``selectors.get_evaluation_for_user``).
    """
    try:
        found = selectors.get_evaluation_for_user(
            actor=request.user, pk=pk, for_write=write, related=("person", "unit")
        )
    except Http404:
        checks = list(also)
        if not checks:
            raise
    else:
        return found
    evaluation = (
        Evaluation.objects.select_related(
            "person", "person__subject_group", "framework", "cycle", "unit"
        )
        .filter(pk=pk)
        .first()
    )
    if evaluation is None or not any(check(request.user, evaluation) for check in checks):
        raise Http404
    return evaluation


def _viewable(actor: Any) -> Q:
    """Evaluations ``actor`` may view, as path conditions (the list's ``access.can_view``).

    The person's own; the subtrees where they follow evaluations; teachers of the schools they
    head. Managers' superiors hold ``VIEW_EVALUATIONS`` over the same subtrees in every role.
    """
    query = path_filter(actor, Perm.VIEW_EVALUATIONS, "unit_path")
    query |= Q(kind=EvaluationKind.TEACHER) & path_filter(actor, Perm.REVIEW_TEACHERS, "unit_path")
    person_id = getattr(actor, "person_id", None)
    if person_id:
        query |= Q(person_id=person_id)
    return query


def _scoped_unit(pk: int) -> Unit:
    """A unit of the caller's subtrees; 404 otherwise (filters only narrow what is visible)."""
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


# --- schema helpers -------------------------------------------------------------------------

_R400 = OpenApiResponse(description=gettext_lazy("Invalid request or a step not allowed now."))
_R403 = OpenApiResponse(
    description=gettext_lazy("You can see this evaluation but may not take this step.")
)
_R404 = OpenApiResponse(description=gettext_lazy("Missing, or not visible to you."))
_R409 = CONFLICT_RESPONSE
_R503 = OpenApiResponse(
    response=s.ErrorSerializer,
    description=gettext_lazy("Database unavailable; nothing was saved."),
)


def _writes(ok: Any, code: int = 200, conflict: bool = False) -> dict[int, Any]:
    responses: dict[int, Any] = {code: ok, 400: _R400, 403: _R403, 404: _R404, 503: _R503}
    if conflict:
        responses[409] = _R409
    return responses


# --- cycles ---------------------------------------------------------------------------------


class CycleViewSet(EvaluationErrorsMixin, viewsets.GenericViewSet):
    """Evaluation cycles covering or under the caller's units."""

    serializer_class = s.CycleSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Cycle]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Cycle)
        return selectors.cycles_visible(actor=self.request.user)

    @extend_schema(
        description=gettext_lazy(
            "Cycles you can see: those covering your units and those opened under them."
        )
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # a default pagination class is configured
        return self.get_paginated_response(s.CycleSerializer(page, many=True).data)

    @extend_schema(
        request=s.CycleCreateSerializer,
        responses=_writes(s.CycleSerializer, 201),
        description=gettext_lazy(
            "Open a cycle for a school year over a unit's subtree where you manage cycles. "
            "Deadlines follow the steps: self-evaluation, opinions, review."
        ),
    )
    def create(self, request: Request) -> Response:
        serializer = s.CycleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        unit_id = data.pop("unit")
        unit = resolve_or_invalid(
            lambda: get_unit_for_user(actor=request.user, pk=unit_id, perm=Perm.MANAGE_CYCLES),
            _("No unit with this id among the units where you may open cycles."),
        )
        cycle = services.cycle_open(actor=request.user, unit=unit, **data)
        cycle = selectors.get_cycle_for_user(actor=request.user, pk=cycle.pk)
        return Response(s.CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: s.CycleSerializer, 404: _R404},
        description=gettext_lazy("One cycle; 404 if it is missing or not visible to you."),
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        cycle = selectors.get_cycle_for_user(actor=request.user, pk=pk)
        return Response(s.CycleSerializer(cycle).data)

    @extend_schema(
        parameters=[s.CompletionQuerySerializer],
        responses={200: s.CompletionSerializer, 404: _R404},
        description=gettext_lazy(
            "Live completion of the cycle for a unit and each of its child units. A unit where "
            "you do not follow evaluations answers 404."
        ),
    )
    def completion(self, request: Request, pk: int) -> Response:
        params = s.CompletionQuerySerializer(data=query_params(request))
        params.is_valid(raise_exception=True)
        cycle = selectors.get_cycle_for_user(actor=request.user, pk=pk)
        unit = selectors.completion_unit(
            actor=request.user, cycle=cycle, unit_id=params.validated_data.get("unit")
        )
        total, rows = selectors.completion(actor=request.user, cycle=cycle, unit=unit)
        body = {
            "cycle": cycle.pk,
            "total": _completion_row(total),
            "rows": [_completion_row(row) for row in rows],
        }
        return Response(s.CompletionSerializer(body).data)


# --- evaluations ----------------------------------------------------------------------------


class EvaluationViewSet(EvaluationErrorsMixin, viewsets.GenericViewSet):
    """Evaluations the caller may see, and every step of the workflow on them."""

    serializer_class = s.EvaluationListSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()  # filters are parsed by EvaluationQuerySerializer

    def get_queryset(self) -> QuerySet[Evaluation]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Evaluation)
        params = s.EvaluationQuerySerializer(data=query_params(self.request))
        params.is_valid(raise_exception=True)
        data = params.validated_data
        actor = self.request.user
        if data.get("unit") is not None:
            qs = Evaluation.objects.within((_scoped_unit(data["unit"]).path,))
        else:
            qs = Evaluation.objects.all()
        if data.get("for") == "opinion":
            qs = selectors.opinion_candidates(actor=actor, queryset=qs)
        elif data.get("for") == "poll":
            qs = selectors.poll_candidates(actor=actor, queryset=qs)
        else:
            qs = qs.filter(_viewable(actor))
        if data.get("cycle") is not None:
            qs = qs.filter(cycle=selectors.get_cycle_for_user(actor=actor, pk=data["cycle"]))
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        return qs.select_related("person", "unit").order_by(
            "unit_path", "person__search_text", "id"
        )

    def _respond(self, evaluation: Evaluation, code: int = status.HTTP_200_OK) -> Response:
        return Response(_detail(self.request.user, evaluation), status=code)

    def _reload(self, evaluation: Evaluation) -> Response:
        """The record as it is after a step, seen by the caller (who may no longer see it all)."""
        return self._respond(_evaluation(self.request, evaluation.pk))

    def _stepped(self, evaluation: Evaluation) -> Response:
        """The record after a step, from the object the service updated (no second lookup).

        The service set every field it wrote on ``evaluation`` and raised on a conflict, so this
        is the stored record. Who may view a record does not depend on its status, so the
        caller still sees it as before the step.
        """
        return self._respond(evaluation)

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

    def _my_cycle(self, request: Request) -> tuple[Any, Cycle]:
        params = s.MeQuerySerializer(data=query_params(request))
        params.is_valid(raise_exception=True)
        person = getattr(request.user, "person", None)
        if person is None:
            raise NotFound(_("Your account is not linked to a staff record."))
        if params.validated_data.get("cycle") is not None:
            cycle = selectors.get_cycle_for_user(
                actor=request.user, pk=params.validated_data["cycle"]
            )
        else:
            found = selectors.own_cycle(actor=request.user)
            if found is None:
                raise NotFound(_("No evaluation cycle covers your unit at the moment."))
            cycle = found
        return person, cycle

    @extend_schema(
        operation_id="evaluations_me_retrieve",
        parameters=[s.MeQuerySerializer],
        responses={200: s.EvaluationDetailSerializer, 404: _R404},
        description=gettext_lazy(
            "Your own evaluation in the cycle (default: the open cycle covering your unit); "
            "404 before you start it."
        ),
    )
    def me(self, request: Request) -> Response:
        _person, cycle = self._my_cycle(request)
        mine = selectors.evaluation_of(actor=request.user, cycle=cycle)
        if mine is None:
            raise NotFound(_("You have not started your evaluation in this cycle yet."))
        return self._reload(mine)

    @extend_schema(
        operation_id="evaluations_me_start",
        parameters=[s.MeQuerySerializer],
        request=None,
        responses={**_writes(s.EvaluationDetailSerializer, 201), 200: s.EvaluationDetailSerializer},
        description=gettext_lazy(
            "Start your own evaluation in the cycle (201), or get it if already started (200). "
            "The standard follows your position and school level (TT 20 or TT 14; TT 26 or "
            "TT 25 in a preschool); an evaluation against one that does not apply is refused "
            "(400)."
        ),
    )
    def start(self, request: Request) -> Response:
        person, cycle = self._my_cycle(request)
        existed = selectors.evaluation_of(actor=request.user, cycle=cycle) is not None
        evaluation = services.evaluation_start(actor=request.user, cycle=cycle, person=person)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return self._respond(_evaluation(request, evaluation.pk), code)

    @extend_schema(
        responses={200: s.EvaluationDetailSerializer, 404: _R404},
        description=gettext_lazy(
            "One evaluation: levels, texts, ratings with their explanation, evidence, and what "
            "you may do with it. The reviewer's levels are hidden from the person evaluated "
            "until the record is finalised."
        ),
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        return self._respond(_evaluation(request, pk))

    # --- the person's self-evaluation (BM1) ---

    @extend_schema(
        request=s.SelfWriteSerializer,
        responses=_writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Save your self-evaluation as a draft (any part may be incomplete). Send the "
            "version you read: a stale one answers 409 with the other's changes."
        ),
    )
    def save_self(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, write=True)
        body = s.SelfWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_save_draft(
            actor=request.user, evaluation=evaluation, **body.service_kwargs()
        )
        return self._stepped(evaluation)

    @extend_schema(
        request=s.SelfWriteSerializer,
        responses=_writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Submit your self-evaluation, with any last changes: every criterion needs a "
            "level. It can no longer be changed unless the reviewer returns it."
        ),
    )
    def submit(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, write=True)
        body = s.SelfWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_submit(
            actor=request.user, evaluation=evaluation, **body.service_kwargs()
        )
        return self._stepped(evaluation)

    @extend_schema(
        request=s.EvidenceWriteSerializer,
        responses=_writes(s.EvidenceLinkSerializer(many=True), 201),
        description=gettext_lazy(
            "Cite an item of your evidence library for a criterion of your self-evaluation. "
            "Answers the evaluation's evidence links."
        ),
    )
    def attach_evidence(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk)
        criterion, item = self._evidence_args(evaluation, request.data)
        services.evidence_attach(
            actor=request.user, evaluation=evaluation, criterion=criterion, evidence=item
        )
        return Response(
            s.EvidenceLinkSerializer(_evidence_links(evaluation), many=True).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[s.EvidenceWriteSerializer],
        request=None,
        responses=_writes(None, 204),
        description=gettext_lazy(
            "Stop citing an evidence item for a criterion (query parameters criterion and "
            "evidence). The item stays in your library."
        ),
    )
    def detach_evidence(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk)
        data = query_params(request) or request.data
        criterion, item = self._evidence_args(evaluation, data)
        services.evidence_detach(
            actor=request.user, evaluation=evaluation, criterion=criterion, evidence=item
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _evidence_args(self, evaluation: Evaluation, data: Any) -> tuple[int, Evidence]:
        if not access.is_own(self.request.user, evaluation):
            # Only the person cites evidence; they can see the evaluation, so 403 reveals nothing.
            raise PermissionDenied
        body = s.EvidenceWriteSerializer(data=data)
        body.is_valid(raise_exception=True)
        item = Evidence.objects.filter(
            pk=body.validated_data["evidence"], owner_id=evaluation.person_id
        ).first()
        if item is None:
            raise serializers.ValidationError(
                {"evidence": [_("No item with this id in your evidence library.")]}
            )
        return body.validated_data["criterion"], item

    # --- review (BM4 / TT 14) ---

    @extend_schema(
        request=s.ReviewWriteSerializer,
        responses=_writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Save the reviewer's levels and comments on a submitted self-evaluation (a draft "
            "of the review). Send the version you read."
        ),
    )
    def review(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, write=True)
        body = s.ReviewWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_review_save(
            actor=request.user, evaluation=evaluation, **body.service_kwargs()
        )
        return self._stepped(evaluation)

    @extend_schema(
        request=s.ReturnSerializer,
        responses=_writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Return the self-evaluation to the person for revision, saying what to revise."
        ),
    )
    def return_(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, write=True)
        body = s.ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_return(
            actor=request.user,
            evaluation=evaluation,
            version=body.validated_data["version"],
            reason=body.validated_data["reason"],
        )
        return self._stepped(evaluation)

    @extend_schema(
        request=s.FinaliseWriteSerializer,
        responses=_writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Finalise: the reviewer's level of every criterion (those sent, or saved before) "
            "and the overall rating computed from them. The record is then locked."
        ),
    )
    def finalise(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, write=True)
        body = s.FinaliseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_finalise(
            actor=request.user, evaluation=evaluation, **body.service_kwargs()
        )
        return self._stepped(evaluation)

    @extend_schema(
        request=None,
        responses=_writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy("Acknowledge the finalised result of your own evaluation."),
    )
    def acknowledge(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, write=True)
        services.evaluation_acknowledge(actor=request.user, evaluation=evaluation)
        return self._stepped(evaluation)

    @extend_schema(
        request=s.ReasonSerializer,
        responses=_writes(s.EvaluationDetailSerializer, conflict=True),
        description=gettext_lazy(
            "Reopen a finalised evaluation for the reviewer (officers managing the cycle), "
            "with the reason, which is recorded."
        ),
    )
    def reopen(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, write=True)
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evaluation_reopen(
            actor=request.user, evaluation=evaluation, reason=body.validated_data["reason"]
        )
        return self._stepped(evaluation)

    # --- colleagues' opinions (BM2, BM3) ---

    @extend_schema(
        request=s.OpinionWriteSerializer,
        responses=_writes(s.OpinionSerializer),
        description=gettext_lazy(
            "Give (or change) your opinion on a colleague of your subject group whose "
            "self-evaluation is submitted: one overall level and an optional comment."
        ),
    )
    def opinion(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, also=[access.can_give_opinion])
        body = s.OpinionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opinion = services.opinion_give(
            actor=request.user,
            evaluation=evaluation,
            level=body.validated_data["level"],
            comment=body.validated_data["comment"],
        )
        return Response(s.OpinionSerializer(opinion).data)

    @extend_schema(
        responses={200: s.OpinionSummarySerializer, 403: _R403, 404: _R404},
        description=gettext_lazy(
            "Counts of the colleagues' opinions (BM3), without their authors: for the "
            "reviewer, the subject group's leader and whoever follows the subtree; for the "
            "person once the record is finalised."
        ),
    )
    def opinions(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, also=[access.can_give_opinion, _leads_group])
        actor = request.user
        readers = access.can_view(actor, evaluation) or _leads_group(actor, evaluation)
        if not (readers and access.sees_review(actor, evaluation)):
            raise PermissionDenied
        summary = selectors.opinion_summary(evaluation)
        body = {"total": summary.total, "counts": summary.counts, "comments": summary.comments}
        return Response(s.OpinionSummarySerializer(body).data)

    # --- the anonymous poll about a principal (TT 14) ---

    @extend_schema(
        request=s.PollWriteSerializer,
        responses=_writes(None, 204),
        description=gettext_lazy(
            "Answer the anonymous poll about a manager of your school, once. Only that you "
            "answered is recorded with your name, never what."
        ),
    )
    def poll_answer(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk, also=[access.can_answer_poll])
        body = s.PollWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.poll_answer(
            actor=request.user,
            evaluation=evaluation,
            levels=body.validated_data.get("levels", {}),
            overall=body.validated_data["overall"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={200: s.PollResultsSerializer, 403: _R403, 404: _R404},
        description=gettext_lazy(
            "Aggregated answers of the poll (counts per level); nothing below three answers, "
            "never an individual answer. Not for the person evaluated."
        ),
    )
    def poll_results(self, request: Request, pk: int) -> Response:
        evaluation = _evaluation(request, pk)
        if access.is_own(request.user, evaluation):
            raise PermissionDenied
        results = services.poll_results(evaluation)
        body = {
            "answers": results.answers,
            "shown": results.shown,
            "overall": results.overall if results.shown else {},
            "criteria": [
                {"criterion": number, "counts": counts}
                for number, counts in sorted(results.criteria.items())
            ]
            if results.shown
            else [],
        }
        return Response(s.PollResultsSerializer(body).data)
