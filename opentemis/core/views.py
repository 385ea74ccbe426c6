from __future__ import annotations

import re
import sys
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from opentemis.core.http import is_background
from opentemis.core.params import InvalidParameter, bad_request_response
from opentemis.core.unavailable import unavailable_response
from opentemis.orgs import selectors as org_selectors

# Posted fields never written back into a page: credentials and the stale token itself.
_SENSITIVE = re.compile(r"pass|token|secret|otp|csrfmiddlewaretoken", re.IGNORECASE)


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
    # Django calls this from inside its ``except`` block: the exception is the current one.
    unavailable = unavailable_response(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    return render(request, "errors/500.html", {"status": 500}, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a refused post, explained in the person's language, with a way back.

    The usual causes are ordinary: the page stayed open past the session, the person signed in
    again in another tab (which renews the token), or the browser's cookies were cleared. A
    signed-in person gets the fields they posted back as a form with a fresh token, so one press
    sends them again (passwords and files are never echoed); a signed-out one signs in here and
    returns to the page, where drafts.js restores what they typed. Scripts get JSON.
    """
    if is_background(request):
        detail = _("Not saved: the page's security token has expired. Reload the page.")
        return JsonResponse({"code": "csrf_failed", "detail": detail}, status=403)
    back = _same_site_referer(request)
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if not _SENSITIVE.search(name)
        for value in values
    ]
    dropped = any(_SENSITIVE.search(name) for name in request.POST if name != "csrfmiddlewaretoken")
    signed_in = request.user.is_authenticated
    context = {
        "status": 403,
        "back": back,
        "resend": signed_in and not dropped and not request.FILES and bool(fields),
        "fields": fields,
        "had_files": bool(request.FILES),
        "signed_in": signed_in,
        "login_next": _path_of(back) or request.path,
    }
    if not signed_in:
        # core is the lowest layer; only this page borrows the sign-in form from accounts.
        from opentemis.accounts.forms import LoginForm

        context["login_form"] = LoginForm(request)
    return render(request, "errors/csrf.html", context, status=403)


def _same_site_referer(request: HttpRequest) -> str:
    """The page the post came from, when it is one of ours; else empty."""
    referer = request.headers.get("Referer", "")
    allowed = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and allowed else ""


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


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
