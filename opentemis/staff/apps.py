from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "opentemis.staff"
    label = "staff"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: signals imports models, which cannot load before the app registry is ready.
        from opentemis.staff import signals  # noqa: F401
