"""REST API v1, mounted at ``/api/v1/`` (see docs: ``/api/v1/openapi.json``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny

from opentemis.accounts.api import TokenView
from opentemis.audits.api_urls import urlpatterns as audits_api
from opentemis.cascade.api_urls import urlpatterns as cascade_api
from opentemis.certificates.api_urls import urlpatterns as certificates_api
from opentemis.classes.api_urls import urlpatterns as classes_api
from opentemis.evaluations.api_urls import urlpatterns as evaluation_api
from opentemis.evidence.api_urls import urlpatterns as evidence_api
from opentemis.forums.api_urls import urlpatterns as forums_api
from opentemis.learning.api_urls import urlpatterns as learning_api
from opentemis.loop.api_urls import urlpatterns as loop_api
from opentemis.materials.api_urls import urlpatterns as materials_api
from opentemis.notifications.api_urls import urlpatterns as notification_api
from opentemis.orgs.api import UnitViewSet
from opentemis.packages.api_urls import urlpatterns as packages_api
from opentemis.plans.api_urls import urlpatterns as plans_api
from opentemis.products.api_urls import urlpatterns as products_api
from opentemis.quizzes.api_urls import urlpatterns as quizzes_api
from opentemis.reports.api import ReportView
from opentemis.staff.api import StaffViewSet
from opentemis.surveys.api_urls import urlpatterns as surveys_api
from opentemis.tracking.api_urls import urlpatterns as tracking_api
from opentemis.training.api_urls import urlpatterns as training_api

app_name = "api"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: the schema describes the endpoints, not anybody's data.
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("units/", UnitViewSet.as_view({"get": "list", "post": "create"}), name="unit-list"),
    path(
        "units/<int:pk>/",
        UnitViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="unit-detail",
    ),
    path("staff/", StaffViewSet.as_view({"get": "list", "post": "create"}), name="staff-list"),
    path(
        "staff/<int:pk>/",
        StaffViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="staff-detail",
    ),
    path("reports/units/<int:pk>/", ReportView.as_view(), name="report-unit"),
    *evaluation_api,
    *evidence_api,
    *notification_api,
    *training_api,
    *plans_api,
    *learning_api,
    *materials_api,
    *packages_api,
    *quizzes_api,
    *products_api,
    *forums_api,
    *classes_api,
    *surveys_api,
    *certificates_api,
    *cascade_api,
    *tracking_api,
    *audits_api,
    *loop_api,
]
