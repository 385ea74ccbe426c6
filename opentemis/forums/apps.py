from django.apps import AppConfig

from opentemis.learning import kinds


class ForumsConfig(AppConfig):
    """The course forum (issue 13 item 5; decision 0019)."""

    name = "opentemis.forums"
    label = "forums"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: services imports models, which cannot load before the app registry is ready.
        from opentemis.forums import services

        kinds.register(
            "forum",
            learner_url="forums_activity",
            manage_url="forums_manage",
            icon="💬",
            exporter=services.export_forum,
            importer=services.import_forum,
        )
