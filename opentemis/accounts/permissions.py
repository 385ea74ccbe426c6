"""Capability checks over the unit tree: a role on a unit grants its permissions on the subtree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

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

    A time-limited grant (``RoleAssignment.expires_at``, the auditor's) gives nothing from its
    end on: it is stored with its end and filtered here at every read, so a stored grant
    expires on time without anything writing to the row.
    """
    memo = getattr(user, _GRANTS_MEMO, None)
    if isinstance(memo, list):
        return memo
    now = timezone.now()
    rows: list[list[str | None]]
    version = user.roles_version
    stored = user.grants_cache
    if version is not None and isinstance(stored, dict) and stored.get("v") == version:
        rows = [list(g) for g in stored["g"]]
    else:
        rows = [
            [role, path, expires.isoformat() if expires is not None else None]
            for role, path, expires in RoleAssignment.objects.filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=now), user=user, is_active=True
            ).values_list("role", "unit__path", "expires_at")
        ]
        if version is not None and user.pk is not None:
            payload = {"v": version, "g": rows}
            User.objects.filter(pk=user.pk, roles_version=version).update(grants_cache=payload)
            user.grants_cache = payload
    cached = [(str(g[0]), str(g[1])) for g in rows if not _expired(g, now)]
    setattr(user, _GRANTS_MEMO, cached)
    return cached


def _expired(grant: list[str | None], now: datetime) -> bool:
    """Whether a stored grant ``[role, path, end or None]`` has ended at ``now`` (a grant
    stored before ends were kept, ``[role, path]``, has none)."""
    end = grant[2] if len(grant) > 2 else None
    return end is not None and datetime.fromisoformat(end) <= now


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
