from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from opentemis.accounts.models import User
from opentemis.accounts.permissions import actor_perms

NavFlag = Callable[[User], bool]
_FLAGS: dict[str, NavFlag] = {}


def register_nav_flag(name: str, check: NavFlag) -> None:
    """Let a higher app add a menu condition that no permission says (e.g. the cascade's "core
    teacher this year"): accounts imports no app above it, they register here (decision 0014)."""
    _FLAGS[name] = check


class NavFlags(dict[str, bool]):
    """The registered flags of one user, each computed when a template first reads it."""

    def __init__(self, user: User) -> None:
        super().__init__()
        self._user = user

    def __missing__(self, name: str) -> bool:
        check = _FLAGS.get(name)
        if check is None:
            raise KeyError(name)
        self[name] = value = bool(check(self._user))
        return value


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_perms": frozenset(), "nav_flags": {}}
    return {"nav_perms": actor_perms(user), "nav_flags": NavFlags(user)}
