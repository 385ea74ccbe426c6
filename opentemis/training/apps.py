from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Continuous professional development (BDTX): catalogues and requirements as versioned
    data (decision 0017)."""

    name = "opentemis.training"
    label = "training"
    default_auto_field = "django.db.models.BigAutoField"
