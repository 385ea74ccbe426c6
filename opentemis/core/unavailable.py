"""The database going away: one answer, 503 with a clear message, for every page and API route.

Two parts:

* Connections: ``CONN_HEALTH_CHECKS`` (settings) makes Django check a persistent connection
  before its first use in a request and replace it if the server dropped it, so after a
  database restart or failover the next request succeeds instead of each worker failing once.
* The answer when the database cannot be reached at all (connection refused, terminated, the
  server shutting down, SQLite's file locked for too long): Django turns an exception raised
  anywhere in the request (a view, a middleware reading the session or the user) into a call of
  ``handler500``; ``core.views.server_error`` asks :func:`unavailable_response` first, which
  answers **503** with ``Retry-After`` when the exception is one of :data:`UNAVAILABLE_ERRORS`:
  JSON ``{"detail": "..."}`` (Vietnamese) under ``/api/``, the page ``errors/503.html``
  ("the system is busy, your work is kept") elsewhere. That page reads nothing from the
  database (no menu, no user), since the database is what is missing.

Nothing is half-written: every service runs in one transaction (its audit row included), so
a write cut off by the database rolls back whole. Views that can do better keep what was typed
(the evaluation forms re-render the form with the typed values and a 503; the evaluation API
answers :class:`ServiceUnavailable` on a failed write): they use the same class and delay.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

logger = logging.getLogger(__name__)

#: Errors that mean "the database cannot be reached now", not "the code is wrong".
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

API_DETAIL = _(
    "The system is busy: the database cannot be reached for a moment. Nothing was half-saved: "
    "what was saved before is intact. Try again in a minute."
)


class ServiceUnavailable(APIException):
    """503 from an API view: the database is unavailable; nothing was saved."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = API_DETAIL
    default_code = "unavailable"


def retry_after() -> str:
    return str(settings.DB_UNAVAILABLE_RETRY_AFTER)


def is_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE_ERRORS)


def unavailable_response(request: HttpRequest, exc: BaseException | None) -> HttpResponse | None:
    """The 503 for ``exc`` if it means the database is unreachable; None otherwise."""
    if not is_unavailable(exc):
        return None
    logger.error("database unavailable: %s %s", request.method, request.path, exc_info=exc)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": str(API_DETAIL)}, status=503)
    else:
        response = HttpResponse(_render_page(request), status=503)
    return mark_unavailable(response)


def mark_unavailable(response: HttpResponse) -> HttpResponse:
    """The headers of every 503 for an unavailable database (the evaluation forms' too)."""
    response["Retry-After"] = retry_after()
    response["Cache-Control"] = "no-store"
    return response


def _render_page(request: HttpRequest) -> str:
    # No RequestContext: its processors read the user and the session (the database).
    context: dict[str, Any] = {"path": request.get_full_path(), "method": request.method}
    return render_to_string("errors/503.html", context)
