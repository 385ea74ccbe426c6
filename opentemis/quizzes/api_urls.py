"""The quizzes app's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.quizzes import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "learn/quizzes/<int:pk>/attempts/",
        api.AttemptStartView.as_view(),
        name="quiz-attempt-start",
    ),
    path("learn/quiz-attempts/<int:pk>/", api.AttemptDetailView.as_view(), name="quiz-attempt"),
    path(
        "learn/quiz-attempts/<int:pk>/answers/",
        api.AnswerView.as_view(),
        name="quiz-attempt-answer",
    ),
    path(
        "learn/quiz-attempts/<int:pk>/submit/",
        api.SubmitView.as_view(),
        name="quiz-attempt-submit",
    ),
]
