from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """(issue 13; decision 0019)"""

    name = "opentemis.surveys"
    label = "surveys"
    default_auto_field = "django.db.models.BigAutoField"
