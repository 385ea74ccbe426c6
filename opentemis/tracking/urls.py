"""Weekly progress pages (mounted under /tracking/ by opentemis/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.tracking import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="tracking_home"),
    path("unit/<int:pk>/", views.unit_page, name="tracking_unit"),
    path("unit/<int:pk>/remind/", views.remind, name="tracking_remind"),
    path("unit/<int:pk>/export/", views.export_xlsx, name="tracking_export"),
    path("unit/<int:pk>/snapshot/", views.snapshot, name="tracking_snapshot"),
]
