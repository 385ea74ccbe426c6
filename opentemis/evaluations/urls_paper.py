"""Paper fallback routes, mounted at ``/evaluations/paper/``."""

from django.urls import URLPattern, URLResolver, path

from opentemis.evaluations import views_paper

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:unit_pk>/", views_paper.paper_home, name="paper_home"),
    path("<int:unit_pk>/template.xlsx", views_paper.paper_template, name="paper_template"),
    path("<int:unit_pk>/confirm/", views_paper.paper_confirm, name="paper_confirm"),
]
