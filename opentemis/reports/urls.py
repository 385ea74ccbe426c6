"""Report pages and dashboards, mounted at /reports/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
