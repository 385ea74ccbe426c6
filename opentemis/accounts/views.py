from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from opentemis.accounts import selectors, services, signin
from opentemis.accounts.audit_text import describe
from opentemis.accounts.exports import provisioned_accounts_xlsx
from opentemis.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.roles import Perm, Role
from opentemis.core.http import xlsx_response
from opentemis.core.locale import remember_language
from opentemis.core.params import id_param
from opentemis.core.scoping import actor_scope
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import get_unit_for_user


def _refused_address(request: HttpRequest) -> HttpResponse:
    """Too many failures from this address (signin.refused): 429, before any password check."""
    return render(request, "registration/locked.html", {"address": True}, status=429)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if signin.refused(request, request.POST.get("username", "")):
            return _refused_address(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        remember_language(response, user.language)
        signin.remember_device(self.request, response, user)
        with actor_scope(user):
            services.audit(
                actor=user, action="auth.login", unit=services.user_home_unit(user), obj=user
            )
        return response


@method_decorator(never_cache, name="dispatch")  # the page may hold the initial password
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response

    def get_success_url(self) -> str:
        from django.urls import reverse

        return reverse("home")


class PasswordResetView(auth_views.PasswordResetView):
    """Self-service reset by email, for people whose account has an email address; the others
    ask their principal or unit officer (account_reset_password). Each request counts against
    the address's sign-in failure budget, so it cannot be used to flood someone's inbox."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if signin.refused(request, ""):
            return _refused_address(request)
        signin.address_failed(request)
        if settings.SITE_URL:
            # Links in emails name the configured site, not whatever Host the request carried
            # (the form puts these after its own values in the email's context).
            site = urlsplit(settings.SITE_URL)
            self.extra_email_context = {"domain": site.netloc, "protocol": site.scheme}
        return super().post(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = SetPasswordForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        with actor_scope(form.user):
            services.password_reset_by_email(user=form.user)
        return response


def _default_unit(request: HttpRequest, perm: str) -> Unit | None:
    unit_id = id_param(request.GET, "unit") or id_param(request.POST, "unit")
    if unit_id is not None:
        return get_unit_for_user(actor=request.user, pk=unit_id, perm=perm)
    paths = perm_paths(request.user, perm)
    if paths is None:
        return Unit.objects.filter(depth=1).first()
    return Unit.objects.filter(path__in=paths).order_by("depth", "name").first()


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    unit = _default_unit(request, Perm.MANAGE_ACCOUNTS)
    if unit is None:
        return render(request, "errors/403.html", status=403)
    q = request.GET.get("q", "")
    page = Paginator(selectors.account_list(actor=request.user, unit=unit, q=q), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/account_list.html", {"unit": unit, "page": page, "q": q})


@login_required
@require_POST
def accounts_provision(request: HttpRequest) -> HttpResponse:
    unit = _default_unit(request, Perm.MANAGE_ACCOUNTS)
    if unit is None:
        return render(request, "errors/403.html", status=403)
    try:
        created = services.accounts_provision(actor=request.user, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{_account_list_url()}?unit={unit.pk}")
    if not created:
        messages.info(request, _("Every working staff member of this unit already has an account."))
        return redirect(f"{_account_list_url()}?unit={unit.pk}")
    content = provisioned_accounts_xlsx(created, unit_name=unit.name)
    return xlsx_response(content, f"tai-khoan-{unit.code}.xlsx")


def _account_list_url() -> str:
    from django.urls import reverse

    return reverse("account_list")


@login_required
@require_POST
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.get_account_for_user(actor=request.user, pk=pk)
    password = services.account_reset_password(actor=request.user, user=user)
    return render(request, "accounts/_password_reset.html", {"account": user, "password": password})


@login_required
def account_roles(request: HttpRequest, pk: int) -> HttpResponse:
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
                unit = selectors.grantable_unit(
                    actor=request.user, code=request.POST.get("unit_code", "")
                )
                services.role_grant(actor=request.user, user=account, role=role, unit=unit)
            messages.success(request, _("Roles updated."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("account_roles", pk=account.pk)
    context = {
        "account": account,
        "grants": selectors.grant_list(actor=request.user, user=account),
        "roles": [(value, label) for value, label in Role.choices if value != Role.SYSTEM_ADMIN],
    }
    return render(request, "accounts/roles.html", context)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    unit = _default_unit(request, Perm.VIEW_AUDIT)
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
