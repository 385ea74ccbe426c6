from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certificates (issue 14): module and programme certificates issued once with a unique
    code, PDF with a QR code, public verification, re-issue and revocation."""

    name = "opentemis.certificates"
    label = "certificates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: receivers imports models, which cannot load before the app registry is ready.
        from opentemis.certificates import receivers  # noqa: F401  (connects on import)
