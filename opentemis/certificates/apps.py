from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certificates (issue 14): module and programme certificates issued once with a unique
    code, PDF with a QR code, public verification, re-issue and revocation."""

    name = "opentemis.certificates"
    label = "certificates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: receivers imports models, which cannot load before the app registry is ready.
        from opentemis.certificates.receivers import on_course_completed
        from opentemis.learning.signals import course_completed

        course_completed.connect(on_course_completed, dispatch_uid="certificates-course-completed")
