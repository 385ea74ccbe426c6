from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "opentemis.evaluations"
    label = "evaluations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: signals imports models, which cannot load before the app registry is ready.
        from opentemis.evaluations import signals  # noqa: F401
