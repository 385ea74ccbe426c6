"""Who may use the accounts app's routes (core/route_policy.py)."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, PUBLIC, SIGNED_IN, Actor, RoutePolicy

_SIGN_IN = "signing in, and getting back in, happen before one is signed in"

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "login": PUBLIC(_SIGN_IN),
    "logout": PUBLIC("signing out needs no session (it ends one if there is)"),
    "password_change": SIGNED_IN,
    "password_reset": PUBLIC(_SIGN_IN),
    "password_reset_done": PUBLIC(_SIGN_IN),
    "password_reset_confirm": PUBLIC(_SIGN_IN).taking(uidb64="reset_uid", token="reset_token"),
    "password_reset_complete": PUBLIC(_SIGN_IN),
    "account_list": PERM(Perm.MANAGE_ACCOUNTS).narrowed_by("unit"),
    "accounts_provision": PERM(Perm.MANAGE_ACCOUNTS).narrowed_by("unit"),
    "account_reset_password": OBJECT("account", actor=Actor.PRINCIPAL, perm=Perm.MANAGE_ACCOUNTS),
    "account_roles": OBJECT("account", actor=Actor.PRINCIPAL, perm=Perm.MANAGE_ACCOUNTS),
    "audit_list": PERM(Perm.VIEW_AUDIT).narrowed_by("unit"),
    "api:token": PUBLIC("the API's sign-in: the credentials are the request"),
}
