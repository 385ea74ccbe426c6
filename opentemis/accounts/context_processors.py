from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from opentemis.accounts.permissions import actor_perms


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_perms": frozenset()}
    return {"nav_perms": actor_perms(user)}
