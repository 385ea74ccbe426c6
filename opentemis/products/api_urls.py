"""The final product's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.products import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "learn/products/<int:pk>/submissions/",
        api.SubmissionsView.as_view(),
        name="learn-product-submissions",
    ),
    path("learn/products/<int:pk>/queue/", api.QueueView.as_view(), name="learn-product-queue"),
    path(
        "learn/products/submissions/<int:pk>/grade/",
        api.GradeView.as_view(),
        name="learn-product-grade",
    ),
]
