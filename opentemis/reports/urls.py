"""Report pages and dashboards, mounted at /reports/."""

from django.urls import URLPattern, URLResolver, path

from opentemis.reports import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report_home, name="report_home"),
    path("unit/<int:pk>/", views.report_unit, name="report_unit"),
    path("unit/<int:pk>/remind/", views.report_remind, name="report_remind"),
]
