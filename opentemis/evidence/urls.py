from django.urls import URLPattern, URLResolver, path

from opentemis.evidence import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.evidence_library, name="evidence_library"),
    path("upload/", views.evidence_upload, name="evidence_upload"),
    path("link/", views.evidence_add_link, name="evidence_add_link"),
    path("<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("download/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("person/<int:person_pk>/", views.evidence_person_library, name="evidence_person_library"),
]
