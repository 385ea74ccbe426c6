from django.apps import AppConfig

from opentemis.learning import kinds


class QuizzesConfig(AppConfig):
    """Tests with a versioned question bank, attempts and grading (issue 13 item 3; decision
    0019). Registers the "quiz" kind (its pages and its module-package hooks) and the sweep
    that submits attempts whose time ran out."""

    name = "opentemis.quizzes"
    label = "quizzes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: these modules import models, which load only once the registry is ready.
        from opentemis.jobs.services import register_sweep
        from opentemis.quizzes import services, transfer

        kinds.register(
            "quiz",
            learner_url="quiz_take",
            manage_url="quiz_manage",
            icon="✎",
            exporter=transfer.quiz_export,
            importer=transfer.quiz_import,
        )
        register_sweep(services.overdue_sweep)
