"""What every evaluation API view shares: the caller, the 503 of a failed write, the lookup of
a record the caller may see, and the error answers the schema documents."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, IntegrityError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from opentemis.accounts.models import User
from opentemis.accounts.permissions import path_filter
from opentemis.accounts.roles import Perm
from opentemis.core import unavailable
from opentemis.core.api import (
    API_PERMISSIONS,
    CONFLICT_RESPONSE,
    ServiceErrorsMixin,
    schema_queryset,
)
from opentemis.evaluations import selectors
from opentemis.evaluations import serializers as s
from opentemis.evaluations.models import Evaluation, EvaluationKind
from opentemis.orgs.models import Unit

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


# --- lookups --------------------------------------------------------------------------------

#: Who else may reach an evaluation through one endpoint (a colleague giving an opinion...).
Check = Callable[[User, Evaluation], bool]


def leads_group(actor: User, evaluation: Evaluation) -> bool:
    """The leader (TTCM, TPCM) of the evaluated teacher's subject group (BM3 summary)."""
    person = actor.person
    return (
        person is not None
        and evaluation.kind == EvaluationKind.TEACHER
        and person.subject_group_id is not None
        and person.subject_group_id == evaluation.person.subject_group_id
        and selectors.is_group_leader(actor)
    )


def evaluation_for(
    actor: User, pk: int, also: Iterable[Check] = (), write: bool = False
) -> Evaluation:
    """The evaluation if ``actor`` may see it (``access.can_view`` or one of ``also``).

    404 for missing and for not visible alike; anything the caller then may not do is a 403.
    ``write``: the lighter lookup of a workflow step (see ``selectors.get_evaluation_for_user``).
    """
    try:
        found: Evaluation = selectors.get_evaluation_for_user(
            actor=actor, pk=pk, for_write=write, related=("person", "unit")
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
    if evaluation is None or not any(check(actor, evaluation) for check in checks):
        raise Http404
    return evaluation


def viewable(actor: User) -> Q:
    """Evaluations ``actor`` may view, as path conditions (the list's ``access.can_view``).

    The person's own; the subtrees where they follow evaluations; teachers of the schools they
    head. Managers' superiors hold ``VIEW_EVALUATIONS`` over the same subtrees in every role.
    """
    query = path_filter(actor, Perm.VIEW_EVALUATIONS, "unit_path")
    query |= Q(kind=EvaluationKind.TEACHER) & path_filter(actor, Perm.REVIEW_TEACHERS, "unit_path")
    if actor.person_id:
        query |= Q(person_id=actor.person_id)
    return query


def scoped_unit(pk: int) -> Unit:
    """A unit of the caller's subtrees; 404 otherwise (filters only narrow what is visible)."""
    unit: Unit | None = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


# --- the answers the schema documents --------------------------------------------------------

R400 = OpenApiResponse(description=gettext_lazy("Invalid request or a step not allowed now."))
R403 = OpenApiResponse(
    description=gettext_lazy("You can see this evaluation but may not take this step.")
)
R404 = OpenApiResponse(description=gettext_lazy("Missing, or not visible to you."))
R503 = OpenApiResponse(
    response=s.ErrorSerializer,
    description=gettext_lazy("Database unavailable; nothing was saved."),
)


def writes(ok: Any, code: int = 200, conflict: bool = False) -> dict[int, Any]:
    """The answers of a write: ``ok`` with ``code``, the refusals, the 409 if versioned."""
    responses: dict[int, Any] = {code: ok, 400: R400, 403: R403, 404: R404, 503: R503}
    if conflict:
        responses[409] = CONFLICT_RESPONSE
    return responses


class OneEvaluationViewSet(EvaluationErrorsMixin, viewsets.GenericViewSet[Evaluation]):
    """The base of the views acting on one evaluation (``evaluations/<pk>/<step>/``)."""

    serializer_class = s.EvaluationDetailSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Evaluation]:
        # Asked only by the schema, for the model of the ``pk`` parameter: the views find the
        # record with evaluation_for, within the caller's reach.
        return schema_queryset(Evaluation)
