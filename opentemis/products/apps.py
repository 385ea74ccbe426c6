from django.apps import AppConfig

from opentemis.learning import kinds


class ProductsConfig(AppConfig):
    """The final product and its grading (issue 13 item 4; decision 0019)."""

    name = "opentemis.products"
    label = "products"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Local: services imports models, which cannot load before the app registry is ready.
        from opentemis.products import services

        kinds.register(
            "product",
            learner_url="products_activity",
            manage_url="products_manage",
            grade_url="products_queue",
            icon="✍",
            exporter=services.export_product,
            importer=services.import_product,
        )
