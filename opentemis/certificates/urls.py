"""The certificates' pages (mounted under /certificates/ by opentemis/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.certificates import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="certificates_mine"),
    path("<int:pk>/pdf/", views.certificate_pdf, name="certificates_pdf"),
    path("<int:pk>/open-badge/", views.open_badge, name="certificates_badge"),
    path("verify/", views.verify, name="certificates_verify"),
    path("verify/<str:code>/", views.verify_code, name="certificates_verify_code"),
    path("issued/", views.issued, name="certificates_issued"),
    path("<int:pk>/", views.detail, name="certificates_detail"),
    path("<int:pk>/revoke/", views.revoke, name="certificates_revoke"),
    path("<int:pk>/reissue/", views.reissue, name="certificates_reissue"),
    path("units/<int:pk>/zip/", views.unit_zip, name="certificates_unit_zip"),
    path("units/<int:pk>/issuer/", views.unit_issuer, name="certificates_unit_issuer"),
    path("courses/<int:pk>/issue/", views.course_issue, name="certificates_course_issue"),
    path("issuers/", views.issuers, name="certificates_issuers"),
    path("issuers/<int:pk>/", views.issuer, name="certificates_issuer"),
    path("issuers/<int:pk>/sample/", views.issuer_sample, name="certificates_issuer_sample"),
    path("issuers/<int:pk>/programmes/", views.programme_add, name="certificates_programme_add"),
    path("programmes/<int:pk>/", views.programme, name="certificates_programme"),
]
