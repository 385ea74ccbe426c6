"""Reads from the replica (decision 0026): the router's choices, pinning after a write, the lag
limit, the fallback when the replica cannot be reached, and the lag-adjusted freshness text.

The suite has no replica: each test declares the ``replica`` alias for its own length, either
as the test database's own connection (the same rows, in the test's transaction; the lag check
is replaced by a figure the test chooses) or as a PostgreSQL server on a closed port (a dead
replica: nothing replaced). So the tests run the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import runpy
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.db import OperationalError, connections, router, transaction
from django.db.utils import load_backend
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

import opentemis.settings
from opentemis.accounts.models import AuditEvent, User
from opentemis.core import replicas
from opentemis.core.replicas import (
    PIN_COOKIE,
    REPLICA,
    ReadState,
    ReplicaPinMiddleware,
    ReplicaRouter,
    data_as_of,
    primary_reads,
    reads_from_replica,
    replica_health,
    replica_reads,
)
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear
from opentemis.staff.models import Person

ROUTER = "opentemis.core.replicas.ReplicaRouter"


@pytest.fixture(autouse=True)
def _replica_settings(settings: Any) -> Iterator[None]:
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.REPLICA_PIN_SECONDS = 10
    settings.REPLICA_MAX_LAG_SECONDS = 30
    settings.REPLICA_CHECK_SECONDS = 5
    replicas.reset_health()
    yield
    replicas.reset_health()


@contextmanager
def replica_alias(settings_dict: dict[str, Any] | None = None) -> Iterator[None]:
    """Declare the ``replica`` alias: the test database's own connection (None), or a server
    described by ``settings_dict``."""
    if settings_dict is None:
        connections.settings[REPLICA] = connections.settings["default"]
        connections[REPLICA] = connections["default"]
    else:
        configured = connections.configure_settings(
            {"default": connections.settings["default"], REPLICA: settings_dict}
        )[REPLICA]
        connections.settings[REPLICA] = configured
        # Made by hand under another name: the test case refuses to connect to a declared
        # alias it was not told about, and this one is declared after it started.
        backend = load_backend(configured["ENGINE"])
        connections[REPLICA] = backend.DatabaseWrapper(configured, "replica_under_test")
    try:
        yield
    finally:
        if settings_dict is not None:
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: connections are refused


def dead_replica() -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "opentemis",
        "USER": "opentemis",
        "PASSWORD": "x",
        "HOST": "127.0.0.1",
        "PORT": str(closed_port()),
        "OPTIONS": {"connect_timeout": 2},
    }


@pytest.fixture
def lag(monkeypatch: pytest.MonkeyPatch) -> dict[str, float | None]:
    """The replica's measured lag, as the test sets it (``{"seconds": ...}``)."""
    measured: dict[str, float | None] = {"seconds": 0.0, "checks": 0}

    def measure(connection: Any) -> float | None:
        measured["checks"] = (measured["checks"] or 0) + 1
        return measured["seconds"]

    monkeypatch.setattr(replicas, "measure_lag", measure)
    return measured


@pytest.fixture
def same_replica(lag: dict[str, float | None]) -> Iterator[None]:
    with replica_alias():
        yield


@pytest.fixture
def choices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every read decision of the router: (model label, alias)."""
    seen: list[tuple[str, str]] = []
    decide = ReplicaRouter.db_for_read

    def spy(self: ReplicaRouter, model: Any, **hints: Any) -> str:
        alias = decide(self, model, **hints)
        seen.append((model._meta.label_lower, alias))
        return alias

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    return seen


@contextmanager
def state(**values: Any) -> Iterator[ReadState]:
    token = replicas._state.set(ReadState(**values))
    try:
        yield replicas._state.get()  # type: ignore[misc]
    finally:
        replicas._state.reset(token)


# --- the router's choices -------------------------------------------------------------------


@pytest.mark.django_db
def test_router_reads_from_the_replica_only_where_allowed(same_replica):
    assert router.db_for_read(Person) == "default"  # no request state: the primary
    with state():
        assert router.db_for_read(Person) == "default"  # unmarked code
        with replica_reads():
            assert router.db_for_read(Person) == REPLICA
            assert router.db_for_read(User) == "default"  # roles and tokens: the primary
            with primary_reads():
                assert router.db_for_read(Person) == "default"
            with transaction.atomic():
                assert router.db_for_read(Person) == "default"  # a transaction's reads
            assert router.db_for_read(Person) == REPLICA
    with state(pinned=True), replica_reads():
        assert router.db_for_read(Person) == "default"
    assert router.db_for_write(Person) == "default"


@pytest.mark.django_db
def test_a_write_sends_the_rest_of_the_request_to_the_primary_but_an_audited_read_does_not(
    same_replica,
):
    with state() as current, replica_reads():
        router.db_for_write(AuditEvent)  # the audit of a read: bookkeeping
        assert router.db_for_read(Person) == REPLICA
        assert current.wrote and not current.pin
        router.db_for_write(Person)
        assert current.pin
        assert router.db_for_read(Person) == "default"


@pytest.mark.django_db
def test_lag_over_the_limit_reads_from_the_primary(same_replica, lag, settings):
    lag["seconds"] = 45.0
    with state(), replica_reads():
        assert router.db_for_read(Person) == "default"
    health = replica_health()
    assert (health.usable, health.problem, health.lag) == (False, "lagging", 45.0)
    settings.REPLICA_CHECK_SECONDS = 0  # checked again at once
    lag["seconds"] = 3.0
    with state() as current, replica_reads():
        assert router.db_for_read(Person) == REPLICA
        assert current.lag == 3.0


@pytest.mark.django_db
def test_a_job_reads_the_replica_only_once_it_holds_the_moment_the_job_was_asked_for(
    same_replica, lag
):
    lag["seconds"] = 20.0
    asked = timezone.now() - dt.timedelta(seconds=5)
    with replica_reads(not_before=asked):
        assert router.db_for_read(Person) == "default"  # the replica is 20 s behind
    with replica_reads(not_before=timezone.now() - dt.timedelta(seconds=60)):
        assert router.db_for_read(Person) == REPLICA


class _Standby:
    """A PostgreSQL connection whose lag query answers ``row``."""

    vendor = "postgresql"

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.row = row
        self.sql: list[str] = []

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        standby = self

        class Cursor:
            def execute(self, sql: str) -> None:
                standby.sql.append(sql)

            def fetchone(self) -> tuple[Any, ...]:
                return standby.row

        yield Cursor()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ((True, True, 7200.0), 0.0),  # caught up after an idle hour: not lagging
        ((True, False, 12.5), 12.5),  # behind: the age of the last transaction replayed
        ((True, False, None), float("inf")),  # behind, nothing replayed yet: unknown
        ((False, False, None), None),  # promoted, or the primary itself: not a standby
    ],
)
def test_the_lag_is_read_from_the_standbys_replay_position(row, expected):
    standby = _Standby(row)
    assert replicas.measure_lag(standby) == expected  # type: ignore[arg-type]
    assert "pg_last_wal_replay_lsn()" in standby.sql[0]


# --- a dead replica ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unreachable_replica_is_found_fast_and_reads_fall_back_to_the_primary(settings):
    with replica_alias(dead_replica()):
        started = time.monotonic()
        with state(), replica_reads():
            assert router.db_for_read(Person) == "default"
            with system_scope():
                assert Person.objects.count() >= 0  # the query itself runs, on the primary
        assert time.monotonic() - started < 2
        health = replica_health()
        assert not health.usable
        assert health.problem == "unreachable: OperationalError"
        # Not asked again before the interval: the same answer, no new connection attempt.
        assert replica_health() is health
        settings.REPLICA_CHECK_SECONDS = 0
        assert replica_health() is not health


@pytest.mark.django_db
def test_a_marked_view_whose_replica_fails_is_answered_from_the_primary(world, lag):
    """The check said well (replaced here); the replica died before the query."""

    @reads_from_replica
    def view(request: HttpRequest) -> HttpResponse:
        with system_scope():
            return HttpResponse(str(Person.objects.count()))

    with replica_alias(dead_replica()):
        request = RequestFactory().get("/")
        response = view(request)
        with system_scope():
            assert response.content == str(Person.objects.count()).encode()
        assert not replicas.last_health().usable  # type: ignore[union-attr]
        assert lag["checks"] == 1


@pytest.mark.django_db
def test_a_marked_view_that_wrote_before_the_replica_failed_is_not_run_twice(world, lag):
    runs: list[int] = []

    @reads_from_replica
    def view(request: HttpRequest) -> HttpResponse:
        runs.append(1)
        SchoolYear.objects.filter(pk=world.year.pk).update(code=world.year.code)
        with system_scope():
            return HttpResponse(str(Person.objects.count()))

    with replica_alias(dead_replica()):
        # The write pins the rest of the request to the primary: no replica read, no failure.
        assert view(RequestFactory().get("/")).status_code == 200
    assert runs == [1]

    @reads_from_replica
    def audited(request: HttpRequest) -> HttpResponse:
        runs.append(2)
        router.db_for_write(AuditEvent)  # wrote (bookkeeping), then reads the replica
        with system_scope():
            return HttpResponse(str(Person.objects.count()))

    with replica_alias(dead_replica()), pytest.raises(OperationalError):
        audited(RequestFactory().get("/"))
    assert runs == [1, 2]


@pytest.mark.django_db
def test_healthz_reports_a_dead_replica_and_still_answers_200(client):
    with replica_alias(dead_replica()):
        before = client.get("/healthz").json()  # no check yet, and healthz makes none
        replica_health()  # a page's read checked it
        response = client.get("/healthz")
    assert before["replica"]["status"] == "unknown"
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["replica"]["status"] == "unused"
    assert body["replica"]["problem"] == "unreachable: OperationalError"
    assert 0 <= body["replica"]["checked_ago"] < 5


# --- views and pinning ------------------------------------------------------------------------


def _replica_reads(seen: list[tuple[str, str]]) -> set[str]:
    return {label for label, alias in seen if alias == REPLICA}


@pytest.mark.django_db
def test_a_marked_page_reads_from_the_replica_and_its_user_from_the_primary(
    world, same_replica, choices
):
    client = world.client_for(world.officer_a)
    response = client.get(reverse("staff_list"))
    assert response.status_code == 200
    assert "staff.person" in _replica_reads(choices)
    assert ("accounts.user", "default") in choices
    assert not _replica_reads(choices) & {"sessions.session", "accounts.user"}
    # The audit of the read is written (on the primary) and does not pin the browser.
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db
def test_unmarked_pages_and_writes_read_from_the_primary(world, same_replica, choices):
    client = world.client_for(world.officer_a)
    assert client.get(reverse("staff_detail", args=[world.person_a1.pk])).status_code == 200
    assert client.post(reverse("staff_list")).status_code == 200  # a POST to a marked view
    assert not _replica_reads(choices)
    assert choices  # the router was asked


@pytest.mark.django_db
def test_a_write_pins_the_browser_to_the_primary_until_the_cookie_expires(
    world, same_replica, choices, settings
):
    replica_health()  # caught up: the pin lasts REPLICA_PIN_SECONDS
    client = world.client_for(world.officer_a)
    response = client.post(reverse("staff_list"))
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 10
    assert cookie["httponly"]
    choices.clear()
    client.get(reverse("staff_list"))
    assert not _replica_reads(choices)  # pinned: the person sees their own write
    # On another node (a new client with the same cookie) too: the cookie is the pin.
    other = world.client_for(world.officer_a)
    other.cookies[PIN_COOKIE] = cookie.value
    choices.clear()
    other.get(reverse("staff_list"))
    assert not _replica_reads(choices)
    # A forged or expired pin is ignored.
    signer = signing.get_cookie_signer(salt=PIN_COOKIE + replicas._PIN_SALT)
    for value in ("1", signer.sign(str(int(time.time()) - 1))):
        other.cookies[PIN_COOKIE] = value
        choices.clear()
        other.get(reverse("staff_list"))
        assert "staff.person" in _replica_reads(choices)


@pytest.mark.django_db
def test_a_get_that_writes_pins_and_the_pin_outlasts_the_replicas_lag(world, same_replica, lag):
    lag["seconds"] = 25.0
    replica_health()

    def view(request: HttpRequest) -> HttpResponse:
        router.db_for_write(Person)
        return HttpResponse("ok")

    response = ReplicaPinMiddleware(view)(RequestFactory().get("/"))
    assert response.cookies[PIN_COOKIE]["max-age"] == 26  # past the lag, not just 10 s
    quiet = ReplicaPinMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert PIN_COOKIE not in quiet.cookies


@pytest.mark.django_db
def test_the_report_api_reads_from_the_replica(world, same_replica, choices):
    client = world.client_for(world.officer_a)
    response = client.get(f"/api/v1/reports/units/{world.province_a.pk}/")
    assert response.status_code == 200
    assert "reports.evalcell" in _replica_reads(choices)
    # The freshness decision and the refresh's change feed were read on the primary.
    assert ("reports.reportstate", "default") in choices


# --- freshness --------------------------------------------------------------------------------


def test_data_as_of_is_never_later_than_the_replica():
    now = timezone.now()
    computed = now - dt.timedelta(minutes=10)
    assert data_as_of(computed) == computed  # no replica read
    assert abs((data_as_of() - now).total_seconds()) < 1  # live figures, from the primary
    with state(used_replica=True, lag=120.0):
        assert data_as_of(computed) == computed  # stored figures carry their own time
        live = data_as_of()
        assert 119 < (now - live).total_seconds() < 122  # live figures are the replica's
        late = now + dt.timedelta(seconds=5)  # a clock ahead of the replica's state
        assert data_as_of(late) <= now - dt.timedelta(seconds=119)


def test_the_freshness_tag_shows_the_lag_adjusted_time():
    template = Template('{% load freshness %}{% data_as_of as t %}{{ t|date:"H:i:s" }}')
    with state(used_replica=True, lag=3600.0):
        before = timezone.localtime(timezone.now() - dt.timedelta(seconds=3600))
        shown = template.render(Context())
        after = timezone.localtime(timezone.now() - dt.timedelta(seconds=3600))
    assert shown in {before.strftime("%H:%M:%S"), after.strftime("%H:%M:%S")}


@pytest.mark.django_db
def test_the_report_page_says_when_the_replica_was(world, same_replica, lag, settings):
    """End to end: a marked page read from a replica an hour behind says so."""
    settings.REPLICA_MAX_LAG_SECONDS = 7200
    lag["seconds"] = 3600.0
    client = world.client_for(world.officer_a)
    before = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%H:%M %d/%m/%Y")
    response = client.get(reverse("report_unit", args=[world.province_a.pk]))
    after = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%H:%M %d/%m/%Y")
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Số liệu tính đến {before}" in text or f"Số liệu tính đến {after}" in text


# --- settings -------------------------------------------------------------------------------


def test_settings_declare_the_replica_only_with_its_url(monkeypatch):
    path = Path(opentemis.settings.__file__)
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    plain = runpy.run_path(str(path))
    assert "replica" not in plain["DATABASES"]
    assert plain["DATABASE_ROUTERS"] == []
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@primary:5432/opentemis")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql://u:p@standby:5432/opentemis")
    replica = runpy.run_path(str(path))
    declared = replica["DATABASES"]["replica"]
    assert declared["HOST"] == "standby"
    assert declared["OPTIONS"]["connect_timeout"] == 2
    assert declared["TEST"] == {"MIRROR": "default"}
    primary = replica["DATABASES"]["default"]
    assert declared["CONN_HEALTH_CHECKS"] == primary["CONN_HEALTH_CHECKS"]
    assert declared["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"]
    assert replica["DATABASE_ROUTERS"] == [ROUTER]
