"""Reads for accounts and the audit log, scoped to the actor's units."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from opentemis.accounts.models import AuditEvent, RoleAssignment, User
from opentemis.accounts.permissions import path_filter
from opentemis.accounts.roles import Perm
from opentemis.core.text import fold

if TYPE_CHECKING:
    from opentemis.orgs.models import Unit


def account_list(*, actor: User, unit: Unit | None = None, q: str = "") -> QuerySet[User]:
    """Users whose staff record, or failing that whose role unit, lies in the actor's reach."""
    reach = path_filter(actor, Perm.MANAGE_ACCOUNTS, "person__unit_path") | (
        Q(person__isnull=True) & path_filter(actor, Perm.MANAGE_ACCOUNTS, "roles__unit__path")
    )
    qs = User.objects.filter(reach)
    if unit is not None:
        qs = qs.filter(
            Q(person__unit_path__startswith=unit.path)
            | Q(person__isnull=True, roles__unit__path__startswith=unit.path)
        )
    if q:
        folded = fold(q)
        qs = qs.filter(Q(username__icontains=q.strip()) | Q(person__search_text__contains=folded))
    return qs.select_related("person", "person__unit").distinct().order_by("username")


def user_for_login(*, login: str) -> User | None:
    """The one account a sign-in name designates: its username or its staff code, in any case.

    None when nothing matches or when the name is ambiguous (a username that is also someone
    else's staff code): nobody is signed in by a guess. The one lookup for sign-in, the API
    token, the lockout key and the audit of failures. Unscoped on purpose: nobody is signed in
    yet.
    """
    login = normalise_login(login)
    if not login:
        return None
    candidates = list(
        User.objects.filter(Q(username__iexact=login) | Q(person__staff_code__iexact=login))
        .select_related("person")
        .distinct()[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def normalise_login(login: str | None) -> str:
    """A sign-in name as compared everywhere: trimmed, Unicode NFC, lower case."""
    return unicodedata.normalize("NFC", (login or "").strip()).lower()[:150]


def get_account_for_user(*, actor: User, pk: int) -> User:
    return get_object_or_404(account_list(actor=actor), pk=pk)


def audit_list(
    *, actor: User, action: str = "", unit: Unit | None = None, perm: str = Perm.VIEW_AUDIT
) -> QuerySet[AuditEvent]:
    """The audit events of the units where ``actor`` holds ``perm`` (the audit log's
    ``audit.view``; the independent auditor's trail reads with ``audits.read``)."""
    qs = AuditEvent.objects.filter(path_filter(actor, perm, "unit__path"))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if action:
        qs = qs.filter(action__startswith=action)
    return qs.select_related("unit").order_by("-at", "-id")


def grant_list(*, actor: User, user: User) -> QuerySet[RoleAssignment]:
    """The user's active roles on units inside the actor's reach (others stay hidden)."""
    return (
        RoleAssignment.objects.filter(user=user, is_active=True)
        .filter(path_filter(actor, Perm.MANAGE_ACCOUNTS, "unit__path"))
        .select_related("unit")
        .order_by("unit__path")
    )


def get_grant_for_user(*, actor: User, pk: int) -> RoleAssignment:
    qs = RoleAssignment.objects.filter(path_filter(actor, Perm.MANAGE_ACCOUNTS, "unit__path"))
    return get_object_or_404(qs.select_related("unit", "user"), pk=pk)
