from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class EvaluationsConfig(AppConfig):
    name = "opentemis.evaluations"
    label = "evaluations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opentemis.evaluations.services import clear_framework_caches
        from opentemis.standards.models import Criterion, Framework

        for model in (Framework, Criterion):
            for signal in (post_save, post_delete):
                signal.connect(
                    clear_framework_caches, sender=model, dispatch_uid=f"fwcache-{model.__name__}"
                )
