from django.urls import path

from opentemis.standards import views

urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("<int:pk>/", views.framework_detail, name="framework_detail"),
]
