from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "opentemis.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
