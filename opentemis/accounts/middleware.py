from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

_ALLOWED_PREFIXES = ("/static/", "/healthz", "/i18n/", "/api/")


class ForcePasswordChangeMiddleware:
    """Users with a provisioned (initial) password must choose their own before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(_ALLOWED_PREFIXES):
                return redirect("password_change")
        return self.get_response(request)
