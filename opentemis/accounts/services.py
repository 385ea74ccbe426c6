"""Accounts: audit trail, bulk provisioning, password resets, role grants."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import AuditEvent, RoleAssignment, User
from opentemis.accounts.permissions import perms_on, require_perm_on
from opentemis.accounts.roles import ROLE_PERMS, Perm, Role
from opentemis.core.request_context import current_ip

# No 0/O/1/l/I: initial passwords are typed by hand from a printed sheet.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PROVISION_SYNC_LIMIT = 3000


def audit(
    *,
    actor: Any,
    action: str,
    unit: Any = None,
    unit_id: int | None = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Record one event. Called by services inside their transaction, so it commits with them."""
    event = audit_event(
        actor=actor,
        action=action,
        unit=unit,
        unit_id=unit_id,
        obj=obj,
        changes=changes,
        actor_name=actor_name,
    )
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor: Any,
    action: str,
    unit: Any = None,
    unit_id: int | None = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """The event ``audit`` records, not yet saved (for writers with their own INSERT: the audit
    of reads, accounts/read_audit.py)."""
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=real_actor,
        actor_name=actor_name or (real_actor.get_username() if real_actor else ""),
        action=action,
        unit_id=unit.pk if unit is not None else unit_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        changes=_jsonable(changes or {}),
        ip_address=current_ip(),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class ProvisionedAccount:
    staff_code: str
    full_name: str
    unit_name: str
    username: str
    password: str


def _default_role(person: Any) -> str:
    codes = {p.code for p in person.positions.all()}
    if "HT" in codes:
        return Role.PRINCIPAL
    return Role.TEACHER


@transaction.atomic
def accounts_provision(
    *, actor: Any, unit: Any, limit: int | None = PROVISION_SYNC_LIMIT
) -> list[ProvisionedAccount]:
    """Create an account for every working staff member of ``unit``'s subtree who has none.

    Username = staff code; a random initial password, returned once (for the xlsx) and stored
    hashed; the user must change it at first login. Principals get the principal role on their
    school, everybody else the teacher role on their unit.
    """
    from opentemis.staff.models import EmploymentStatus, Person

    require_perm_on(actor, Perm.MANAGE_ACCOUNTS, unit.path)
    people = (
        Person.objects.filter(
            unit_path__startswith=unit.path,
            employment_status=EmploymentStatus.WORKING,
            user__isnull=True,
        )
        .select_related("unit")
        .prefetch_related("positions")
        .order_by("unit_path", "search_text")
    )
    total = people.count()
    if limit is not None and total > limit:
        raise ValidationError(
            _(
                "%(count)s people at once is too many for one request: provision a smaller unit, "
                "or run `opentemis provision_accounts --unit %(code)s`."
            )
            % {"count": total, "code": unit.code}
        )
    taken = set(
        User.objects.filter(username__in=[p.staff_code for p in people]).values_list(
            "username", flat=True
        )
    )
    results: list[ProvisionedAccount] = []
    users: list[User] = []
    for person in people:
        if person.staff_code in taken:
            continue
        password = generate_password()
        users.append(
            User(
                username=person.staff_code,
                first_name=person.full_name[:150],
                email=person.email,
                person=person,
                must_change_password=True,
                password=make_password(password, hasher="pbkdf2_initial"),
            )
        )
        results.append(
            ProvisionedAccount(
                person.staff_code, person.full_name, person.unit.name, person.staff_code, password
            )
        )
    created = User.objects.bulk_create(users, batch_size=500)
    # bulk_create returns primary keys on PostgreSQL and SQLite (3.35+).
    by_username = {u.username: u for u in created}
    grants = []
    for person in people:
        user = by_username.get(person.staff_code)
        if user is None:
            continue
        grants.append(
            RoleAssignment(
                user=user, role=_default_role(person), unit=person.unit, granted_by=actor
            )
        )
    RoleAssignment.objects.bulk_create(grants, batch_size=500, ignore_conflicts=True)
    audit(
        actor=actor,
        action="accounts.provision",
        unit=unit,
        obj=unit,
        changes={"created": len(results)},
    )
    return results


@transaction.atomic
def account_reset_password(*, actor: Any, user: User) -> str:
    """A new one-time password for ``user``; only within the actor's subtree."""
    unit = user_home_unit(user)
    if unit is None:
        from django.http import Http404

        raise Http404
    require_perm_on(actor, Perm.MANAGE_ACCOUNTS, unit.path)
    password = generate_password()
    user.password = make_password(password, hasher="pbkdf2_initial")
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    # API tokens issued under the old password stop working too.
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    audit(actor=actor, action="accounts.reset_password", unit=unit, obj=user)
    return password


def user_home_unit(user: User) -> Any:
    if user.person_id:
        return user.person.unit
    grant = (
        RoleAssignment.objects.filter(user=user)
        .select_related("unit")
        .order_by("unit__depth")
        .first()
    )
    return grant.unit if grant else None


@transaction.atomic
def role_grant(*, actor: Any, user: User, role: str, unit: Any) -> RoleAssignment:
    require_perm_on(actor, Perm.MANAGE_ACCOUNTS, unit.path)
    if role == Role.SYSTEM_ADMIN and not getattr(actor, "is_superuser", False):
        raise ValidationError(_("Only a system administrator can grant that role."))
    # Nobody hands out more than they hold there: a principal cannot make a unit officer.
    if not ROLE_PERMS.get(role, frozenset()) <= perms_on(actor, unit.path):
        raise ValidationError(_("You cannot grant a role with more rights than your own."))
    grant, _created = RoleAssignment.objects.update_or_create(
        user=user, role=role, unit=unit, defaults={"is_active": True, "granted_by": actor}
    )
    audit(actor=actor, action="accounts.role_grant", unit=unit, obj=user, changes={"role": role})
    return grant


def password_changed(*, user: User) -> None:
    """After the user chose their own password: clear the forced change and record it."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit(actor=user, action="accounts.password_change", unit=user_home_unit(user), obj=user)


def login_failed(*, username: str) -> None:
    """Record a failed sign-in against the account's unit, so its officers can see it."""
    from django.db.models import Q

    login = (username or "").strip()[:150]
    user = (
        User.objects.filter(Q(username__iexact=login) | Q(person__staff_code__iexact=login))
        .select_related("person__unit")
        .first()
    )
    audit(
        actor=None,
        actor_name=login,
        action="auth.login_failed",
        unit=user_home_unit(user) if user else None,
        obj=user,
    )


@transaction.atomic
def role_revoke(*, actor: Any, grant: RoleAssignment) -> None:
    require_perm_on(actor, Perm.MANAGE_ACCOUNTS, grant.unit.path)
    grant.is_active = False
    grant.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="accounts.role_revoke",
        unit=grant.unit,
        obj=grant.user,
        changes={"role": grant.role},
    )
