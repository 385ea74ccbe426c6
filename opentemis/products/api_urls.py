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
    path("learn/products/mine/", api.MyQueueView.as_view(), name="learn-product-mine"),
    path("learn/products/pool/claim/", api.ClaimView.as_view(), name="learn-product-claim"),
    path(
        "learn/products/submissions/<int:pk>/release/",
        api.ReleaseView.as_view(),
        name="learn-product-release",
    ),
    path(
        "learn/products/second-marks/",
        api.SecondMarksView.as_view(),
        name="learn-product-second-marks",
    ),
    path(
        "learn/products/submissions/<int:pk>/second-mark/",
        api.SecondMarkView.as_view(),
        name="learn-product-second-mark",
    ),
    path(
        "learn/products/submissions/<int:pk>/appeal/",
        api.AppealView.as_view(),
        name="learn-product-appeal",
    ),
    path(
        "learn/products/courses/<int:pk>/workload/",
        api.WorkloadView.as_view(),
        name="learn-product-workload",
    ),
]
