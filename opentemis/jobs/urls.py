from django.urls import URLPattern, URLResolver, path

from opentemis.jobs import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/download/", views.job_download, name="job_download"),
    path("<int:pk>/retry/", views.job_retry, name="job_retry"),
]
