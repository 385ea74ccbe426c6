"""Files the server sends: every stored upload and every generated file goes out through
:func:`file_response`, so none can become a page of this site.

An uploaded file is bytes somebody else chose. A PDF can also be valid HTML (a polyglot), an
image can carry script in SVG clothing, an office file can be mistaken by a browser for
something it renders. Whatever the bytes, the answer says:

* ``X-Content-Type-Options: nosniff``: the browser uses the type we found in the bytes
  (``evidence.validation``), never one it guesses;
* ``Content-Security-Policy: sandbox; default-src 'none'; …``: if a browser renders the file
  anyway, it runs in a unique opaque origin with no script, no forms, no requests to the site
  (so no session, no CSRF token), and loads nothing;
* ``Content-Disposition: attachment`` (saved, not opened) unless the caller asks to show it and
  its type is one we show: PNG, JPEG and PDF (:data:`INLINE_TYPES`), still under the sandbox.
  Browsers that refuse to show a sandboxed PDF offer it for download; ``?download=1`` on the
  evidence routes always downloads.

Why: docs/architecture.md, "Files the server sends". A test walks the URL
resolver and fails on a view that builds a file answer without this helper.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
#: The only types ever shown in the browser rather than saved.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", PDF})
#: Nothing a served file holds may run, load anything or reach this site.
SANDBOX_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def file_response(
    content: bytes | IO[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    cache: str = "no-store",
) -> HttpResponse:
    """The file as an answer with the headers above. ``content``: bytes (built in memory) or an
    open binary file (streamed, then closed); ``inline``: show it if its type allows;
    ``cache``: the Cache-Control value (private data by default: never stored)."""
    shown = inline and content_type in INLINE_TYPES
    response: HttpResponse
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(content, content_type=content_type)
        disposition = content_disposition_header(not shown, filename)
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        # A streamed answer: callers treat both kinds alike (headers, status), so it is typed as
        # the HttpResponse every view returns rather than as their common base class.
        response = FileResponse(  # type: ignore[assignment]
            content, as_attachment=not shown, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = cache
    return response


def xlsx_response(content: bytes | IO[bytes], filename: str) -> HttpResponse:
    """A spreadsheet to save."""
    return file_response(content, filename=filename, content_type=XLSX)


class HtmxRequest(HttpRequest):
    """A request as views receive it: django-htmx's middleware has set ``request.htmx`` (true
    for a request made by HTMX, with its headers)."""

    htmx: HtmxDetails


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
