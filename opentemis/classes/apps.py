from django.apps import AppConfig

from opentemis.learning import kinds


class ClassesConfig(AppConfig):
    """Face-to-face classes: sessions, attendance by roll call or code, the ≥ 80 % rule and the
    attended hours posted to the BDTX ledger (issue 13 item 6; decision 0019)."""

    name = "opentemis.classes"
    label = "classes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: the app's modules import models, which load only once the registry is ready.
        from opentemis.classes import transfer

        kinds.register(
            "class",
            learner_url="class_learn",
            manage_url="class_manage",
            icon="◷",
            exporter=transfer.export_class,
            importer=transfer.import_class,
        )
