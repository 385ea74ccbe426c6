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
]
