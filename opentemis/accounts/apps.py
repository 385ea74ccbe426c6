from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opentemis.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        def record_failure(
            sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
        ) -> None:
            # Only sign-in forms (with a request); the hook is infrastructure, not business logic.
            if request is None:
                return
            from opentemis.accounts.services import login_failed
            from opentemis.core.scoping import has_active_scope

            if has_active_scope():
                login_failed(username=str(credentials.get("username", "")))

        user_login_failed.connect(record_failure, weak=False, dispatch_uid="opentemis_login_failed")

        from django.db.models.signals import post_delete, post_save

        from opentemis.accounts.models import RoleAssignment

        def grant_saved(sender: Any, instance: Any, **kw: Any) -> None:
            from opentemis.accounts.permissions import grants_changed

            grants_changed(pk=instance.user_id)

        post_save.connect(grant_saved, RoleAssignment, weak=False, dispatch_uid="grants-saved")
        post_delete.connect(grant_saved, RoleAssignment, weak=False, dispatch_uid="grants-deleted")
