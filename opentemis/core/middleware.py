from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opentemis.core.client_ip import client_ip
from opentemis.core.request_context import reset_ip, set_ip
from opentemis.core.scoping import RequestScope, activate


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
