"""The ledger pages of the plans app (see urls.py): the hours ledger and the year's results."""

from django.urls import URLPattern, path

from opentemis.plans import views_ledger as views

urlpatterns: list[URLPattern] = [
    path("ledger/", views.my_ledger, name="bdtx_ledger_mine"),
    path("people/<int:person>/ledger/", views.person_ledger, name="bdtx_ledger"),
    path("people/<int:person>/ledger/add/", views.entry_add, name="bdtx_ledger_add"),
    path("people/<int:person>/ledger/dispute/", views.entry_dispute, name="bdtx_ledger_dispute"),
    path("people/<int:person>/result/<str:year>/", views.person_result, name="bdtx_result"),
    path("schools/ledger/", views.school_home, name="bdtx_school_home"),
    path("schools/<int:unit>/ledger/", views.school, name="bdtx_school"),
    path("schools/<int:unit>/ledger/confirm/", views.school_confirm, name="bdtx_school_confirm"),
    path("schools/<int:unit>/ledger/reject/", views.school_reject, name="bdtx_school_reject"),
    path("schools/<int:unit>/ledger/record/", views.school_record, name="bdtx_school_record"),
    path("schools/<int:unit>/ledger/assess/", views.school_assess, name="bdtx_school_assess"),
    path("schools/<int:unit>/results/compute/", views.school_compute, name="bdtx_school_compute"),
    path(
        "schools/<int:unit>/results/confirm/",
        views.school_results_confirm,
        name="bdtx_school_results_confirm",
    ),
    path(
        "schools/<int:unit>/results/export/<str:fmt>/",
        views.school_results_export,
        name="bdtx_school_results_export",
    ),
]
