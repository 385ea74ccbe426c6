"""The materials app's pages, under /learn/ (views.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.materials import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("page/<int:pk>/", views.page, name="materials_page"),
    path("page/<int:pk>/manage/", views.page_manage, name="materials_page_manage"),
    path("material-file/<int:pk>/", views.asset, name="materials_asset"),
    path("material-file/<int:pk>/delete/", views.asset_delete, name="materials_asset_delete"),
    path("video/<int:pk>/", views.video, name="materials_video"),
    path("video/<int:pk>/stream/", views.video_stream, name="materials_video_stream"),
    path("video/<int:pk>/progress/", views.video_progress, name="materials_video_progress"),
    path("video/<int:pk>/manage/", views.video_manage, name="materials_video_manage"),
    path("file/<int:pk>/", views.file_page, name="materials_file"),
    path("file/<int:pk>/download/", views.file_download, name="materials_file_download"),
    path("file/<int:pk>/manage/", views.file_manage, name="materials_file_manage"),
]
