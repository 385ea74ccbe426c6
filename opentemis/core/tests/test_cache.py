"""The Redis cache that an unreachable Redis cannot turn into errors (opentemis/core/cache.py).

Against a closed port (no server), and against the real Redis of the machine (CI runs one) at
``REDIS_TEST_URL``, default database 11, each test under its own key prefix so parallel runs
and other users of that Redis do not meet. Without a Redis there these tests fail, they do not
skip.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

import pytest
import redis
from redis.exceptions import ConnectionError as RedisConnectionError

from opentemis.core.cache import TolerantRedisCache

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/11")


def closed_port_url() -> str:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def make_cache(location: str, prefix: str = "", **options: Any) -> TolerantRedisCache:
    return TolerantRedisCache(
        location, {"KEY_PREFIX": prefix or f"test-{uuid.uuid4().hex}", "OPTIONS": options}
    )


@pytest.fixture
def real() -> TolerantRedisCache:
    # The real server must be there: a connection error here fails the test.
    redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    return make_cache(REDIS_TEST_URL, RETRY_AFTER=0)


def break_redis(cache: TolerantRedisCache, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Redis call of ``cache`` fails as if the server were gone."""

    def gone(*args: Any, **kwargs: Any) -> Any:
        raise RedisConnectionError("Connection refused (simulated)")

    monkeypatch.setattr(cache._cache, "get_client", gone)


def test_no_server_is_a_miss_and_writes_are_dropped(caplog):
    cache = make_cache(closed_port_url())
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="opentemis.core.cache"):
        assert cache.get("k") is None
        assert cache.get("k", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        cache.set("k", 1)
        assert cache.add("k", 1) is False
        with pytest.raises(ValueError):
            cache.incr("k")
        assert cache.has_key("k") is False
        assert cache.touch("k", 10) is False
        assert cache.delete("k") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        cache.delete_many(["a", "b"])
        cache.clear()
        assert cache.get_or_set("k", 5) == 5
    # Connection refused is immediate, and the process leaves Redis alone for a while after it.
    assert time.monotonic() - started < 1.0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one warning per outage, not one per call
    assert "unavailable" in warnings[0].getMessage()


def test_a_url_password_is_not_logged(caplog):
    url = closed_port_url().replace("redis://", "redis://:s3cret-pw@")
    with caplog.at_level(logging.WARNING, logger="opentemis.core.cache"):
        assert make_cache(url).get("k") is None
    assert caplog.records
    assert all("s3cret-pw" not in r.getMessage() for r in caplog.records)


def test_after_a_failure_redis_is_left_alone_for_retry_after(monkeypatch):
    cache = make_cache(closed_port_url(), RETRY_AFTER=30)
    calls = []
    original = cache._cache.get_client

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(cache._cache, "get_client", counting)
    for _ in range(5):
        assert cache.get("k") is None
    assert len(calls) == 1


def test_the_real_redis_stores_and_counts(real):
    real.set("k", {"a": 1}, 60)
    assert real.get("k") == {"a": 1}
    assert real.add("n", 1, 60) is True
    assert real.add("n", 1, 60) is False
    assert real.incr("n") == 2
    assert real.touch("n", 60) is True
    assert real.get_many(["k", "n", "missing"]) == {"k": {"a": 1}, "n": 2}
    assert real.delete("k") is True
    assert real.get("k") is None
    with pytest.raises(ValueError):
        real.incr("missing")
    real.delete_many(["n"])


def test_writes_lost_in_an_outage_are_deleted_when_redis_answers_again(real, monkeypatch, caplog):
    """A Redis that kept its data through an outage must not serve what the outage hid: a
    session signed out meanwhile (its cache entry's delete was lost) would come back."""
    real.set("signed-out", "session", 60)
    real.set("changed", "old", 60)
    real.set("untouched", "kept", 60)

    with monkeypatch.context() as outage:
        break_redis(real, outage)
        assert real.delete("signed-out") is False
        real.set("changed", "new", 60)
        assert real.get("changed") is None

    with caplog.at_level(logging.WARNING, logger="opentemis.core.cache"):
        assert real.get("signed-out") is None
    assert real.get("changed") is None  # not the old value: the next reader takes the database's
    assert real.get("untouched") == "kept"
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_a_connection_broken_by_a_restart_is_replaced_without_an_error(real, caplog):
    """A Redis restart breaks the pooled connections; the next call reconnects instead of
    answering a miss or an error. The restart is simulated by the server closing this client's
    own connection (CLIENT KILL ID), which leaves the other clients of that Redis alone."""
    real.set("k", "v", 60)
    client = real._cache.get_client()
    pool = client.connection_pool
    connection = pool.get_connection()
    connection.send_command("CLIENT", "ID")
    connection_id = connection.read_response()
    pool.release(connection)
    redis.Redis.from_url(REDIS_TEST_URL).client_kill_filter(_id=connection_id)

    with caplog.at_level(logging.WARNING, logger="opentemis.core.cache"):
        assert real.get("k") == "v"
    assert not caplog.records


def test_what_one_thread_lost_another_cleans_up(real, monkeypatch):
    """Django makes one cache object per thread; the outage and the lost writes are the
    process's, so the next thread to reach Redis deletes what the first one could not."""
    other_thread = make_cache(REDIS_TEST_URL, prefix=real.key_prefix, RETRY_AFTER=0)
    real.set("signed-out", "session", 60)
    with monkeypatch.context() as outage:
        break_redis(real, outage)
        real.delete("signed-out")
    assert other_thread.get("signed-out") is None
