"""The certificates' API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.certificates import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("certificates/mine/", api.MineView.as_view(), name="certificates-mine"),
    path("certificates/<int:pk>/pdf/", api.PdfView.as_view(), name="certificates-pdf"),
    path("certificates/verify/<str:code>/", api.VerifyView.as_view(), name="certificates-verify"),
]
