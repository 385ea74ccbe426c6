"""The cascade's pages (mounted under /cascade/ by opentemis/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.cascade import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="cascade_home"),
    path("units/<int:unit>/core/", views.core, name="cascade_core"),
    path("people/<int:pk>/core/", views.person, name="cascade_person"),
    path("people/<int:pk>/core/revoke/", views.revoke, name="cascade_revoke"),
    path("people/<int:pk>/caseload/assign/", views.assign, name="cascade_assign"),
    path("schools/core/", views.school_home, name="cascade_school_home"),
    path("schools/<int:unit>/core/", views.school, name="cascade_school"),
    path("units/<int:unit>/caseloads/", views.caseloads, name="cascade_caseloads"),
    path("units/<int:unit>/caseloads/balance/", views.balance, name="cascade_balance"),
    path("units/<int:unit>/caseloads/upload/", views.upload, name="cascade_upload"),
    path("units/<int:unit>/caseloads/template/", views.template, name="cascade_template"),
    path("core/<int:pk>/caseload/", views.core_caseload, name="cascade_core_caseload"),
    path("core/<int:pk>/caseload/move/", views.move, name="cascade_move"),
    path("support/", views.support, name="cascade_support"),
]
