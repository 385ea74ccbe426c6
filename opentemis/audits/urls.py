from django.urls import URLPattern, URLResolver, path

from opentemis.audits import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="audits_home"),
    path("completions/<int:pk>/", views.completion, name="audits_completion"),
    path("submissions/<int:pk>/file/", views.submission_file, name="audits_file"),
    path("sample/", views.sample, name="audits_sample"),
    path("sample/export/", views.sample_export, name="audits_sample_export"),
    path("trail/", views.trail, name="audits_trail"),
]
