"""Site-wide pages, mounted at the root (names without a namespace, as before they moved)."""

from django.urls import path

from opentemis.site import views

urlpatterns = [
    path("", views.home, name="home"),
]
