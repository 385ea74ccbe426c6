"""Report downloads (PDF, xlsx) through background jobs, mounted at /reports/export/."""

from django.urls import URLPattern, URLResolver, path, register_converter

from opentemis.reports import views_export


class _ExportFormat:
    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(_ExportFormat, "report_fmt")

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:unit_pk>/<report_fmt:fmt>/", views_export.report_export, name="report_export"),
]
