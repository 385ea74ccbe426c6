from django.apps import AppConfig

from opentemis.learning import kinds


class SurveysConfig(AppConfig):
    """The end-of-course satisfaction survey: items from data, one final answer per learner
    kept apart from its receipt, anonymous results by unit (issues 13 and 14; bdtx.md R14,
    R15; decisions 0019 and 0024)."""

    name = "opentemis.surveys"
    label = "surveys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: the app's modules import models, which load only once the registry is ready.
        from opentemis.surveys import transfer

        kinds.register(
            "survey",
            learner_url="survey_take",
            manage_url="survey_results",
            icon="☺",
            exporter=transfer.export_survey,
            importer=transfer.import_survey,
        )
