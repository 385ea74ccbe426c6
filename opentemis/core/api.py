"""Shared pieces of the REST API (v1): error translation, permissions, reference lookups.

The API is a thin layer over the same selectors and services as the pages, so scoping, audit
and validation are the same. What this module adds is the HTTP mapping of their outcomes:

* ``django.core.exceptions.ValidationError`` from a service -> 400 with field errors kept;
* exceptions a view lists in ``conflict_errors`` (e.g. ``StaleEdit``) -> 409 Conflict;
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
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.core.pagination import CappedPaginator

T = TypeVar("T")


class Conflict(APIException):
    """409: the record changed since the client read it (optimistic locking)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record was changed by someone else. Fetch it again and retry.")
    default_code = "conflict"

    def __init__(self, detail: Any = None, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        # Added to the body as is (APIException would turn every value into a string).
        self.extra = extra or {}


class PasswordChanged(BasePermission):
    """Accounts still on a provisioned (initial) password must choose their own first.

    The pages enforce this with ``ForcePasswordChangeMiddleware``, which lets ``/api/`` through;
    without this check the printed initial password would be a long-lived API credential.
    """

    message = _("Change your initial password on the website before using the API.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return not getattr(request.user, "must_change_password", False)


#: Permission classes for every authenticated API view.
API_PERMISSIONS: list[type[BasePermission]] = [IsAuthenticated, PasswordChanged]


class ServiceErrorsMixin:
    """Translate the exceptions of services into API answers (400 / 409), see module docstring.

    Views set ``conflict_errors`` to the exception classes that mean "stale version" and may
    override :meth:`conflict_exception` to add detail (such as the current version).
    """

    conflict_errors: tuple[type[Exception], ...] = ()

    def handle_exception(self, exc: Exception) -> Response:
        # Conflicts first: StaleEdit is itself a django ValidationError.
        if self.conflict_errors and isinstance(exc, self.conflict_errors):
            exc = self.conflict_exception(exc)
        elif isinstance(exc, DjangoValidationError):
            exc = serializers.ValidationError(detail=serializers.as_serializer_error(exc))
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        if isinstance(exc, Conflict) and exc.extra and isinstance(response.data, dict):
            response.data.update(exc.extra)
        return response

    def conflict_exception(self, exc: Exception) -> Conflict:
        messages = getattr(exc, "messages", None) or [str(exc)]
        return Conflict(detail=" ".join(str(m) for m in messages))


def resolve_or_invalid(lookup: Callable[[], T], message: str) -> T:
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
