"""The final product's pages (mounted under /learn/ by opentemis/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.products import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("products/<int:pk>/", views.activity_page, name="products_activity"),
    path("products/<int:pk>/submit/", views.submit, name="products_submit"),
    path("products/<int:pk>/manage/", views.manage, name="products_manage"),
    path("products/<int:pk>/queue/", views.queue, name="products_queue"),
    path("products/submissions/<int:pk>/grade/", views.grade, name="products_grade"),
    path("products/submissions/<int:pk>/file/", views.submission_file, name="products_file"),
    path("products/mine/", views.mine, name="products_mine"),
    path("products/pool/claim/", views.claim, name="products_claim"),
    path("products/submissions/<int:pk>/release/", views.release, name="products_release"),
    path("products/second-marks/", views.second_marks, name="products_second_marks"),
    path(
        "products/submissions/<int:pk>/second-mark/",
        views.second_mark,
        name="products_second_mark",
    ),
    path("products/submissions/<int:pk>/appeal/", views.appeal, name="products_appeal"),
    path("products/courses/<int:pk>/workload/", views.workload, name="products_workload"),
    path(
        "products/courses/<int:pk>/workload.xlsx",
        views.workload_export,
        name="products_workload_export",
    ),
]
