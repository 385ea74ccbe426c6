"""Account administration: the accounts of a unit's staff, bulk provisioning, one-time passwords,
role grants, the audit log.

In the staff app, above accounts and orgs: these pages open on a unit (``?unit=`` or the
actor's default unit) and provision accounts from staff records. Their URL names are the ones
they had in accounts (``staff/urls_accounts.py`` has no namespace).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts import grant_limits, selectors, services
from opentemis.accounts.audit_text import describe
from opentemis.accounts.roles import Perm, Role
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import xlsx_response
from opentemis.core.params import id_param
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import default_unit, get_unit_for_user, unit_by_code
from opentemis.staff import accounts_admin


def _unit(request: AuthenticatedRequest, perm: str) -> Unit | None:
    """``?unit=`` (404 outside the actor's reach for ``perm``), else the actor's default unit."""
    unit_id = id_param(request.GET, "unit") or id_param(request.POST, "unit")
    if unit_id is not None:
        return get_unit_for_user(actor=request.user, pk=unit_id, perm=perm)
    return default_unit(actor=request.user, perm=perm)


@login_required
def account_list(request: AuthenticatedRequest) -> HttpResponse:
    unit = _unit(request, Perm.MANAGE_ACCOUNTS)
    if unit is None:
        return render(request, "errors/403.html", status=403)
    q = request.GET.get("q", "")
    page = Paginator(selectors.account_list(actor=request.user, unit=unit, q=q), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/account_list.html", {"unit": unit, "page": page, "q": q})


@login_required
@require_POST
def accounts_provision(request: AuthenticatedRequest) -> HttpResponse:
    unit = _unit(request, Perm.MANAGE_ACCOUNTS)
    if unit is None:
        return render(request, "errors/403.html", status=403)
    try:
        created = accounts_admin.accounts_provision(actor=request.user, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{_account_list_url()}?unit={unit.pk}")
    if not created:
        messages.info(request, _("Every working staff member of this unit already has an account."))
        return redirect(f"{_account_list_url()}?unit={unit.pk}")
    content = accounts_admin.provisioned_accounts_xlsx(created, unit_name=unit.name)
    return xlsx_response(content, f"tai-khoan-{unit.code}.xlsx")


def _account_list_url() -> str:
    return reverse("account_list")


@login_required
@require_POST
def account_reset_password(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = selectors.get_account_for_user(actor=request.user, pk=pk)
    password = services.account_reset_password(actor=request.user, user=user)
    return render(request, "accounts/_password_reset.html", {"account": user, "password": password})


@login_required
def account_roles(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The roles of one account: grant a role on a unit (by code) or revoke one."""
    account = selectors.get_account_for_user(actor=request.user, pk=pk)
    if request.method == "POST":
        try:
            revoke = id_param(request.POST, "revoke")
            if revoke is not None:
                grant = selectors.get_grant_for_user(actor=request.user, pk=revoke)
                services.role_revoke(actor=request.user, grant=grant)
            else:
                role = request.POST.get("role", "")
                if role not in Role.values:
                    raise ValidationError(_("Choose a role."))
                unit = unit_by_code(
                    actor=request.user,
                    code=request.POST.get("unit_code", ""),
                    perm=Perm.MANAGE_ACCOUNTS,
                )
                services.role_grant(
                    actor=request.user,
                    user=account,
                    role=role,
                    unit=unit,
                    until=_date(request.POST.get("until", "")),
                )
            messages.success(request, _("Roles updated."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("account_roles", pk=account.pk)
    context = {
        "account": account,
        "grants": selectors.grant_list(actor=request.user, user=account),
        "roles": [(value, label) for value, label in Role.choices if value != Role.SYSTEM_ADMIN],
        "auditor_days": grant_limits.max_days(Role.AUDITOR),
    }
    return render(request, "accounts/roles.html", context)


def _date(raw: str) -> dt.date | None:
    """A date typed in the form (ISO, as a date input sends it); empty: none."""
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        raise ValidationError(_("Enter a valid date.")) from None


@login_required
def audit_list(request: AuthenticatedRequest) -> HttpResponse:
    unit = _unit(request, Perm.VIEW_AUDIT)
    if unit is None:
        return render(request, "errors/403.html", status=403)
    action = request.GET.get("action", "")
    page = Paginator(
        selectors.audit_list(actor=request.user, unit=unit, action=action), 50
    ).get_page(request.GET.get("page"))
    actions = [
        ("auth.", _("Sign-ins")),
        ("accounts.", _("Accounts")),
        ("staff.", _("Staff records")),
        ("reads.", _("Reads and exports of personal data")),
        ("unit.", _("Units")),
        ("cycle.", _("Evaluation cycles")),
        ("evaluation.", _("Evaluations")),
        ("reports.", _("Reminders")),
    ]
    context = {
        "unit": unit,
        "page": page,
        "entries": describe(page.object_list),
        "action": action,
        "audit_actions": actions,
    }
    return render(request, "accounts/audit_list.html", context)
