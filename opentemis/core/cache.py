"""A Redis cache that an unreachable Redis cannot turn into errors (docs/operations.md, "Redis").

Django's ``RedisCache`` raises when Redis is down or restarting, so every page that touches the
cache (sessions, sign-in counters, certificate lookups) would answer 500. Here an unreachable
Redis is a miss: reads return their default, writes are dropped, ``add`` reports that nothing
was stored and ``incr`` raises ``ValueError`` as for a missing key (every caller already handles
that). Nothing the cache holds is the only copy of anything: sessions are in the database behind
it (``cached_db``), and the sign-in counters fail open (docs/decisions/0011-sign-in.md).

Three more things keep an outage short and honest:

* Short socket timeouts and at most one immediate retry (for a command that meets a connection
  broken by a restart; redis-py replaces a dead pooled connection when it hands it out), never
  retries with back-off, so a dead Redis costs a request milliseconds, not seconds.
* After a failure, the process leaves Redis alone for ``RETRY_AFTER`` seconds (default 2), so a
  Redis that does not answer at all costs one timeout per process per interval, not one per
  cache call.
* The keys whose ``set`` or ``delete`` was lost are deleted as soon as Redis answers again:
  otherwise a Redis that kept its data through the outage would serve what it held before (a
  session signed out meanwhile would come back from the cache until it expired).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Redis cannot be reached, is still loading its data after a restart (BusyLoadingError is a
# ConnectionError), or is a replica after a failover (read-only).
UNAVAILABLE: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ReadOnlyError,
    OSError,
)
# Connection options unless OPTIONS says otherwise (seconds).
DEFAULT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
    "retry": Retry(NoBackoff(), 1),
}
WARN_EVERY = 60.0  # seconds between two warnings of one process about the same outage
MAX_LOST_KEYS = 10_000  # lost writes remembered per process (keys only, ~1 MB)


class _Health:
    """What one process knows of one Redis: whether to leave it alone, what it failed to write.

    Shared by the process's threads (Django makes one cache object per thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.last_warning = 0.0
        self.lost: set[str] = set()
        self.overflow = False


_HEALTH: dict[tuple[str, str], _Health] = {}
_HEALTH_LOCK = threading.Lock()


def _health(server: str, key_prefix: str) -> _Health:
    with _HEALTH_LOCK:
        return _HEALTH.setdefault((server, key_prefix), _Health())


class TolerantRedisCache(RedisCache):
    """``RedisCache`` whose operations treat an unreachable Redis as a miss (module docstring).

    ``OPTIONS`` takes redis-py's connection options, and ``RETRY_AFTER``: seconds the process
    leaves Redis alone after a failure.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 2.0))
        super().__init__(server, {**params, "OPTIONS": {**DEFAULT_OPTIONS, **options}})
        # For the log: host, port and database, never the password a URL may carry.
        url = urlsplit(re.split("[;,]", server)[0])
        self._where = f"{url.hostname}:{url.port or 6379}{url.path}"
        self._health = _health(server, self.key_prefix)

    # --- the guard ---------------------------------------------------------------------------

    def _guard(self, op: str, call: Callable[[], T], fallback: T, lost: Iterable[str] = ()) -> T:
        """Run ``call``; when Redis is unavailable, remember ``lost`` keys and return
        ``fallback``."""
        health = self._health
        if time.monotonic() < health.down_until:
            self._remember(lost)
            return fallback
        try:
            self._forget_lost()
            return call()
        except UNAVAILABLE as exc:
            health.down_until = time.monotonic() + self.retry_after
            self._remember(lost)
            self._warn(op, exc)
            return fallback

    def _remember(self, keys: Iterable[str]) -> None:
        health = self._health
        with health.lock:
            for key in keys:
                if len(health.lost) >= MAX_LOST_KEYS:
                    health.overflow = True
                    break
                health.lost.add(key)

    def _forget_lost(self) -> None:
        """Delete the keys whose writes were lost, before anything else is read or written."""
        health = self._health
        if not health.lost:  # the common case, without the lock
            return
        with health.lock:
            lost, health.lost = health.lost, set()
            overflow, health.overflow = health.overflow, False
        if not lost:
            return
        try:
            self._cache.delete_many(list(lost))
        except UNAVAILABLE:
            with health.lock:
                health.lost |= lost
                health.overflow |= overflow
            raise
        logger.warning(
            "Redis cache %s answers again: deleted %d entries whose writes were lost%s",
            self._where,
            len(lost),
            " (more were lost than remembered: they stay until they expire)" if overflow else "",
        )

    def _warn(self, op: str, exc: Exception) -> None:
        health = self._health
        now = time.monotonic()
        with health.lock:
            due = now - health.last_warning >= WARN_EVERY
            if due:
                health.last_warning = now
        if due:
            logger.warning(
                "Redis cache %s unavailable (%s: %s); treated as a miss for %.0f s",
                self._where,
                op,
                exc,
                self.retry_after,
            )
        else:
            logger.debug("Redis cache unavailable (%s: %s)", op, exc)

    def _key(self, key: Any, version: int | None) -> str:
        made: str = self.make_and_validate_key(key, version=version)
        return made

    # --- the operations ----------------------------------------------------------------------

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard(
            "add", lambda: bool(RedisCache.add(self, key, value, timeout, version)), False
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", lambda: RedisCache.get(self, key, default, version), default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard(
            "set",
            lambda: RedisCache.set(self, key, value, timeout, version),
            None,
            lost=[self._key(key, version)],
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "touch", lambda: bool(RedisCache.touch(self, key, timeout, version)), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(
            "delete",
            lambda: bool(RedisCache.delete(self, key, version)),
            False,
            lost=[self._key(key, version)],
        )

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guard("get_many", lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", lambda: bool(RedisCache.has_key(self, key, version)), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        value = self._guard("incr", lambda: int(RedisCache.incr(self, key, delta, version)), None)
        if value is None:
            # What a missing key answers: the callers start the count again (or not at all).
            raise ValueError(f"Key '{key}' not found (Redis unavailable).")
        return value

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        failed: list[Any] = list(data)
        return self._guard(
            "set_many",
            lambda: RedisCache.set_many(self, data, timeout, version),
            failed,
            lost=[self._key(key, version) for key in data],
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._guard(
            "delete_many",
            lambda: RedisCache.delete_many(self, keys, version),
            None,
            lost=[self._key(key, version) for key in keys],
        )

    def clear(self) -> None:
        # A lost clear is not remembered: the entries stay until they expire.
        self._guard("clear", lambda: RedisCache.clear(self), None)
