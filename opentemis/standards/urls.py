from django.urls import path

from opentemis.standards import views

urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("<int:pk>/", views.framework_detail, name="framework_detail"),
    path("<int:pk>/xlsx/", views.framework_xlsx, name="framework_xlsx"),
    path("upload/", views.framework_upload, name="framework_upload"),
    path("upload/template.xlsx", views.framework_template, name="framework_template"),
    path("upload/format/", views.framework_format, name="framework_format"),
    path("years/", views.year_list, name="framework_years"),
    path("years/<str:code>/", views.year_detail, name="framework_year"),
    path("years/<str:code>/defaults/", views.year_defaults, name="framework_year_defaults"),
    path(
        "years/<str:code>/applications/<int:pk>/remove/",
        views.application_remove,
        name="framework_application_remove",
    ),
]
