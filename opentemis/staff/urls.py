from django.urls import include, path

from opentemis.staff import views

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("new/", views.staff_create, name="staff_create"),
    path("<int:pk>/", views.staff_detail, name="staff_detail"),
    path("<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("<int:pk>/core/", views.staff_core_toggle, name="staff_core_toggle"),
    path("<int:pk>/transfer/", views.staff_transfer, name="staff_transfer"),
    path("", include("opentemis.staff.urls_excel")),
]
