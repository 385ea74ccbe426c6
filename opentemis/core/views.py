from __future__ import annotations

import time

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from opentemis.core.params import InvalidParameter, bad_request_response
from opentemis.orgs import selectors as org_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The home page composes the apps' own reads (the page layer, above the apps it shows):
    # what waits for the person (reviews, opinions, polls) comes from the evaluations app.
    from opentemis.evaluations.waiting import waiting_for

    context = {
        "overview": org_selectors.home_overview(actor=request.user),
        "waiting": waiting_for(actor=request.user),
    }
    return render(request, "core/home.html", context)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness plus database status, for load balancers and monitoring."""
    started = time.perf_counter()
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
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": db}, status=status
    )


def trivial(request: HttpRequest) -> HttpResponse:
    """A view that does nothing: the baseline for throughput benchmarks."""
    return HttpResponse("ok", content_type="text/plain")


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
    return render(request, "errors/500.html", {"status": 500}, status=500)
