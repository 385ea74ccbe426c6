from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from opentemis.accounts import services, signin
from opentemis.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from opentemis.accounts.models import User
from opentemis.core.locale import remember_language
from opentemis.core.scoping import actor_scope


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

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
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

    def form_valid(self, form: DjangoPasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response

    def get_success_url(self) -> str:
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

    def form_valid(self, form: DjangoSetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        with actor_scope(form.user):
            services.password_reset_by_email(user=form.user)
        return response
