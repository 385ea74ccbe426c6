"""REST API routes of this app, mounted under /api/v1/ by opentemis/api_urls.py."""

from django.urls import URLPattern, URLResolver, path

from opentemis.training.api import CatalogueDetailView, CatalogueListView, RequirementListView

urlpatterns: list[URLPattern | URLResolver] = [
    path("training/catalogues/", CatalogueListView.as_view(), name="training-catalogue-list"),
    path(
        "training/catalogues/<int:pk>/",
        CatalogueDetailView.as_view(),
        name="training-catalogue-detail",
    ),
    path("training/requirements/", RequirementListView.as_view(), name="training-requirement-list"),
]
