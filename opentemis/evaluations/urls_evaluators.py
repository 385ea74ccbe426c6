"""Who evaluates managers, mounted at /standards/ beside the other national configuration."""

from django.urls import URLPattern, URLResolver, path

from opentemis.evaluations import views_evaluators as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("evaluators/", views.evaluator_rule_list, name="evaluator_rules"),
    path("evaluators/<int:pk>/remove/", views.evaluator_rule_remove, name="evaluator_rule_remove"),
]
