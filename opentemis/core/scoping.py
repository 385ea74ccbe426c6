"""Fail-closed scoping: the one mechanism that keeps every query inside the actor's units.

Units form a materialised-path tree (``orgs.Unit.path``). A *scope* is a set of path prefixes:
the subtrees an actor may see. Org-owned models use :class:`ScopedManager`, whose queryset
filters by the active scope and **raises** :class:`ScopeError` when no scope is active, so a
query that forgot about scoping fails loudly in tests instead of leaking a province's teachers.

Where a scope comes from:

* web requests and API calls: :class:`opentemis.core.middleware.ScopeMiddleware` activates a
  :class:`RequestScope` that resolves the authenticated user's role units lazily (DRF token
  authentication sets ``request.user`` after the middleware ran, so resolution waits for the
  first scoped query);
* tasks and services run for someone: ``with actor_scope(user): ...``;
* management commands and migrations of data: ``with system_scope(): ...`` (grep-able);
* deliberate bypasses are named ``dangerously_*`` (see docs/architecture.md for the list).

Selectors still filter by the actor explicitly (defence in depth); this manager is the net.
Modelled on django-scopes (raphaelm/django-scopes), with prefix matching over a tree instead of
equality on a tenant id.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils.module_loading import import_string


class ScopeError(RuntimeError):
    """A scoped model was queried with no scope active."""


@dataclass(frozen=True)
class Scope:
    """The subtrees visible now. ``everything`` is the system scope (commands, superusers)."""

    paths: tuple[str, ...] = ()
    everything: bool = False

    def q(self, path_field: str) -> Q:
        if self.everything:
            return Q()
        if not self.paths:
            # Matches nothing: an authenticated user without roles sees nothing.
            return Q(pk__in=[])
        query = Q()
        for prefix in self.paths:
            query |= Q(**{f"{path_field}__startswith": prefix})
        return query

    def narrowed(self, prefixes: tuple[str, ...] | None) -> Scope:
        """The part of this scope inside ``prefixes`` (None: no further limit).

        Both are unions of subtrees, so their intersection is a union of subtrees too: the
        prefixes of either side that lie under a prefix of the other.
        """
        if prefixes is None:
            return self
        if self.everything:
            return Scope(paths=minimal_prefixes(prefixes))
        inside = [p for p in self.paths if any(p.startswith(q) for q in prefixes)]
        inside += [q for q in prefixes if any(q.startswith(p) for p in self.paths)]
        return Scope(paths=minimal_prefixes(inside))


def minimal_prefixes(paths: list[str] | tuple[str, ...] | set[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor path, so the OR list stays short."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return tuple(result)


class ScopeHolder(Protocol):
    """Whom a scope is computed for, as core sees them: Django's user or ``AnonymousUser``.

    core is the ground floor and imports no app, not even for types; the project's user model
    (accounts) satisfies this, as does Django's anonymous user.
    """

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...


# The attribute caching a user's scope on the user object, so it is computed once per request.
_SCOPE_CACHE = "_opentemis_scope"

ScopeSource = Scope | Callable[[], Scope]
_current: ContextVar[ScopeSource | None] = ContextVar("opentemis_scope", default=None)


def current_scope() -> Scope:
    source = _current.get()
    if source is None:
        raise ScopeError(
            "No scope is active. Wrap the code in actor_scope(user) or system_scope(), "
            "or run it inside a request."
        )
    return source if isinstance(source, Scope) else source()


def has_active_scope() -> bool:
    return _current.get() is not None


@contextlib.contextmanager
def activate(source: ScopeSource) -> Iterator[None]:
    token = _current.set(source)
    try:
        yield
    finally:
        _current.reset(token)


def system_scope() -> contextlib.AbstractContextManager[None]:
    """Every unit: for management commands, data migrations and system tasks only."""
    return activate(Scope(everything=True))


PathsResolver = Callable[[ScopeHolder], Iterable[str]]


@functools.cache
def _resolver(dotted_path: str) -> PathsResolver:
    resolver: PathsResolver = import_string(dotted_path)
    return resolver


def granted_paths(user: ScopeHolder) -> Iterable[str]:
    """The unit paths of the user's active role assignments, from ``settings.SCOPE_PATHS_RESOLVER``.

    core is the ground floor and imports no app; the app that owns roles (accounts) is named in
    the settings instead, as Django names the user model in ``AUTH_USER_MODEL``. Fail-closed:
    without the setting nothing is scoped, every scoped query raises.
    """
    dotted_path = getattr(settings, "SCOPE_PATHS_RESOLVER", "")
    if not dotted_path:
        raise ImproperlyConfigured("SCOPE_PATHS_RESOLVER must name the function of role paths.")
    return _resolver(dotted_path)(user)


def scope_for_user(user: ScopeHolder | None) -> Scope:
    """The union of the subtrees of the user's active role assignments (once per user object)."""
    if user is None or not user.is_authenticated:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    cached = getattr(user, _SCOPE_CACHE, None)
    if isinstance(cached, Scope):
        return cached
    scope = Scope(paths=minimal_prefixes(list(granted_paths(user))))
    setattr(user, _SCOPE_CACHE, scope)
    return scope


def actor_scope(user: ScopeHolder | None) -> contextlib.AbstractContextManager[None]:
    """Run code (a task, a CLI step) with the scope of ``user``."""
    return activate(scope_for_user(user))


class RequestScope:
    """Resolves the request's user lazily, on the first scoped query."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def __call__(self) -> Scope:
        return scope_for_user(getattr(self.request, "user", None))


_M = TypeVar("_M", bound=models.Model)


class ScopedManagerMixin(models.Manager[_M]):
    """Filters every queryset by the active scope on ``path_field``; raises without one.

    Used as it is (:class:`ScopedManager`) or put before another manager class (treebeard's
    ``MP_NodeManager`` for the unit tree), whose queryset it then filters: a real class, so the
    type checker sees it.
    """

    path_field: str = "unit__path"

    def __init__(self, path_field: str | None = None) -> None:
        super().__init__()
        if path_field is not None and path_field != self.path_field:
            # The path must live on the class, not the instance: Django builds a related
            # manager (``evaluation.items``) by subclassing the default manager's class and
            # calling it with no arguments. One subclass per (class, path), made once.
            self.__class__ = _with_path(type(self), path_field)

    def _unscoped_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset()

    def get_queryset(self) -> models.QuerySet[_M]:
        return self._unscoped_queryset().filter(current_scope().q(self.path_field))

    def within(self, *prefix_sets: tuple[str, ...] | None) -> models.QuerySet[_M]:
        """The active scope narrowed by further subtree sets, as ONE path condition.

        Selectors narrow by the actor's permission paths and by a chosen unit. Written as
        separate LIKE conditions on the same column, PostgreSQL multiplies their selectivities
        (it estimated 7 rows for a province's 80,000) and picks a bad plan; the intersection,
        computed here, is one condition and still never wider than the scope.
        """
        scope = current_scope()
        for prefixes in prefix_sets:
            scope = scope.narrowed(prefixes)
        return self._unscoped_queryset().filter(scope.q(self.path_field))


class ScopedManager(ScopedManagerMixin[_M]):
    """The fail-closed manager of a model whose unit path is reached by ``path_field``.

    ``objects = ScopedManager("unit__path")``.
    """


_path_classes: dict[tuple[type[ScopedManagerMixin[Any]], str], type[Any]] = {}


def _with_path(cls: type[ScopedManagerMixin[Any]], path_field: str) -> type[Any]:
    key = (cls, path_field)
    if key not in _path_classes:
        namespace = {"path_field": path_field, "__module__": cls.__module__}
        _path_classes[key] = type(cls.__name__, (cls,), namespace)
    return _path_classes[key]
