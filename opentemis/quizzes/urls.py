"""The pages of tests (mounted under /learn/; see views.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.quizzes import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("quiz/<int:pk>/", views.take, name="quiz_take"),
    path("quiz/<int:pk>/start/", views.start, name="quiz_start"),
    path("quiz/attempts/<int:pk>/", views.attempt_page, name="quiz_attempt"),
    path("quiz/attempts/<int:pk>/save/", views.attempt_save, name="quiz_attempt_save"),
    path("quiz/attempts/<int:pk>/submit/", views.attempt_submit, name="quiz_attempt_submit"),
    path("quiz/attempts/<int:pk>/result/", views.attempt_result, name="quiz_attempt_result"),
    path("quiz/<int:pk>/manage/", views.manage, name="quiz_manage"),
    path("quiz/<int:pk>/bank/", views.bank, name="quiz_bank"),
    path("quiz/<int:pk>/bank/import/", views.bank_import, name="quiz_bank_import"),
    path("quiz/<int:pk>/bank/template/", views.bank_template, name="quiz_bank_template"),
    path("quiz/<int:pk>/bank/categories/add/", views.category_add, name="quiz_category_add"),
    path("quiz/<int:pk>/bank/questions/add/", views.question_add, name="quiz_question_add"),
    path(
        "quiz/<int:pk>/bank/questions/<int:question>/",
        views.question_edit,
        name="quiz_question_edit",
    ),
    path(
        "quiz/<int:pk>/bank/questions/<int:question>/archive/",
        views.question_archive,
        name="quiz_question_archive",
    ),
]
