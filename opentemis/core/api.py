"""Shared pieces of the REST API (v1): error translation, permissions, reference lookups.

The API is a thin layer over the same selectors and services as the pages, so scoping, audit
and validation are the same. What this module adds is the HTTP mapping of their outcomes:

* ``django.core.exceptions.ValidationError`` from a service -> 400 with field errors kept;
* a stale version (``core.conflicts.StaleVersion``, raised by any service) -> 409 with the one
  conflict body, by :func:`exception_handler` (the project's DRF exception handler), so every
  view answers it the same way without knowing the exception;
* ``Http404`` from a selector ("missing" or "not yours", deliberately the same) -> 404, and
  ``PermissionDenied`` -> 403: DRF maps both already.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from opentemis.core.conflicts import StaleVersion
from opentemis.core.pagination import CappedPaginator

T = TypeVar("T")


class DifferenceSerializer(serializers.Serializer[dict[str, Any]]):
    """One field where the saved record differs from what the caller sent."""

    field = serializers.CharField(
        help_text=_('e.g. "full_name", or "self_levels[3]" (criterion 3).')
    )
    # The body's key is "label"; DRF's Field has a ``label`` attribute (a field's caption) too.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=_("The field's name, as the pages show it.")
    )
    theirs = serializers.JSONField(help_text=_("The value saved now."))
    yours = serializers.JSONField(help_text=_("The value you sent."))


class ConflictSerializer(serializers.Serializer[dict[str, Any]]):
    """409, for every versioned record: somebody saved it after the caller read it; nothing
    was changed. Fetch the record, re-apply the changes, send the new version."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text=_('Always "conflict".'))
    current_version = serializers.IntegerField()
    differences = DifferenceSerializer(many=True)


#: The 409 answer of every write that takes a ``version`` (one schema component, ``Conflict``).
CONFLICT_RESPONSE = OpenApiResponse(
    response=ConflictSerializer,
    description=_("The version sent is not the current one; nothing was changed."),
)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the one 409 of a stale version (see ``core.conflicts``)."""
    if isinstance(exc, StaleVersion):
        return Response(exc.api_body(), status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


class PasswordChanged(BasePermission):
    """Accounts still on a provisioned (initial) password must choose their own first.

    The pages enforce this with ``ForcePasswordChangeMiddleware``, which lets ``/api/`` through;
    without this check the printed initial password would be a long-lived API credential.
    """

    message = _("Change your initial password on the website before using the API.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return not (user.is_authenticated and user.must_change_password)


#: Permission classes for every authenticated API view.
API_PERMISSIONS: list[type[BasePermission]] = [IsAuthenticated, PasswordChanged]


class ServiceErrorsMixin(APIView):
    """Translate the validation errors of services into 400 answers (see module docstring).

    Put before the view's own base class: ``class UnitViewSet(ServiceErrorsMixin, GenericViewSet)``.
    """

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = serializers.ValidationError(detail=serializers.as_serializer_error(exc))
        return super().handle_exception(exc)


def resolve_or_invalid(lookup: Callable[[], T], message: StrOrPromise) -> T:
    """Run a ``get_<thing>_for_user`` selector for an id sent in a request body.

    The selector raises 404 for "missing" and "not yours" alike; in a body that becomes a
    field error with one fixed message, so the answer still does not tell the two apart.
    """
    try:
        return lookup()
    except Http404:
        raise serializers.ValidationError(message) from None


def schema_queryset(model: type[models.Model]) -> models.QuerySet[Any]:
    """An empty queryset of ``model`` that never reaches a scoped manager.

    drf-spectacular asks views for a queryset to learn their model while it builds the schema,
    possibly outside any request scope (``manage.py spectacular``). ``.none()`` never queries.
    """
    return models.QuerySet(model=model).none()


def query_params(request: Request) -> dict[str, str]:
    """The query string as a plain dict (last value wins).

    A plain dict, not the QueryDict: DRF treats a missing BooleanField in form-like input as
    ``False``; filters need "absent" to mean "any".
    """
    return request.query_params.dict()


class CappedPageNumberPagination(PageNumberPagination):
    """Page-number pagination whose count stops at 10,001 (national lists stay fast)."""

    django_paginator_class = CappedPaginator
