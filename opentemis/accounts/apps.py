from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opentemis.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: signals imports models, which cannot load before the app registry is ready.
        from opentemis.accounts import signals  # noqa: F401
