from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    """(issue 13; decision 0019)"""

    name = "opentemis.quizzes"
    label = "quizzes"
    default_auto_field = "django.db.models.BigAutoField"
