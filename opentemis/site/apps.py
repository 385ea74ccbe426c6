from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: whole-site orchestration that imports every app and that no app imports
    (the home page, the demo dataset, the synthetic nation, the clean-up of stored files);
    docs/decisions/0014-layers.md. Its label does not clash with django.contrib.sites ("sites")."""

    name = "opentemis.site"
    label = "site"
    default_auto_field = "django.db.models.BigAutoField"
