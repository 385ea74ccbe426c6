from django.apps import AppConfig


class CascadeConfig(AppConfig):
    """The cascade (issue 14): core staff (cốt cán) designated per school year with the TT 20
    Điều 12 conditions checked, each school's tổ cốt cán, the caseloads that give every mass
    teacher one core teacher for the year, and the support activities they record."""

    name = "opentemis.cascade"
    label = "cascade"
    default_auto_field = "django.db.models.BigAutoField"
