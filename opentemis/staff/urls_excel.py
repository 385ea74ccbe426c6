"""Staff spreadsheet routes, included by ``opentemis.staff.urls`` under ``/staff/``."""

from __future__ import annotations

from django.urls import path

from opentemis.staff import views_excel

urlpatterns = [
    path("import/", views_excel.staff_import, name="staff_import"),
    path("import/template.xlsx", views_excel.staff_template, name="staff_template"),
    path("export.xlsx", views_excel.staff_export, name="staff_export"),
]
