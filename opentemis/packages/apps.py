from django.apps import AppConfig


class PackagesConfig(AppConfig):
    """(issue 13; decision 0019)"""

    name = "opentemis.packages"
    label = "packages"
    default_auto_field = "django.db.models.BigAutoField"
