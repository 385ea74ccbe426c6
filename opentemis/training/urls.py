from django.urls import path

from opentemis.training import views

urlpatterns = [
    path("catalogues/", views.catalogue_list, name="training_catalogues"),
    path("catalogues/<int:pk>/", views.catalogue_detail, name="training_catalogue"),
    path("catalogues/<int:pk>/lock/", views.catalogue_lock, name="training_catalogue_lock"),
    path(
        "catalogues/<int:pk>/new-version/",
        views.catalogue_new_version,
        name="training_catalogue_new_version",
    ),
    path("catalogues/upload/", views.catalogue_upload, name="training_upload"),
]
