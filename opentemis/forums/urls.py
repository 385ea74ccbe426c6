"""The forum's pages (mounted under /learn/ by opentemis/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.forums import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("forums/<int:pk>/", views.forum_page, name="forums_activity"),
    path("forums/<int:pk>/new/", views.thread_create, name="forums_thread_create"),
    path("forums/<int:pk>/manage/", views.manage, name="forums_manage"),
    path("forums/threads/<int:pk>/", views.thread_page, name="forums_thread"),
    path("forums/threads/<int:pk>/reply/", views.reply, name="forums_reply"),
    path("forums/threads/<int:pk>/moderate/", views.thread_moderate, name="forums_thread_moderate"),
    path("forums/posts/<int:pk>/answer/", views.answer, name="forums_answer"),
    path("forums/posts/<int:pk>/hide/", views.post_hide, name="forums_post_hide"),
]
