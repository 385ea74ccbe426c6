"""The cascade's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.cascade import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cascade/units/<int:pk>/caseloads/",
        api.UnitCaseloadsView.as_view(),
        name="cascade-caseloads",
    ),
]
