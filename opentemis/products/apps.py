from django.apps import AppConfig


class ProductsConfig(AppConfig):
    """(issue 13; decision 0019)"""

    name = "opentemis.products"
    label = "products"
    default_auto_field = "django.db.models.BigAutoField"
