"""Face-to-face classes' pages (mounted under /learn/ by opentemis/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.classes import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("classes/<int:pk>/", views.class_learn, name="class_learn"),
    path("classes/<int:pk>/code/", views.class_code_enter, name="class_code_enter"),
    path("classes/<int:pk>/manage/", views.class_manage, name="class_manage"),
    path("classes/<int:pk>/settings/", views.class_settings, name="class_settings"),
    path("classes/<int:pk>/roster/", views.class_roster_fill, name="class_roster_fill"),
    path("classes/<int:pk>/sessions/add/", views.class_session_add, name="class_session_add"),
    path("classes/<int:pk>/close/", views.class_close, name="class_close"),
    path("classes/<int:pk>/results/", views.class_results, name="class_results"),
    path(
        "classes/<int:pk>/results.xlsx",
        views.class_results_export,
        name="class_results_export",
    ),
    path("classes/sessions/<int:pk>/", views.class_rollcall, name="class_rollcall"),
    path("classes/sessions/<int:pk>/mark/", views.class_rollcall_mark, name="class_rollcall_mark"),
    path("classes/sessions/<int:pk>/code/", views.class_code_open, name="class_code_open"),
    path(
        "classes/sessions/<int:pk>/cancel/",
        views.class_session_cancel,
        name="class_session_cancel",
    ),
]
