from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opentemis.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        def record_failure(
            sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
        ) -> None:
            # Only sign-in forms (with a request); the hook is infrastructure, not business logic.
            if request is None:
                return
            from opentemis.accounts import signin
            from opentemis.accounts.services import login_failed
            from opentemis.core.scoping import has_active_scope

            # The page and the API token endpoint both end here: one failure budget per address.
            signin.address_failed(request)
            if has_active_scope():
                login_failed(username=str(credentials.get("username", "")))

        def record_success(sender: Any, request: Any = None, user: Any = None, **kw: Any) -> None:
            from opentemis.accounts import signin

            if request is not None and user is not None:
                signin.signed_in(request, user)

        user_login_failed.connect(record_failure, weak=False, dispatch_uid="opentemis_login_failed")
        user_logged_in.connect(record_success, weak=False, dispatch_uid="opentemis_logged_in")

        from django.db.models.signals import post_delete, post_save

        from opentemis.accounts.models import RoleAssignment

        def grant_saved(sender: Any, instance: Any, **kw: Any) -> None:
            from opentemis.accounts.permissions import grants_changed

            grants_changed(pk=instance.user_id)

        post_save.connect(grant_saved, RoleAssignment, weak=False, dispatch_uid="grants-saved")
        post_delete.connect(grant_saved, RoleAssignment, weak=False, dispatch_uid="grants-deleted")
