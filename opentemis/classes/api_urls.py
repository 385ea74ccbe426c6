"""Face-to-face classes' API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.classes import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "learn/classes/<int:pk>/sessions/", api.SessionsView.as_view(), name="learn-class-sessions"
    ),
    path("learn/classes/<int:pk>/code/", api.CodeView.as_view(), name="learn-class-code"),
    path(
        "learn/classes/sessions/<int:pk>/roster/",
        api.RosterView.as_view(),
        name="learn-class-roster",
    ),
    path("learn/classes/sessions/<int:pk>/mark/", api.MarkView.as_view(), name="learn-class-mark"),
]
