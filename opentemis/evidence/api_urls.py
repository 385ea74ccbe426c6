"""REST API routes of this app, mounted under /api/v1/ by opentemis/api_urls.py."""

from django.urls import URLPattern, URLResolver, path

from opentemis.evidence.api import EvidenceDetailView, EvidenceDownloadView, EvidenceListView

urlpatterns: list[URLPattern | URLResolver] = [
    path("evidence/", EvidenceListView.as_view(), name="evidence-list"),
    path("evidence/<int:pk>/", EvidenceDetailView.as_view(), name="evidence-detail"),
    path("evidence/<int:pk>/download/", EvidenceDownloadView.as_view(), name="evidence-download"),
]
