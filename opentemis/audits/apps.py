from django.apps import AppConfig


class AuditsConfig(AppConfig):
    """Independent verification (issue 14): a time-limited auditor reads the evidence behind
    completions, draws a random sample and reads the audit trail of a unit."""

    name = "opentemis.audits"
    label = "audits"
    default_auto_field = "django.db.models.BigAutoField"
