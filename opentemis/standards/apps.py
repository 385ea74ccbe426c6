from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "opentemis.standards"
    label = "standards"
    default_auto_field = "django.db.models.BigAutoField"
