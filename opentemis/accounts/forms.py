from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.utils.translation import gettext_lazy as _

from opentemis.accounts.services import password_reset_requested
from opentemis.core.scoping import actor_scope


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Staff code or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The staff code/username or password is wrong. After several failed attempts the "
            "account is locked for a while from this address."
        ),
    }


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's password change, keeping a right initial password on the first-login page.

    Django never re-renders passwords. At first login, though, the old password is the one-time
    password from the provisioning sheet: retyping it after every refused new password (too
    short, too common, not matching) is what made people give up. Once it is found right it
    is given back to the same person, over the same session, on a page that is never cached;
    a wrong one is still cleared.
    """

    def full_clean(self) -> None:
        super().full_clean()
        keep = (
            self.is_bound
            and getattr(self.user, "must_change_password", False)
            and "old_password" not in self.errors
        )
        self.fields["old_password"].widget.render_value = keep


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset request (the same answer whether or not the address is known), with each
    emailed link recorded in the audit log of the person's unit."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Here, not in the view: only the form knows which accounts were sent a link.
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
        )
        with actor_scope(context["user"]):
            password_reset_requested(user=context["user"])


# Django's form is not generic at run time (django-stubs-ext does not patch it).
class SetPasswordForm(DjangoSetPasswordForm):  # type: ignore[type-arg]
    """The new password chosen through an emailed link (Django's form, our labels)."""
