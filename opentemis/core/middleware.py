from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from opentemis.core.client_ip import client_ip
from opentemis.core.http import is_background, session_expired
from opentemis.core.request_context import reset_ip, set_ip
from opentemis.core.scoping import RequestScope, activate

# Session key holding when the session's expiry was last pushed forward (epoch seconds).
SESSION_REFRESHED_KEY = "_refreshed"
# Cookie naming the path of a full-page post the server accepted: the browser's drafts script
# then forgets the draft kept for that form (opentemis/static/js/drafts.js).
SAVED_COOKIE = "otm_saved"


class ScopeMiddleware:
    """Activates the request user's scope (lazily resolved) and records the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_ip(client_ip(request))
        try:
            with activate(RequestScope(request)):
                return self.get_response(request)
        finally:
            reset_ip(token)


class SlidingSessionMiddleware:
    """Pushes a signed-in session's expiry forward while the person keeps working.

    SESSION_SAVE_EVERY_REQUEST would rewrite the session row on every page, poll and autosave;
    this marks the session modified at most once every SESSION_REFRESH_SECONDS, which makes
    SessionMiddleware save it and re-send the cookie with a fresh SESSION_COOKIE_AGE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Refresh before the view runs: a view that signs out flushes the session, and a key
        # written afterwards would start a new, empty one.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            session = request.session
            now = int(time.time())
            last = session.get(SESSION_REFRESHED_KEY, 0)
            if now - last >= settings.SESSION_REFRESH_SECONDS and "_auth_user_id" in session:
                session[SESSION_REFRESHED_KEY] = now
        return self.get_response(request)


class DraftSafetyMiddleware:
    """Two answers the browser needs to keep typed work (docs/operations.md, "Sessions").

    * A script's request (HTMX, fetch) whose session has ended is answered 401 with JSON, not
      with login_required's redirect: the browser would follow it silently and hand the sign-in
      page to the script as if it were the answer.
    * A full-page post the server accepted (a signed-in post answered by a redirect, the pattern
      every form here follows, with no error message queued for the next page) sets a
      short-lived cookie naming the posted path, so the drafts script forgets the copy it kept
      of that form only once the server has confirmed it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not 300 <= response.status_code < 400 or "Location" not in response:
            return response
        background = is_background(request)
        signed_in = request.user.is_authenticated
        if background and not signed_in and _is_login_redirect(response):
            return session_expired(request)
        if request.method == "POST" and not background and signed_in and not _refused(request):
            response.set_cookie(
                SAVED_COOKIE,
                quote(request.path, safe="/"),
                max_age=120,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # read by drafts.js; it holds only a path
            )
        return response


def _refused(request: HttpRequest) -> bool:
    """Whether the view queued an error message: some views refuse a post by redirecting back
    with one (post/redirect/get), and that post must not count as saved.

    Reads the storage's queue without iterating it: iterating would mark the messages as shown.
    """
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return any(message.level >= messages.ERROR for message in queued)


def _is_login_redirect(response: HttpResponse) -> bool:
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
