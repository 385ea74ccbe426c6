"""The weekly progress API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.tracking import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("tracking/units/<int:pk>/", api.UnitWeekView.as_view(), name="tracking-unit"),
    path("tracking/units/<int:pk>/ranking/", api.RankingView.as_view(), name="tracking-ranking"),
]
