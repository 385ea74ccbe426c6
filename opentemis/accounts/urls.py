from django.contrib.auth import views as auth_views
from django.urls import path

from opentemis.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
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
