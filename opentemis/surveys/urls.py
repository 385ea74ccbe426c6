"""The satisfaction survey's pages (mounted under /learn/ by opentemis/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.surveys import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/<int:pk>/", views.survey_take, name="survey_take"),
    path("surveys/<int:pk>/results/", views.survey_results, name="survey_results"),
]
