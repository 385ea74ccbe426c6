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
