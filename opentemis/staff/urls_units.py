"""The unit tree pages, mounted at /units/ (names without a namespace, as when in orgs)."""

from django.urls import path

from opentemis.staff import views_units as views

urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/children/", views.unit_children, name="unit_children"),
    path("<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:pk>/move/", views.unit_move, name="unit_move"),
    path("<int:pk>/move/submit/", views.unit_move_submit, name="unit_move_submit"),
]
