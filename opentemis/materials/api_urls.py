"""The materials app's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.materials import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "learn/videos/<int:pk>/progress/",
        api.VideoProgressView.as_view(),
        name="learn-video-progress",
    ),
]
