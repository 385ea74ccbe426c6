"""Role grants kept on the user's row between requests: used while valid, never stale."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.permissions import role_grants
from opentemis.accounts.roles import Role
from opentemis.accounts.services import role_grant, role_revoke
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.orgs.services import units_move
from tests.factories import make_unit


def fresh(user: User) -> User:
    """The user as the next request loads it (a new object: no per-object memo)."""
    return User.objects.get(pk=user.pk)


def grant_queries(user: User) -> tuple[list[tuple[str, str]], int]:
    with CaptureQueriesContext(connection) as ctx:
        grants = role_grants(user)
    return grants, sum("accounts_roleassignment" in q["sql"] for q in ctx.captured_queries)


def test_second_request_reads_grants_from_the_user_row(world: Any) -> None:
    first, queried = grant_queries(fresh(world.officer_a))
    assert queried == 1
    assert first == [(Role.UNIT_OFFICER, world.province_a.path)]
    again, queried = grant_queries(fresh(world.officer_a))
    assert queried == 0
    assert again == first


def test_a_new_grant_is_seen_at_once(world: Any) -> None:
    role_grants(fresh(world.teacher_a1))  # stored
    with actor_scope(world.officer_a):
        role_grant(
            actor=world.officer_a,
            user=world.teacher_a1,
            role=Role.CORE_TEACHER,
            unit=world.school_a1,
        )
    grants, queried = grant_queries(fresh(world.teacher_a1))
    assert queried == 1
    assert set(grants) == {
        (Role.TEACHER, world.school_a1.path),
        (Role.CORE_TEACHER, world.school_a1.path),
    }


def test_a_revoked_grant_is_gone_at_once(world: Any) -> None:
    assert role_grants(fresh(world.principal_a1))
    grant = RoleAssignment.objects.get(user=world.principal_a1, role=Role.PRINCIPAL)
    with actor_scope(world.officer_a):
        role_revoke(actor=world.officer_a, grant=grant)
    assert role_grants(fresh(world.principal_a1)) == []


def test_deleting_a_grant_invalidates(world: Any) -> None:
    assert role_grants(fresh(world.principal_a1))
    RoleAssignment.objects.filter(user=world.principal_a1).delete()
    assert role_grants(fresh(world.principal_a1)) == []


def test_a_change_committed_meanwhile_is_not_hidden(world: Any) -> None:
    """A request read the user row, then a grant changed before it stored its grants: the
    store must not land (it would hide the change)."""
    stale = fresh(world.principal_a1)  # read before the change
    RoleAssignment.objects.create(
        user=world.principal_a1, role=Role.PRINCIPAL, unit=world.school_a2
    )
    # The stale request now reads RoleAssignment (2 grants) and tries to store them for its
    # version; the row's version has moved on, so nothing is stored for the old version.
    role_grants(stale)
    row = fresh(world.principal_a1)
    assert row.grants_cache is None or row.grants_cache["v"] == row.roles_version
    assert len(role_grants(row)) == 2


def test_moving_a_unit_updates_stored_paths(world: Any) -> None:
    district = make_unit("Phòng GD Cũ", parent=world.province_a, kind="district_office", code="PX")
    school = make_unit("Trường Di Chuyển", parent=district, kind="school", code="PX-1")
    head = User.objects.create_user("head_moved", password="x")
    RoleAssignment.objects.create(user=head, role=Role.PRINCIPAL, unit=school)
    old_path = school.path
    assert role_grants(fresh(head)) == [(Role.PRINCIPAL, old_path)]
    with actor_scope(world.officer_a):
        units_move(actor=world.officer_a, units=[school], new_parent=world.province_a)
    with system_scope():
        school.refresh_from_db()
    assert school.path != old_path
    assert role_grants(fresh(head)) == [(Role.PRINCIPAL, school.path)]


def test_pages_use_the_stored_grants(world: Any) -> None:
    client = world.client_for(world.officer_a)
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    assert not any("accounts_roleassignment" in q["sql"] for q in ctx.captured_queries)
