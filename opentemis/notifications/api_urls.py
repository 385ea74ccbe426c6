"""REST API routes of this app, mounted under /api/v1/ by opentemis/api_urls.py."""

from django.urls import URLPattern, URLResolver, path

from opentemis.notifications.api import NoticeListView, NoticeReadAllView

urlpatterns: list[URLPattern | URLResolver] = [
    path("notices/", NoticeListView.as_view(), name="notice-list"),
    path("notices/read-all/", NoticeReadAllView.as_view(), name="notice-read-all"),
]
