"""The user's in-app notices, mounted at /notices/."""

from django.urls import URLPattern, URLResolver, path

from opentemis.notifications import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notice_list, name="notice_list"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("read-all/", views.notice_read_all, name="notice_read_all"),
    path("preferences/", views.notice_preferences, name="notice_preferences"),
]
