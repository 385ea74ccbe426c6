"""The database going away: 503 with a clear message (JSON under /api/, a page elsewhere),
nothing half-written, and a dropped connection replaced before the next request uses it.

The connection-loss test terminates this test's own PostgreSQL session from a second
connection (``pg_terminate_backend``); it needs a server, so it runs in the PostgreSQL suite
(``make test-pg``, and ``.ci/run`` runs the whole suite there). The unreachable-database tests
make every query fail as a refused connection would, on any database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.staff.models import Person

BUSY = "Hệ thống đang bận, công việc của bạn đã được giữ lại."
API_DETAIL = "Hệ thống đang bận: tạm thời không kết nối được cơ sở dữ liệu."


@contextmanager
def database_down(only: str = "") -> Iterator[list[str]]:
    """Every query (or those starting with ``only``) fails as with the server unreachable."""
    refused: list[str] = []

    def refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(only.upper()):
            refused.append(sql)
            raise OperationalError("connection to server failed: Connection refused")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield refused


def client_for(world: Any, user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_api_answers_json_503_in_vietnamese_with_retry_after(world):
    client = client_for(world, world.officer_a)
    with database_down() as refused:
        response = client.get("/api/v1/staff/")
    assert refused  # the database was really asked, and refused
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(settings.DB_UNAVAILABLE_RETRY_AFTER)
    assert response.json()["detail"].startswith(API_DETAIL)


@pytest.mark.django_db
def test_pages_answer_the_friendly_503_without_touching_the_database(world):
    client = client_for(world, world.principal_a1)
    with database_down() as refused:
        response = client.get(reverse("staff_list") + "?q=an")
        after = len(refused)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DB_UNAVAILABLE_RETRY_AFTER)
    page = response.content.decode()
    assert BUSY in page and "<html" in page and "css/app" in page
    assert 'href="/staff/?q=an"' in page  # "Try again" reloads the same page
    assert "Something went wrong" not in page and "(500)" not in page
    assert after >= 1  # the first query failed; rendering the 503 added none
    # The database is back: the next request is answered normally.
    assert client.get(reverse("staff_list")).status_code == 200


@pytest.mark.django_db
def test_a_write_cut_off_by_the_database_leaves_nothing_half_written(world):
    """The service updates the record, then its audit row fails: the whole write rolls back,
    and the page says so (503), offering to go back to what was typed."""
    from opentemis.staff.tests.test_staff_pages import _edit_payload

    client = client_for(world, world.principal_a1)
    with system_scope():
        person = Person.objects.get(pk=world.person_a1.pk)
        payload = _edit_payload(person, phone="0987654321")
    audit_table = AuditEvent._meta.db_table
    with database_down(only=f'INSERT INTO "{audit_table}"') as refused:
        response = client.post(reverse("staff_edit", args=[person.pk]), payload)
    assert refused, "the audit row was never written: the test did not cut the write"
    assert response.status_code == 503
    page = response.content.decode()
    assert BUSY in page and "Quay lại biểu mẫu" in page
    with system_scope():
        stored = Person.objects.get(pk=person.pk)
        assert (stored.phone, stored.version) == (person.phone, person.version)
        assert not AuditEvent.objects.filter(action="staff.update").exists()


@pytest.mark.django_db
def test_other_errors_are_still_500(world, monkeypatch):
    from opentemis.site import views

    client = client_for(world, world.principal_a1)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug, not the database")

    monkeypatch.setattr(views.org_selectors, "home_overview", broken)
    response = client.get(reverse("home"))
    assert response.status_code == 500 and "Retry-After" not in response


# --- a connection the server dropped (PostgreSQL) ----------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="terminates a PostgreSQL session; runs in the PostgreSQL suite (make test-pg, CI)",
)


def _request(path: str, cookie: str) -> int:
    """One request through Django's WSGI handler, as gunicorn makes it: unlike the test
    client, it runs the connection checks of a request's start and end."""
    environ = RequestFactory().get(path, HTTP_COOKIE=cookie).environ
    statuses: list[str] = []
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()
    return int(statuses[0].split()[0])


def _terminate_this_session() -> None:
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError("the session was not terminated")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_terminated_connection_is_replaced_before_the_next_request(world):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # persistent: the case that hurt
    client = Client()
    client.force_login(world.principal_a1)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    assert _request("/", cookie) == 200
    _terminate_this_session()
    assert _request("/", cookie) == 200  # health check: a new connection, no error at all
    assert _request("/", cookie) == 200


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_without_health_checks_the_first_request_is_a_503_not_a_500(world):
    client = Client()
    client.force_login(world.principal_a1)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        assert _request("/", cookie) == 200
        connection.health_check_enabled = False  # read at connect(): this connection's too
        _terminate_this_session()
        assert _request("/", cookie) == 503  # the dead connection is used once: a clear 503
        assert _request("/", cookie) == 200  # closed at the end of that request, replaced
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
