"""The acting user's type, for pages and the API.

Every service and selector takes ``actor: User`` (the signed-in account). A page that requires
sign-in annotates its request as :class:`AuthenticatedRequest` (the django-stubs pattern: the
middleware and ``login_required`` guarantee ``request.user`` is a ``User``); code that only has a
plain request or a DRF request asks :func:`request_actor`, which checks instead of assuming.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from opentemis.accounts.models import User
from opentemis.core.http import HtmxRequest

#: Whoever a request carries, signed in or not (``request.user``): what the permission checks
#: accept, since menus and templates ask them for anonymous visitors too.
RequestUser = User | AnonymousUser


class AuthenticatedRequest(HtmxRequest):
    """A request behind ``login_required`` (or DRF's ``IsAuthenticated``)."""

    user: User


def request_actor(request: HttpRequest | Request) -> User:
    """The signed-in user of a page's or the API's ``request``; refuses an anonymous one rather
    than guessing: 401 from the API (DRF authenticates there: a token or the session), 403 from
    a page."""
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    if isinstance(request, Request):
        raise NotAuthenticated
    raise PermissionDenied


__all__ = ["AuthenticatedRequest", "RequestUser", "User", "request_actor"]
