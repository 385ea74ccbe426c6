from django.urls import URLPattern, URLResolver, path

from opentemis.loop import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="loop_mine"),
    path("people/<int:pk>/", views.person, name="loop_person"),
    path("units/", views.unit, name="loop_unit"),
]
