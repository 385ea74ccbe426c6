from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "opentemis.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: signals imports models, which cannot load before the app registry is ready.
        from opentemis.notifications import signals  # noqa: F401
