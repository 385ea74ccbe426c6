from django.urls import path

from opentemis.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("session/", views.session_state, name="session_state"),
    path("session/back/", views.session_back, name="session_back"),
]
