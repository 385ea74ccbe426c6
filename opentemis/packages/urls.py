from django.urls import URLPattern, URLResolver, path

from opentemis.packages import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("packages/<int:pk>/", views.packages_play, name="packages_play"),
    path("packages/<int:pk>/manage/", views.packages_manage, name="packages_manage"),
    path("packages/<int:pk>/files/<path:path>", views.packages_file, name="packages_file"),
    path("packages/<int:pk>/commit/", views.packages_commit, name="packages_commit"),
    path("packages/<int:pk>/xapi/", views.packages_xapi, name="packages_xapi"),
]
