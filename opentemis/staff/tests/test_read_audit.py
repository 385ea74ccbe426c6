"""The audit of reads (decision 0012): one audit row per request that reads other people's staff
records or exports them (who, which, how many, with which filters), never one per person; none
for reading one's own record; one INSERT and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.accounts.audit_text import describe
from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import actor_scope, system_scope
from tests.factories import PersonFactory


def _events(action: str = "reads.") -> list[AuditEvent]:
    with system_scope():
        return list(AuditEvent.objects.filter(action__startswith=action).order_by("id"))


def _api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_list_page_is_one_row_with_the_ids_shown_and_the_filters(world: Any) -> None:
    for i in range(60):
        PersonFactory(unit=world.school_a1, full_name=f"Người Thứ {i}")
    client = world.client_for(world.officer_a)
    response = client.get("/staff/", {"unit": world.school_a1.pk, "gender": "M", "page": "1"})
    assert response.status_code == 200
    [event] = _events()
    assert event.action == "reads.staff_list" and event.actor == world.officer_a
    assert event.unit == world.school_a1
    ids = event.changes["ids"]
    assert len(ids) == event.changes["count"] == 50  # the page shown, not the 60 matches
    with system_scope():
        assert set(ids) <= set(world.school_a1.staff.values_list("id", flat=True))
    assert event.changes["filters"] == {"unit": world.school_a1.pk, "gender": "M", "page": 1}
    assert event.changes["via"] == "page"


def test_the_audit_costs_one_insert_and_nothing_per_person(world: Any) -> None:
    for _ in range(30):
        PersonFactory(unit=world.school_a1)
    client = world.client_for(world.officer_a)
    url = f"/staff/?unit={world.school_a1.pk}"
    client.get(url)  # warm the session and caches
    with override_settings(AUDIT_READS=False), CaptureQueriesContext(connection) as off:
        client.get(url)
    with CaptureQueriesContext(connection) as on:
        client.get(url)

    def inserts(ctx: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]

    assert len(on.captured_queries) == len(off.captured_queries) + 1
    assert inserts(off) == []
    assert [sql.split()[:3] for sql in inserts(on)] == [["INSERT", "INTO", '"accounts_auditevent"']]


def test_reading_someone_elses_record_is_recorded_and_ones_own_is_not(world: Any) -> None:
    world.client_for(world.principal_a1).get(f"/staff/{world.person_a1.pk}/")
    world.client_for(world.teacher_a1).get(f"/staff/{world.person_a1.pk}/")  # their own
    _api(world.teacher_a1).get(f"/api/v1/staff/{world.person_a1.pk}/")  # their own again
    [event] = _events()
    assert event.action == "reads.staff_record"
    assert event.actor == world.principal_a1
    assert event.object_id == str(world.person_a1.pk) and event.unit == world.school_a1


def test_the_edit_page_is_a_read_too(world: Any) -> None:
    world.client_for(world.principal_a1).get(f"/staff/{world.person_a1.pk}/edit/")
    assert [e.action for e in _events()] == ["reads.staff_record"]


def test_api_list_and_record_are_recorded_with_the_channel(world: Any) -> None:
    api = _api(world.officer_a)
    api.get("/api/v1/staff/", {"q": "nguyen"})
    api.get(f"/api/v1/staff/{world.person_a2.pk}/")
    listing, record = _events()
    assert listing.action == "reads.staff_list" and listing.changes["via"] == "api"
    assert listing.unit == world.province_a  # the officer's one subtree: in its audit log
    assert listing.changes["filters"] == {"q": "nguyen"}
    assert listing.changes["ids"] == [world.person_a1.pk]
    assert record.action == "reads.staff_record" and record.changes["via"] == "api"


def test_an_export_is_one_row_with_its_row_count(world: Any) -> None:
    for _ in range(7):
        PersonFactory(unit=world.school_a2)
    response = world.client_for(world.officer_a).get(
        "/staff/export.xlsx", {"unit": world.province_a.pk}
    )
    b"".join(response.streaming_content)
    [event] = _events()
    assert event.action == "reads.staff_export"
    # Everyone of province A: the principal, two teachers and the seven added.
    assert event.changes["count"] == 10 and "ids" not in event.changes
    assert event.changes["filters"] == {"unit": world.province_a.pk, "sensitive": True}


def test_a_refused_read_leaves_no_read_event(world: Any) -> None:
    """B's principal asking for A's person: 404, and nothing was read."""
    response = world.client_for(world.principal_b1).get(f"/staff/{world.person_a1.pk}/")
    assert response.status_code == 404
    assert _events() == []


@override_settings(AUDIT_READS=False)
def test_switched_off_it_records_nothing(world: Any) -> None:
    world.client_for(world.officer_a).get("/staff/")
    world.client_for(world.officer_a).get(f"/staff/{world.person_a1.pk}/")
    assert _events() == []


@pytest.mark.parametrize("lang", ["vi"])
def test_read_events_read_as_vietnamese_sentences_in_the_audit_log(world: Any, lang: str) -> None:
    officer = world.client_for(world.officer_a)
    officer.get("/staff/", {"unit": world.school_a1.pk})
    officer.get(f"/staff/{world.person_a2.pk}/")
    b"".join(officer.get("/staff/export.xlsx", {"unit": world.school_a2.pk}).streaming_content)
    with system_scope():
        entries = describe(_events())
    sentences = [e.sentence for e in entries]
    assert sentences[0].endswith("đã xem danh sách cán bộ: 2 hồ sơ.")
    assert sentences[1].endswith("đã xem hồ sơ cán bộ của Hoàng Thị Đào (GVA2).")
    assert sentences[2].endswith("đã xuất danh sách cán bộ ra Excel: 1 hồ sơ.")
    details = dict(entries[0].details)
    assert details["Qua"] == "trang web"
    # And the audit log page lists them under their own heading.
    page = officer.get("/audit/", {"action": "reads."}).content.decode()
    assert "Xem và xuất dữ liệu cá nhân" in page and "đã xem hồ sơ cán bộ" in page


def test_outside_a_transaction_the_row_is_one_statement_with_a_relaxed_commit(world: Any) -> None:
    """The production path (no enclosing transaction; faked here, since a test runs inside one,
    and a transactional test would flush the reference data other tests need): on PostgreSQL one
    INSERT that turns ``synchronous_commit`` off for its own transaction and writes the same row
    as ``audit()``; elsewhere ``audit()`` itself."""
    from opentemis.accounts.read_audit import audit_read

    wrapper = connections["default"]
    wrapper.in_atomic_block = False
    try:
        with actor_scope(world.officer_a), CaptureQueriesContext(connection) as ctx:
            audit_read(
                actor=world.officer_a,
                action="reads.staff_record",
                unit=world.school_a1,
                obj=world.person_a1,
                ids=[1, 2],
                filters={"q": "an"},
            )
    finally:
        wrapper.in_atomic_block = True
    [sql] = [q["sql"] for q in ctx.captured_queries]
    [event] = _events()
    assert event.changes == {"count": 2, "ids": [1, 2], "filters": {"q": "an"}, "via": "page"}
    assert event.actor == world.officer_a and event.actor_name == "officer_a"
    assert event.unit == world.school_a1 and event.at is not None
    assert event.object_type == "staff.person" and event.object_id == str(world.person_a1.pk)
    if connection.vendor == "postgresql":
        assert sql.startswith("WITH relaxed AS (SELECT set_config('synchronous_commit', 'off'")
        assert sql.endswith("RETURNING (SELECT setting FROM relaxed)")
    else:
        assert sql.startswith('INSERT INTO "accounts_auditevent"')
