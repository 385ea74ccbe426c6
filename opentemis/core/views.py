from __future__ import annotations

import sys
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render, resolve_url
from django.views.decorators.cache import never_cache

from opentemis.core import replicas
from opentemis.core.params import InvalidParameter, bad_request_response
from opentemis.core.unavailable import unavailable_response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness plus database status, for load balancers and monitoring; with a replica, its
    state and lag too (the answer stays 200 when only the replica is down: reads fall back)."""
    started = time.perf_counter()
    db: dict[str, str | float]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except Exception as exc:  # a health check must answer, whatever the failure
        db = {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
        status = 503
    db["ms"] = round((time.perf_counter() - started) * 1000, 2)
    body: dict[str, object] = {"status": "ok" if status == 200 else "error", "database": db}
    if replicas.configured():
        # Informational: without the replica, reads go to the primary; the node still serves.
        # The last check of this process, never a new one: a replica that does not answer
        # would hold the balancer's probe for the connect timeout.
        body["replica"] = replicas.health_report()
    return JsonResponse(body, status=status)


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, {"status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Our own refusals carry a message for the person; Django's (a malformed upload, too many
    # fields) do not: their text is technical English.
    message = exception.message(request) if isinstance(exception, InvalidParameter) else None
    return bad_request_response(request, message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "errors/403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this from inside its ``except`` block: the exception is the current one.
    unavailable = unavailable_response(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    return render(request, "errors/500.html", {"status": 500}, status=500)


@never_cache
def session_state(request: HttpRequest) -> JsonResponse:
    """Who is signed in, with a fresh CSRF token: drafts.js asks before re-sending a draft."""
    user = request.user
    return JsonResponse(
        {
            "authenticated": user.is_authenticated,
            "user": user.pk if user.is_authenticated else None,
            "csrf_token": get_token(request),
            "login_url": resolve_url(settings.LOGIN_URL),
        }
    )


@login_required
def session_back(request: HttpRequest) -> HttpResponse:
    """Where signing in again in a new tab lands: the tab that kept the draft saves it."""
    return render(request, "core/session_back.html")
