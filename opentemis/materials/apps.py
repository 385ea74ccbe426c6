from django.apps import AppConfig

from opentemis.learning import kinds


class MaterialsConfig(AppConfig):
    """Pages, videos and files as course activities (issue 13 item 2; decision 0019)."""

    name = "opentemis.materials"
    label = "materials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: these modules import models, which load only once the registry is ready.
        from opentemis.materials import signals, transfer

        assert signals  # connects the receivers

        kinds.register(
            "page",
            learner_url="materials_page",
            manage_url="materials_page_manage",
            icon="¶",
            exporter=transfer.export_page,
            importer=transfer.import_page,
        )
        kinds.register(
            "video",
            learner_url="materials_video",
            manage_url="materials_video_manage",
            icon="▶",
            exporter=transfer.export_video,
            importer=transfer.import_video,
        )
        kinds.register(
            "file",
            learner_url="materials_file",
            manage_url="materials_file_manage",
            icon="⤓",
            exporter=transfer.export_file,
            importer=transfer.import_file,
        )
