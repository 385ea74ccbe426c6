from django.apps import AppConfig


class CascadeConfig(AppConfig):
    """The cascade (issue 14): core staff (cốt cán) designated per school year with the TT 20
    Điều 12 conditions checked, each school's tổ cốt cán, the caseloads that give every mass
    teacher one core teacher for the year, and the support activities they record."""

    name = "opentemis.cascade"
    label = "cascade"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: selectors imports models, which cannot load before the app registry is ready.
        from opentemis.accounts.context_processors import register_nav_flag
        from opentemis.cascade.selectors import core_teacher_now

        register_nav_flag("core_teacher", core_teacher_now)
