from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Courses, their sections and activities, enrolment, progress and completion that credits
    the BDTX hours ledger (issue 13; decision 0019). The activity apps (content, packages,
    quizzes, products, forums, classes, surveys) build on it and report to it."""

    name = "opentemis.learning"
    label = "learning"
    default_auto_field = "django.db.models.BigAutoField"
