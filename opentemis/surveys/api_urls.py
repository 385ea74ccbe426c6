"""The satisfaction survey's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.surveys import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("learn/surveys/<int:pk>/submit/", api.SubmitView.as_view(), name="learn-survey-submit"),
    path("learn/surveys/<int:pk>/results/", api.ResultsView.as_view(), name="learn-survey-results"),
]
