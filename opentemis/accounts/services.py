"""Accounts: audit trail, password resets, role grants (bulk provisioning, which reads staff
records, is ``staff.accounts_admin``)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from opentemis.accounts import grant_limits
from opentemis.accounts.models import AuditEvent, RoleAssignment, User
from opentemis.accounts.permissions import perms_on, require_perm_on
from opentemis.accounts.roles import Perm, Role, perms_to_grant
from opentemis.accounts.selectors import normalise_login, user_for_login
from opentemis.core.request_context import current_ip

if TYPE_CHECKING:
    from opentemis.orgs.models import Unit

# No 0/O/1/l/I: initial passwords are typed by hand from a printed sheet.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def audit(
    *,
    actor: User | None,
    action: str,
    unit: Unit | None = None,
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
    actor: User | None,
    action: str,
    unit: Unit | None = None,
    unit_id: int | None = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """The event ``audit`` records, not yet saved (for writers with their own INSERT: the audit
    of reads, accounts/read_audit.py)."""
    real_actor = actor if actor is not None and actor.is_authenticated else None
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


@transaction.atomic
def account_reset_password(*, actor: User, user: User) -> str:
    """A new one-time password for ``user``; only within the actor's subtree."""
    unit = user_home_unit(user)
    if unit is None:
        raise Http404
    require_perm_on(actor, Perm.MANAGE_ACCOUNTS, unit.path)
    password = generate_password()
    user.password = make_password(password, hasher="pbkdf2_initial")
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _credentials_replaced(user)
    audit(actor=actor, action="accounts.reset_password", unit=unit, obj=user)
    return password


def _credentials_replaced(user: User) -> None:
    """A new password, however it came: API tokens issued under the old one stop working, and
    the account's sign-in lockout is lifted (the locked-out page sends people to a reset)."""
    api_tokens_revoke(user=user)
    axes_reset(username=normalise_login(user.username))


def api_tokens_revoke(*, user: User) -> None:
    """Revoke every API token of ``user`` (password changed or reset, or asked to)."""
    Token.objects.filter(user=user).delete()


def api_token_expires(token: Token) -> datetime:
    """When an API token stops working: ``API_TOKEN_TTL`` after it was issued."""
    issued: datetime = token.created
    return issued + timedelta(seconds=int(settings.API_TOKEN_TTL))


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    """The user's API token: the current one while it lasts, else a new one."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and api_token_expires(token) <= timezone.now():
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    audit(actor=user, action="auth.api_token", unit=user_home_unit(user), obj=user)
    return token


def password_reset_requested(*, user: User) -> None:
    """A reset link was emailed to ``user`` (self-service; the person is not signed in)."""
    audit(
        actor=None,
        actor_name=user.get_username(),
        action="accounts.password_reset_requested",
        unit=user_home_unit(user),
        obj=user,
    )


@transaction.atomic
def password_reset_by_email(*, user: User) -> None:
    """The person chose a new password through the emailed link (Django saved it)."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    _credentials_replaced(user)
    audit(
        actor=None,
        actor_name=user.get_username(),
        action="accounts.password_reset_email",
        unit=user_home_unit(user),
        obj=user,
    )


@transaction.atomic
def password_set_by_admin(*, actor: User, user: User) -> None:
    """A system administrator set ``user``'s password in Django's admin site."""
    _credentials_replaced(user)
    audit(actor=actor, action="accounts.password_set_admin", unit=user_home_unit(user), obj=user)


def user_home_unit(user: User) -> Unit | None:
    """The unit of the user's staff record, else of their highest role (None: neither)."""
    person = user.person
    if person is not None:
        return person.unit
    grant = (
        RoleAssignment.objects.filter(user=user)
        .select_related("unit")
        .order_by("unit__depth")
        .first()
    )
    return grant.unit if grant else None


@transaction.atomic
def role_grant(
    *, actor: User, user: User, role: str, unit: Unit, until: date | None = None
) -> RoleAssignment:
    """Grant ``role`` on ``unit`` to ``user``; ``until``: the last day it is valid (it expires at
    the start of the next local day). A time-limited role (the auditor's, ``grant_limits``)
    requires one, at most its ``max_days`` ahead; granting again replaces the end."""
    require_perm_on(actor, Perm.MANAGE_ACCOUNTS, unit.path)
    if role == Role.SYSTEM_ADMIN and not actor.is_superuser:
        raise ValidationError(_("Only a system administrator can grant that role."))
    # Nobody hands out more than they hold there: a principal cannot make a unit officer.
    if not perms_to_grant(role) <= perms_on(actor, unit.path):
        raise ValidationError(_("You cannot grant a role with more rights than your own."))
    expires_at = _grant_end(role, until)
    grant, _created = RoleAssignment.objects.update_or_create(
        user=user,
        role=role,
        unit=unit,
        defaults={"is_active": True, "granted_by": actor, "expires_at": expires_at},
    )
    changes: dict[str, Any] = {"role": role}
    if until is not None:
        changes["until"] = until.isoformat()
    audit(actor=actor, action="accounts.role_grant", unit=unit, obj=user, changes=changes)
    return grant


def _grant_end(role: str, until: date | None) -> datetime | None:
    """The instant a grant valid through ``until`` ends (the next local midnight), checked
    against the role's limit."""
    limit = grant_limits.max_days(role)
    if until is None:
        if limit is not None:
            raise ValidationError(_("This role is granted for a limited time: give its end date."))
        return None
    today = timezone.localdate()
    if until < today:
        raise ValidationError(_("The end date has passed."))
    if limit is not None and until > today + timedelta(days=limit):
        raise ValidationError(
            _("This role is granted for at most %(days)s days.") % {"days": limit}
        )
    return timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))


@transaction.atomic
def password_changed(*, user: User) -> None:
    """After the user chose their own password: clear the forced change and record it."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    _credentials_replaced(user)
    audit(actor=user, action="accounts.password_change", unit=user_home_unit(user), obj=user)


def login_failed(*, username: str) -> None:
    """Record a failed sign-in against the account's unit, so its officers can see it."""
    login = (username or "").strip()[:150]
    user = user_for_login(login=login)
    audit(
        actor=None,
        actor_name=login,
        action="auth.login_failed",
        unit=user_home_unit(user) if user else None,
        obj=user,
    )


@transaction.atomic
def role_revoke(*, actor: User, grant: RoleAssignment) -> None:
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
