"""Capability checks over the unit tree: a role on a unit grants its permissions on the subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.http import Http404

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import ROLE_PERMS
from opentemis.accounts.types import RequestUser
from opentemis.core.scoping import Scope, minimal_prefixes

# The attribute keeping a user's grants on the user object, read once per request.
_GRANTS_MEMO = "_opentemis_grants"


def role_grants(user: User) -> list[tuple[str, str]]:
    """(role, unit path) of the user's active roles, read once per user object.

    Kept between requests on the user's row (``User.grants_cache``), valid while its version is
    the row's ``roles_version``; otherwise read from RoleAssignment and stored for that version.
    Storing only ``WHERE roles_version = <the version read>`` means a change committed meanwhile
    (which increments it) can never be hidden by a cache computed before it.
    """
    memo = getattr(user, _GRANTS_MEMO, None)
    if isinstance(memo, list):
        return memo
    cached: list[tuple[str, str]]
    version = user.roles_version
    stored = user.grants_cache
    if version is not None and isinstance(stored, dict) and stored.get("v") == version:
        cached = [(role, path) for role, path in stored["g"]]
    else:
        cached = list(
            RoleAssignment.objects.filter(user=user, is_active=True).values_list(
                "role", "unit__path"
            )
        )
        if version is not None and user.pk is not None:
            payload = {"v": version, "g": [list(g) for g in cached]}
            User.objects.filter(pk=user.pk, roles_version=version).update(grants_cache=payload)
            user.grants_cache = payload
    setattr(user, _GRANTS_MEMO, cached)
    return cached


def scope_paths(user: User) -> list[str]:
    """The unit paths of the user's active roles: what core's scoping makes visible
    (``settings.SCOPE_PATHS_RESOLVER``). The same cached grants the permission checks read, so
    a request makes one role query, not two."""
    return [path for _role, path in role_grants(user)]


def grants_changed(**filters: Any) -> int:
    """Invalidate the stored grants of the users matching ``filters`` (call in the transaction
    that changes a grant or the path of a unit holding one)."""
    return User.objects.filter(**filters).update(
        roles_version=F("roles_version") + 1, grants_cache=None
    )


def perm_paths(user: RequestUser | None, perm: str) -> tuple[str, ...] | None:
    """Subtree prefixes where ``user`` holds ``perm``; ``None`` means everywhere (superuser)."""
    if user is None or not user.is_authenticated:
        return ()
    if user.is_superuser:
        return None
    return minimal_prefixes(
        [path for role, path in role_grants(user) if perm in ROLE_PERMS.get(role, ())]
    )


def actor_perms(user: RequestUser | None) -> frozenset[str]:
    """Every permission the user holds somewhere (for navigation)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset().union(*ROLE_PERMS.values())
    return frozenset().union(*(ROLE_PERMS.get(role, frozenset()) for role, _ in role_grants(user)))


def has_perm_on(user: RequestUser | None, perm: str, path: str) -> bool:
    paths = perm_paths(user, perm)
    return paths is None or any(path.startswith(p) for p in paths)


def require_perm_on(user: RequestUser | None, perm: str, path: str) -> None:
    """404, not 403: a unit outside the actor's reach must not even be confirmed to exist."""
    if not has_perm_on(user, perm, path):
        raise Http404


def require_superuser(user: RequestUser | None) -> None:
    """The national configuration (frameworks, who evaluates managers) is for system
    administrators only: 404 for anyone else, as for a unit outside one's reach."""
    if user is None or not user.is_superuser:
        raise Http404


def path_filter(user: RequestUser | None, perm: str, field: str) -> Q:
    """A Q restricting ``field`` (a unit path) to where the user holds ``perm``."""
    paths = perm_paths(user, perm)
    scope = Scope(everything=True) if paths is None else Scope(paths=paths)
    return scope.q(field)


def perms_on(user: RequestUser | None, path: str) -> frozenset[str]:
    """Every permission the user holds on the unit at ``path`` (through it or an ancestor)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset().union(*ROLE_PERMS.values())
    return frozenset().union(
        *(ROLE_PERMS.get(role, frozenset()) for role, p in role_grants(user) if path.startswith(p))
    )
