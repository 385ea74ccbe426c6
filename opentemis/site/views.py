"""Site-wide pages that compose the apps: the home page and the refused-post (CSRF) page.

They sit in the top layer because they read from apps that sit above ``core``: the home page
shows the person's units (orgs) and what waits for them (evaluations); the CSRF page offers the
sign-in form (accounts).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from opentemis.accounts.forms import LoginForm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import is_background
from opentemis.evaluations.waiting import waiting_for
from opentemis.orgs import selectors as org_selectors

# Posted fields never written back into a page: credentials and the stale token itself.
_SENSITIVE = re.compile(r"pass|token|secret|otp|csrfmiddlewaretoken", re.IGNORECASE)


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The person's units and what waits for them (reviews, opinions, polls)."""
    context = {
        "overview": org_selectors.home_overview(actor=request.user),
        "waiting": waiting_for(actor=request.user),
    }
    return render(request, "core/home.html", context)


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
