from django.apps import AppConfig

from opentemis.learning import kinds


class PackagesConfig(AppConfig):
    """SCORM 1.2 / 2004 and H5P packages as course activities (issue 13; decision 0019)."""

    name = "opentemis.packages"
    label = "packages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: the app's modules import models, which load only once the registry is ready.
        from opentemis.packages.transfer import export_package, import_package

        for kind, icon in (("scorm", "▣"), ("h5p", "◈")):
            kinds.register(
                kind,
                learner_url="packages_play",
                manage_url="packages_manage",
                icon=icon,
                exporter=export_package,
                importer=import_package,
            )
