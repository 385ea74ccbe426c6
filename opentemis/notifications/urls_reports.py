"""Sending reminders from a report page, mounted at /reports/ (the path and name it had there)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.notifications import views_remind

urlpatterns: list[URLPattern | URLResolver] = [
    path("unit/<int:pk>/remind/", views_remind.report_remind, name="report_remind"),
]
