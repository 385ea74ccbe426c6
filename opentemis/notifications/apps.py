from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "opentemis.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The evaluations app sends its events; this app, above it, subscribes (never the
        # other way round: docs/architecture.md, layers).
        from opentemis.evaluations.signals import evaluation_changed
        from opentemis.notifications.events import on_evaluation_changed

        evaluation_changed.connect(on_evaluation_changed, dispatch_uid="notices-evaluation")

        # Notice emails whose sending died are given back by the task worker's sweep too.
        from opentemis.jobs.services import register_sweep
        from opentemis.notifications.emails import sweep_and_send

        register_sweep(sweep_and_send)
