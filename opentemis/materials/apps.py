from django.apps import AppConfig


class MaterialsConfig(AppConfig):
    """(issue 13; decision 0019)"""

    name = "opentemis.materials"
    label = "materials"
    default_auto_field = "django.db.models.BigAutoField"
