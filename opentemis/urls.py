from django.contrib import admin
from django.urls import include, path

from opentemis.core.locale import set_language

urlpatterns = [
    path("", include("opentemis.site.urls")),
    path("", include("opentemis.core.urls")),
    path("", include("opentemis.accounts.urls")),
    path("", include("opentemis.staff.urls_accounts")),
    path("units/", include("opentemis.staff.urls_units")),
    path("staff/", include("opentemis.staff.urls")),
    path("standards/", include("opentemis.standards.urls")),
    path("standards/", include("opentemis.evaluations.urls_evaluators")),
    path("evaluations/", include("opentemis.evaluations.urls")),
    path("evidence/", include("opentemis.evidence.urls")),
    path("jobs/", include("opentemis.jobs.urls")),
    path("reports/", include("opentemis.reports.urls")),
    path("reports/", include("opentemis.notifications.urls_reports")),
    path("reports/export/", include("opentemis.reports.urls_export")),
    path("notices/", include("opentemis.notifications.urls")),
    path("training/", include("opentemis.training.urls")),
    path("bdtx/", include("opentemis.plans.urls")),
    path("learn/", include("opentemis.learning.urls")),
    path("learn/", include("opentemis.materials.urls")),
    path("learn/", include("opentemis.packages.urls")),
    path("learn/", include("opentemis.quizzes.urls")),
    path("learn/", include("opentemis.products.urls")),
    path("learn/", include("opentemis.forums.urls")),
    path("learn/", include("opentemis.classes.urls")),
    path("learn/", include("opentemis.surveys.urls")),
    path("cascade/", include("opentemis.cascade.urls")),
    path("certificates/", include("opentemis.certificates.urls")),
    path("tracking/", include("opentemis.tracking.urls")),
    path("audits/", include("opentemis.audits.urls")),
    path("loop/", include("opentemis.loop.urls")),
    path("api/v1/", include("opentemis.api_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler400 = "opentemis.core.views.bad_request"
handler403 = "opentemis.core.views.permission_denied"
handler404 = "opentemis.core.views.page_not_found"
handler500 = "opentemis.core.views.server_error"
