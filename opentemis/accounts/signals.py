"""What the accounts app does on Django's sign-in signals and on changes of role grants.

Connected once by ``apps.py`` (``ready``). Infrastructure hooks, not business logic: they only
call the sign-in limits (``signin``), the audit of failures and the grants-cache invalidation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from opentemis.accounts import signin
from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.permissions import grants_changed
from opentemis.accounts.services import login_failed
from opentemis.core.scoping import has_active_scope


@receiver(user_login_failed, dispatch_uid="opentemis_login_failed")
def record_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    """A failed sign-in on the page or the API token endpoint: one failure budget per address."""
    # Only sign-in forms (with a request); the hook is infrastructure, not business logic.
    if request is None:
        return
    signin.address_failed(request)
    if has_active_scope():
        login_failed(username=str(credentials.get("username", "")))


@receiver(user_logged_in, dispatch_uid="opentemis_logged_in")
def record_success(
    sender: Any, request: HttpRequest | None = None, user: User | None = None, **kw: Any
) -> None:
    if request is not None and user is not None:
        signin.signed_in(request, user)


@receiver(post_save, sender=RoleAssignment, dispatch_uid="grants-saved")
@receiver(post_delete, sender=RoleAssignment, dispatch_uid="grants-deleted")
def grant_saved(sender: Any, instance: RoleAssignment, **kw: Any) -> None:
    """A role grant changed: the user's stored grants (``User.grants_cache``) are stale."""
    grants_changed(pk=instance.user_id)
