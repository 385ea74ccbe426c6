from django.apps import AppConfig


class PlansConfig(AppConfig):
    """BDTX plans, the hours ledger and the year's result (issue 12 items 2-8; decision 0018)."""

    name = "opentemis.plans"
    label = "plans"
    default_auto_field = "django.db.models.BigAutoField"
