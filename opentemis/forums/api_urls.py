"""The forum's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.forums import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("learn/forums/<int:pk>/threads/", api.ThreadsView.as_view(), name="learn-forum-threads"),
    path("learn/forums/threads/<int:pk>/posts/", api.PostsView.as_view(), name="learn-forum-posts"),
    path(
        "learn/forums/threads/<int:pk>/moderate/",
        api.ModerateView.as_view(),
        name="learn-forum-thread-moderate",
    ),
    path(
        "learn/forums/posts/<int:pk>/answer/", api.AnswerView.as_view(), name="learn-forum-answer"
    ),
    path("learn/forums/posts/<int:pk>/hide/", api.HideView.as_view(), name="learn-forum-post-hide"),
]
