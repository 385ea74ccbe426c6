from django.apps import AppConfig


class ClassesConfig(AppConfig):
    """(issue 13; decision 0019)"""

    name = "opentemis.classes"
    label = "classes"
    default_auto_field = "django.db.models.BigAutoField"
