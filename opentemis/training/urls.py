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
    path("catalogues/<int:pk>/excel/", views.catalogue_export, name="training_catalogue_export"),
    path("catalogues/module/<int:pk>/", views.module_edit, name="training_module_edit"),
    path("catalogues/upload/", views.catalogue_upload, name="training_upload"),
    path("catalogues/template.xlsx", views.catalogue_template, name="training_template"),
    path("contents/", views.contents_home, name="training_contents_home"),
    path("contents/<int:unit>/", views.contents, name="training_contents"),
    path("contents/item/<int:pk>/", views.content_edit, name="training_content_edit"),
]
