"""What sign-in and account events say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, person_name, register
from opentemis.accounts.models import User
from opentemis.accounts.roles import Role


def _users(ids: list[str]) -> dict[str, str]:
    users = User.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {str(u.pk): person_name(u) for u in users.select_related("person")}


register(
    actions={
        "auth.login": Sentence(_("%(actor)s signed in.")),
        "auth.login_failed": Sentence(_("Failed sign-in with the user name “%(actor)s”.")),
        "auth.api_token": Sentence(_("%(actor)s obtained an API key.")),
        "accounts.provision": Sentence(
            _("%(actor)s created %(created)s accounts for the staff of %(object)s."),
            labels={"created": _("Accounts created")},
        ),
        "accounts.reset_password": Sentence(
            _("%(actor)s gave %(object)s a new one-time password.")
        ),
        "accounts.role_grant": Sentence(_("%(actor)s gave %(object)s the role “%(role)s”.")),
        "accounts.role_revoke": Sentence(
            _("%(actor)s withdrew the role “%(role)s” from %(object)s.")
        ),
        "accounts.password_change": Sentence(_("%(actor)s changed their password.")),
        "accounts.password_reset_requested": Sentence(
            _("A link to reset the password of %(object)s was emailed to their address.")
        ),
        "accounts.password_reset_email": Sentence(
            _("%(object)s chose a new password through the emailed link.")
        ),
        "accounts.password_set_admin": Sentence(
            _("%(actor)s set a new password for %(object)s in the administration site.")
        ),
    },
    labels={"role": _("Role"), "until": _("Valid until")},
    values={"role": lambda code: str(dict(Role.choices).get(code, code))},
    objects={"accounts.user": _users},
)
