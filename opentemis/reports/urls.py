"""Report pages and dashboards, mounted at /reports/ (reminders: notifications/urls_reports.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.reports import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report_home, name="report_home"),
    path("unit/<int:pk>/", views.report_unit, name="report_unit"),
]
