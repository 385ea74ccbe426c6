from django.apps import AppConfig


class LoopConfig(AppConfig):
    """The closed loop, shown (issue 14): last year's weak criteria, this year's plan, courses,
    hours, certificates and this year's evidence, for one person and for a unit."""

    name = "opentemis.loop"
    label = "loop"
    default_auto_field = "django.db.models.BigAutoField"
