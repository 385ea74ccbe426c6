"""Account administration pages, mounted at the root with the paths and names they had in
accounts (no namespace): /accounts/..., /audit/."""

from django.urls import path

from opentemis.staff import views_accounts as views

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/provision/", views.accounts_provision, name="accounts_provision"),
    path(
        "accounts/<int:pk>/reset-password/",
        views.account_reset_password,
        name="account_reset_password",
    ),
    path("accounts/<int:pk>/roles/", views.account_roles, name="account_roles"),
    path("audit/", views.audit_list, name="audit_list"),
]
