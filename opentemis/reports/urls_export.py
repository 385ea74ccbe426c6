"""Report downloads (PDF, xlsx) through background jobs, mounted at /reports/export/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
