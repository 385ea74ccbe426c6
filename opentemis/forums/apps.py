from django.apps import AppConfig


class ForumsConfig(AppConfig):
    """(issue 13; decision 0019)"""

    name = "opentemis.forums"
    label = "forums"
    default_auto_field = "django.db.models.BigAutoField"
