"""Time-limited role grants (the independent auditor's, bdtx.md R13): an expired grant gives
nothing, a stored one too, and granting one asks for an end date within the limit."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from opentemis.accounts import grant_limits
from opentemis.accounts.models import AuditEvent, RoleAssignment, User
from opentemis.accounts.permissions import has_perm_on, perm_paths, role_grants, scope_paths
from opentemis.accounts.roles import Perm, Role
from opentemis.accounts.services import role_grant
from opentemis.core.scoping import actor_scope, system_scope
from tests.factories import make_user


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def auditor(world: Any, *, ends: dt.datetime | None) -> User:
    user = make_user("auditor_x", role=Role.AUDITOR, unit=world.province_a)
    RoleAssignment.objects.filter(user=user).update(expires_at=ends)
    return fresh(user)


def test_a_valid_grant_gives_its_permissions(world: Any) -> None:
    user = auditor(world, ends=timezone.now() + dt.timedelta(days=3))
    assert has_perm_on(user, Perm.AUDIT_COMPLETIONS, world.school_a1.path)
    assert not has_perm_on(user, Perm.AUDIT_COMPLETIONS, world.school_b1.path)


def test_an_expired_grant_gives_nothing(world: Any) -> None:
    user = auditor(world, ends=timezone.now() - dt.timedelta(seconds=1))
    assert role_grants(user) == []
    assert perm_paths(fresh(user), Perm.AUDIT_COMPLETIONS) == ()
    assert scope_paths(fresh(user)) == []
    assert not has_perm_on(fresh(user), Perm.VIEW_UNITS, world.province_a.path)


def test_a_stored_grant_expires_on_time(world: Any) -> None:
    """The grant is stored on the user's row while valid; past its end, the stored copy gives
    nothing either, though nothing wrote to the row."""
    ends = timezone.now() + dt.timedelta(hours=1)
    user = auditor(world, ends=ends)
    assert role_grants(user) == [(Role.AUDITOR, world.province_a.path)]
    stored = fresh(user)
    assert stored.grants_cache is not None and stored.grants_cache["v"] == stored.roles_version
    later = ends + dt.timedelta(seconds=1)
    with mock.patch("opentemis.accounts.permissions.timezone") as clock:
        clock.now.return_value = later
        assert role_grants(fresh(user)) == []
        assert not has_perm_on(fresh(user), Perm.AUDIT_COMPLETIONS, world.school_a1.path)
    assert fresh(user).grants_cache == stored.grants_cache  # read from the row, not rewritten


def test_a_grant_stored_before_ends_were_kept_still_counts(world: Any) -> None:
    user = fresh(world.officer_a)
    User.objects.filter(pk=user.pk).update(
        grants_cache={"v": user.roles_version, "g": [[Role.UNIT_OFFICER, world.province_a.path]]}
    )
    assert role_grants(fresh(user)) == [(Role.UNIT_OFFICER, world.province_a.path)]


def _grant(world: Any, actor: User, **kw: Any) -> RoleAssignment:
    with actor_scope(actor):
        return role_grant(
            actor=actor, user=world.teacher_a1, role=Role.AUDITOR, unit=world.school_a1, **kw
        )


def test_an_officer_grants_the_auditor_role_until_a_date(world: Any) -> None:
    until = timezone.localdate() + dt.timedelta(days=30)
    grant = _grant(world, world.officer_a, until=until)
    assert grant.last_day == until
    assert timezone.localtime(grant.expires_at).time() == dt.time(0, 0)
    assert has_perm_on(fresh(world.teacher_a1), Perm.AUDIT_COMPLETIONS, world.school_a1.path)
    with system_scope():
        event = AuditEvent.objects.get(action="accounts.role_grant")
    assert event.changes == {"role": Role.AUDITOR, "until": until.isoformat()}


def test_the_auditor_role_needs_an_end_date_within_the_limit(world: Any) -> None:
    limit = grant_limits.max_days(Role.AUDITOR)
    assert limit is not None
    today = timezone.localdate()
    for until in (None, today - dt.timedelta(days=1), today + dt.timedelta(days=limit + 1)):
        with pytest.raises(ValidationError):
            _grant(world, world.officer_a, until=until)
    assert _grant(world, world.officer_a, until=today + dt.timedelta(days=limit))
    assert not RoleAssignment.objects.filter(user=world.teacher_a1, expires_at=None).filter(
        role=Role.AUDITOR
    )


def test_a_principal_cannot_appoint_an_auditor(world: Any) -> None:
    """Appointing one takes running the courses and reading the audit log there (roles.py
    GRANTED_WITH): the Sở or the ministry, not the school audited."""
    with pytest.raises(ValidationError):
        _grant(world, world.principal_a1, until=timezone.localdate() + dt.timedelta(days=5))


def test_the_roles_page_grants_the_auditor_role_with_its_end(world: Any) -> None:
    client = world.client_for(world.officer_a)
    url = reverse("account_roles", args=[world.teacher_a1.pk])
    until = timezone.localdate() + dt.timedelta(days=10)
    client.post(url, {"role": "auditor", "unit_code": "SA-TH1"})
    assert not RoleAssignment.objects.filter(user=world.teacher_a1, role="auditor").exists()
    client.post(url, {"role": "auditor", "unit_code": "SA-TH1", "until": "not a date"})
    assert not RoleAssignment.objects.filter(user=world.teacher_a1, role="auditor").exists()
    client.post(url, {"role": "auditor", "unit_code": "SA-TH1", "until": until.isoformat()})
    grant = RoleAssignment.objects.get(user=world.teacher_a1, role="auditor")
    assert grant.last_day == until
    page = client.get(url).content.decode()
    assert until.strftime("%d/%m/%Y") in page
