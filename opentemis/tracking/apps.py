from django.apps import AppConfig


class TrackingConfig(AppConfig):
    """Weekly progress extraction (issue 14): snapshots per unit and course, rankings of child
    units in groups A/B/C (thresholds in data), praise and reminders, Excel exports."""

    name = "opentemis.tracking"
    label = "tracking"
    default_auto_field = "django.db.models.BigAutoField"
