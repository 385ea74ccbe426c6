from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def is_background(request: HttpRequest) -> bool:
    """A request made by a script (HTMX, fetch, the API), not a page the browser navigates to.

    Such a request must never be answered with a redirect to a page (the sign-in page would be
    pasted into the form that asked) nor with a whole error page: it gets a status and JSON.
    """
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        or headers.get("X-Requested-With") == "XMLHttpRequest"
        or headers.get("Accept", "").startswith("application/json")
        or request.path.startswith("/api/")
    )


def session_expired(request: HttpRequest) -> JsonResponse:
    """401 for a script whose session has ended: the page keeps the typing and offers sign-in."""
    return JsonResponse(
        {
            "code": "session_expired",
            "detail": _("Not saved: your session has expired. Sign in again to save your work."),
            "login_url": resolve_url(settings.LOGIN_URL),
        },
        status=401,
    )
