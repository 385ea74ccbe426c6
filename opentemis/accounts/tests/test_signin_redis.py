"""Sign-in and sessions on the production configuration with Redis (issue 15, multi-node).

``REDIS_URL`` set means: the tolerant Redis cache (opentemis/core/cache.py) and ``cached_db``
sessions. Redis down: signing in, pages, the API token and the sign-in counters keep working
(the counters fail open, with a warning). Redis restarted empty: nobody is signed out. Redis
back after an outage: a session signed out meanwhile does not come back from the cache.
The real Redis is the machine's (opentemis/core/tests/test_cache.py); these tests fail, not
skip, without it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_CACHE_PREFIX
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from opentemis.accounts import signin
from opentemis.core.tests.test_cache import REDIS_TEST_URL, break_redis, closed_port_url

PASSWORD = "Mat-khau-2025!"  # tests/factories.make_user's default
CACHED_DB = "django.contrib.sessions.backends.cached_db"


def _redis_caches(location: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "opentemis.core.cache.TolerantRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {"RETRY_AFTER": 0},
        }
    }


@pytest.fixture
def redis_down(settings: Any) -> None:
    settings.CACHES = _redis_caches(closed_port_url())
    settings.SESSION_ENGINE = CACHED_DB


@pytest.fixture
def redis_up(settings: Any) -> None:
    redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()  # must be there
    settings.CACHES = _redis_caches(REDIS_TEST_URL)
    settings.SESSION_ENGINE = CACHED_DB


def _sign_in(client: Client, username: str = "teacher_a1", password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_redis_url_selects_the_tolerant_cache_and_cached_db_sessions():
    """The settings as a deployment reads them (a fresh interpreter with REDIS_URL set)."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'opentemis.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'],"
        " s.SESSION_ENGINE, s.SESSION_COOKIE_AGE)"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/3"}
    env.pop("SESSION_IDLE_HOURS", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(django_settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [
        "opentemis.core.cache.TolerantRedisCache",
        "redis://127.0.0.1:6379/3",
        CACHED_DB,
        str(12 * 3600),
    ]


def test_with_redis_down_people_sign_in_and_work(world, redis_down, caplog):
    client = Client(REMOTE_ADDR="10.0.1.1")
    with caplog.at_level(logging.WARNING, logger="opentemis.core.cache"):
        assert _sign_in(client).status_code == 302
        assert client.get(reverse("home")).status_code == 200
        token = APIClient(REMOTE_ADDR="10.0.1.1").post(
            "/api/v1/auth/token/",
            {"username": "officer_a", "password": PASSWORD},
            format="json",
        )
    assert token.status_code == 200, token.content
    assert any("unavailable" in r.getMessage() for r in caplog.records)


def test_with_redis_down_the_address_limit_fails_open(world, redis_down, settings):
    """The per-address counters cannot count without Redis: wrong passwords are refused as
    usual (and django-axes' lockout, in the database, still applies), nobody is refused for
    the address, and the right password still signs in."""
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="10.0.1.2")
    for _ in range(3):
        assert _sign_in(client, password="Sai-mat-khau-1").status_code == 200
    assert signin.address_failures("10.0.1.2") == 0
    assert _sign_in(client, username="principal_a1").status_code == 302


def test_with_redis_up_the_address_limit_counts_in_redis(world, redis_up, settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="10.0.1.3")
    for _ in range(2):
        assert _sign_in(client, password="Sai-mat-khau-1").status_code == 200
    assert signin.address_failures("10.0.1.3") == 2
    # Over the budget: an account without standing at this address is refused unchecked.
    assert _sign_in(Client(REMOTE_ADDR="10.0.1.3"), username="officer_a").status_code == 429


def test_a_redis_restart_signs_nobody_out(world, redis_up):
    client = Client(REMOTE_ADDR="10.0.1.4")
    assert _sign_in(client).status_code == 302
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert cache.get(SESSION_CACHE_PREFIX + key) is not None  # read from Redis

    cache.delete(SESSION_CACHE_PREFIX + key)  # what a restart without persistence leaves

    assert client.get(reverse("home")).status_code == 200  # from the database
    assert cache.get(SESSION_CACHE_PREFIX + key) is not None  # and cached again


def test_a_sign_out_during_an_outage_stays_signed_out(world, redis_up, monkeypatch):
    client = Client(REMOTE_ADDR="10.0.1.5")
    assert _sign_in(client).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    name = django_settings.SESSION_COOKIE_NAME
    stolen = Client(REMOTE_ADDR="10.0.1.5")  # a copy of the session cookie, kept elsewhere
    stolen.cookies[name] = client.cookies[name].value

    from django.core.cache import caches

    with monkeypatch.context() as outage:
        break_redis(caches["default"], outage)
        assert client.post(reverse("logout")).status_code == 302

    # Redis kept the session's entry through the outage; it must not sign the cookie back in.
    response = stolen.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
