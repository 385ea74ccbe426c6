"""Reads from the PostgreSQL streaming replica, where they belong (issue 15; decision 0026).

Nothing here is active unless ``DATABASE_REPLICA_URL`` is set: settings then declare the
``replica`` alias and :class:`ReplicaRouter`. Without it (the SQLite demo, the test suite) every
query goes to ``default`` as before.

* **Opt-in.** Only views marked :func:`reads_from_replica` (reports, progress pages, rankings,
  staff and unit lists, synchronous exports) and code run under :func:`replica_reads` (export
  jobs in the worker) read from the replica, and only for GET and HEAD. Everything else, and
  every read inside a transaction on ``default``, goes to the primary. The security tables
  (sessions, tokens, users and their roles, the audit log, sign-in lockouts) are always read on
  the primary: a revoked role or token stops at once, not after the replica catches up.
* **Pinning after a write.** A request that wrote (an unsafe method, or any write but the
  bookkeeping of :data:`PIN_EXEMPT`) sets a short signed cookie; until it expires, the same
  browser's requests, on any node, read from the primary (they see their own write). Within a
  request, reads after a write go to the primary too.
* **Lag and fallback.** Each process checks the replica at most every
  ``REPLICA_CHECK_SECONDS`` (its replay lag, with a short connect timeout); a replica that cannot
  be reached, is not a standby, or lags more than ``REPLICA_MAX_LAG_SECONDS`` is not read
  until a later check finds it well. A marked view whose replica query fails with a connection
  error is run again on the primary when it had written nothing.
* **Freshness.** :func:`data_as_of` (template tag ``{% data_as_of %}``) is the one answer to
  "as of when are the figures on this page": never later than the replica's state when they
  were read from it.

State is per request (or per job) in a :class:`~contextvars.ContextVar`, never shared between
threads; the replica's health is per process (one answer for all its threads).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from opentemis.core.unavailable import UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)

#: The database alias of the replica (settings.DATABASES).
REPLICA = "replica"
#: Methods whose requests may read from the replica.
SAFE_METHODS = frozenset({"GET", "HEAD"})
#: Methods that change nothing (RFC 9110): any other one pins, whatever it wrote.
_UNPINNED_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: The cookie that keeps a browser on the primary for a while after it wrote.
PIN_COOKIE = "otm_primary"
_PIN_SALT = "opentemis.core.replicas.pin"

#: Apps always read on the primary: who is signed in, with which token, user and roles (a
#: revoked role or token must stop at once), the audit log, sign-in lockouts.
PRIMARY_APPS = frozenset({"sessions", "authtoken", "accounts", "axes"})
#: Writes of a GET that do not pin the person to the primary, besides those of
#: :data:`PRIMARY_APPS` (never read from the replica, so nothing to wait for: the session's
#: sliding expiry, the audit of a read, a user's cached grants): the report summaries a reader's
#: visit refreshed, which are the system's, not the person's. Any other write pins.
PIN_EXEMPT = frozenset({"reports.reportstate", "reports.evalcell", "reports.staffcell"})


def _read_on_primary_only(model: type[Model]) -> bool:
    return model._meta.app_label in PRIMARY_APPS


def configured() -> bool:
    """Whether a replica is declared (``DATABASE_REPLICA_URL``)."""
    return REPLICA in connections.settings


# --- per request (or per job) ---------------------------------------------------------------


@dataclass
class ReadState:
    """Where this request's (or job's) reads may go, and what it did so far."""

    pinned: bool = False  # came with a valid pin cookie: primary only
    replica: bool = False  # inside a marked view or ``replica_reads()``
    primary: int = 0  # depth of ``primary_reads()``
    wrote: bool = False  # any write (a retry on the primary is then unsafe)
    pin: bool = False  # a write that pins (and sends this request's later reads to the primary)
    used_replica: bool = False
    lag: float | None = None  # the replica's lag when its figures were read (seconds)
    not_before: datetime | None = None  # the replica must hold the primary's state of then


_state: ContextVar[ReadState | None] = ContextVar("opentemis_reads", default=None)


@contextmanager
def _ensure_state() -> Iterator[ReadState]:
    state = _state.get()
    if state is not None:
        yield state
        return
    state = ReadState()
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


@contextmanager
def replica_reads(*, not_before: datetime | None = None) -> Iterator[None]:
    """Reads in this block may go to the replica (when it is well and nothing pins them).

    For export jobs in the worker, and for marked views (:func:`reads_from_replica`). Inside a
    request that is pinned or already wrote, reads stay on the primary. ``not_before``: a job
    passes when it was asked for (``job.created_at``); the replica is read only once it has
    replayed the primary's state of that moment (now minus its lag is later), so the figures of
    a job asked for right after a write include it."""
    with _ensure_state() as state:
        previous = state.replica, state.not_before
        state.replica = True
        state.not_before = not_before
        try:
            yield
        finally:
            state.replica, state.not_before = previous


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads in this block go to the primary, even inside a marked view: for reads whose
    answer decides a write (the report refresh's change feed and watermark)."""
    with _ensure_state() as state:
        state.primary += 1
        try:
            yield
        finally:
            state.primary -= 1


_P = ParamSpec("_P")
_R = TypeVar("_R")


def on_primary(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator form of :func:`primary_reads`."""

    @wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with primary_reads():
            return func(*args, **kwargs)

    return wrapper


_V = TypeVar("_V", bound=Callable[..., Any])


def reads_from_replica(view: _V) -> _V:
    """Mark a view as a replica reader (GET and HEAD only; decision 0026).

    Put it right above the function (below ``login_required``: the user is read on the
    primary first). For a DRF view, decorate its ``get`` with ``method_decorator``: DRF has
    authenticated the caller on the primary by then. A connection error from the replica,
    in a request that wrote nothing, runs the view again on the primary."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method not in SAFE_METHODS or not configured():
            return view(request, *args, **kwargs)
        with _ensure_state() as state:
            try:
                with replica_reads():
                    return view(request, *args, **kwargs)
            except UNAVAILABLE_ERRORS as exc:
                if not state.used_replica or state.wrote:
                    raise  # the primary's failure, or a retry could write twice
                replica_failed(exc)
                logger.warning("replica read failed, retried on the primary: %s", request.path)
            state.used_replica = False
            state.lag = None
            with primary_reads():
                return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


# --- the router -----------------------------------------------------------------------------


def in_transaction() -> bool:
    """Whether code runs inside ``transaction.atomic()`` on the primary: its reads go there
    too (what a transaction reads decides what it writes). The test case's own outer
    transaction, which wraps every test, is not one (Django marks it ``_from_testcase``)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        return False
    return not all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class ReplicaRouter:
    """Reads to the replica when the request (or job) allows it and the replica is well;
    writes, migrations and everything else to ``default``."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        # Always an alias, never None: Django would otherwise follow an instance's own database
        # (``person.unit`` of a person read from the replica), outside any check.
        state = _state.get()
        if (
            state is None
            or not state.replica
            or state.primary
            or state.pinned
            or state.pin
            or _read_on_primary_only(model)
            or in_transaction()
        ):
            return DEFAULT_DB_ALIAS
        health = replica_health()
        if not health.usable:
            return DEFAULT_DB_ALIAS
        if state.not_before is not None and state.not_before > timezone.now() - timedelta(
            seconds=health.lag or 0.0
        ):
            return DEFAULT_DB_ALIAS
        state.used_replica = True
        state.lag = max(state.lag or 0.0, health.lag or 0.0)
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _state.get()
        if state is not None:
            state.wrote = True
            if not _read_on_primary_only(model) and model._meta.label_lower not in PIN_EXEMPT:
                state.pin = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the same data on both: a row read from the replica may be linked to

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # the standby follows the primary's schema


# --- the replica's health (per process) -----------------------------------------------------


@dataclass(frozen=True)
class ReplicaHealth:
    """The last check of the replica."""

    usable: bool
    lag: float | None  # seconds behind the primary; None when unknown
    problem: str  # "" when usable; "unreachable: OperationalError", "lagging", "not a standby"
    checked_at: float  # time.monotonic()

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.usable else "unused",
            "lag_seconds": None if self.lag is None else round(self.lag, 3),
            "problem": self.problem,
        }


_health: ReplicaHealth | None = None
_checking = False
_lock = threading.Lock()

# Caught up when the last WAL received has been replayed: the lag is then 0 however long ago
# the primary last committed (an idle primary is not a lagging replica). Behind, the lag is
# the age of the last transaction replayed.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


def measure_lag(connection: BaseDatabaseWrapper) -> float | None:
    """Seconds the database of ``connection`` is behind its primary; None if it is not a
    standby. Raises DatabaseError when it cannot be reached."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT 1")  # no streaming replication: reachable is all we learn
            cursor.fetchone()
            return 0.0
        cursor.execute(LAG_SQL)
        row = cursor.fetchone()
    in_recovery, caught_up, seconds = row
    if not in_recovery:
        return None  # promoted, or the primary itself: it no longer follows ``default``
    if caught_up:
        return 0.0
    return math.inf if seconds is None else max(float(seconds), 0.0)


def _check() -> ReplicaHealth:
    now = time.monotonic()
    connection = connections[REPLICA]
    try:
        lag = measure_lag(connection)
    except DatabaseError as exc:
        with suppress(Exception):
            connection.close()  # the next check opens a fresh connection
        logger.warning("replica unreachable: %s", exc.__class__.__name__)
        return ReplicaHealth(False, None, f"unreachable: {exc.__class__.__name__}", now)
    if lag is None:
        return ReplicaHealth(False, None, "not a standby", now)
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return ReplicaHealth(False, None if math.isinf(lag) else lag, "lagging", now)
    return ReplicaHealth(True, lag, "", now)


def replica_health() -> ReplicaHealth:
    """The replica's state, checked at most every ``REPLICA_CHECK_SECONDS`` per process.

    One thread checks; the others keep the last answer meanwhile (before any answer: not
    usable), so a dead replica costs one connect timeout per interval, not one per request."""
    global _health, _checking
    now = time.monotonic()
    with _lock:
        current = _health
        if current is not None and now - current.checked_at < settings.REPLICA_CHECK_SECONDS:
            return current
        if _checking:
            return current or ReplicaHealth(False, None, "being checked", now)
        _checking = True
    result = ReplicaHealth(False, None, "check failed", now)
    try:
        result = _check()
    finally:
        with _lock:
            _health = result
            _checking = False
    return result


def replica_failed(exc: BaseException) -> None:
    """A replica query failed: no reads there until the next check, one interval away."""
    global _health
    with suppress(Exception):
        connections[REPLICA].close()
    with _lock:
        _health = ReplicaHealth(
            False, None, f"unreachable: {exc.__class__.__name__}", time.monotonic()
        )


def reset_health() -> None:
    """Forget the last check (tests; a settings change)."""
    global _health, _checking
    with _lock:
        _health = None
        _checking = False


def last_health() -> ReplicaHealth | None:
    return _health


def health_report() -> dict[str, Any]:
    """The last check of this process for ``/healthz`` (none yet: "unknown"), with its age."""
    health = _health
    if health is None:
        return {"status": "unknown", "lag_seconds": None, "problem": "", "checked_ago": None}
    ago = round(time.monotonic() - health.checked_at, 1)
    return {**health.as_json(), "checked_ago": ago}


# --- pinning --------------------------------------------------------------------------------


def _pin_seconds() -> int:
    """How long a write pins: at least ``REPLICA_PIN_SECONDS``, and past the replica's last
    measured lag (unknown: the most lag it may be read with), so the next read on the replica
    already holds the write."""
    health = _health
    if health is None or health.lag is None:
        lag: float = settings.REPLICA_MAX_LAG_SECONDS
    else:
        lag = health.lag
    return max(int(settings.REPLICA_PIN_SECONDS), math.ceil(lag) + 1)


def pinned(request: HttpRequest) -> bool:
    """Whether the request carries a pin cookie that has not expired (signed: its end is ours)."""
    value = request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT)
    try:
        return value is not None and float(value) > time.time()
    except ValueError:
        return False


def pin(response: HttpResponse) -> None:
    seconds = _pin_seconds()
    response.set_signed_cookie(
        PIN_COOKIE,
        str(int(time.time()) + seconds),
        salt=_PIN_SALT,
        max_age=seconds,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


class ReplicaPinMiddleware:
    """Starts each request's read state (pinned or not) and pins the browser after a write.

    Above SessionMiddleware, so that the session's own writes are seen (and ignored: they do not
    pin). Not used at all without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = ReadState(pinned=pinned(request))
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.pin or request.method not in _UNPINNED_METHODS:
            pin(response)
        return response


# --- freshness ------------------------------------------------------------------------------


def data_as_of(computed_at: datetime | None = None) -> datetime:
    """As of when the figures on this page are true: ``computed_at`` (when stored figures were
    computed; None for figures counted live, now) but never later than the replica's state when
    this request read from it (now minus its lag).

    Stored times travel with their figures through replication, so for them this is ``computed_at``
    unless clocks disagree; live counts from a lagging replica are ``lag`` seconds old."""
    now = timezone.now()
    moment = now if computed_at is None else computed_at
    state = _state.get()
    if state is not None and state.used_replica and state.lag:
        moment = min(moment, now - timedelta(seconds=state.lag))
    return moment


__all__ = [
    "REPLICA",
    "ReplicaHealth",
    "ReplicaPinMiddleware",
    "ReplicaRouter",
    "data_as_of",
    "on_primary",
    "primary_reads",
    "reads_from_replica",
    "replica_health",
    "replica_reads",
]
