"""REST API routes of this app, mounted under /api/v1/ by opentemis/api_urls.py."""

from django.urls import URLPattern, URLResolver, path

from opentemis.evaluations.api import CycleViewSet, EvaluationViewSet
from opentemis.evaluations.api_paper import PaperImportView, PaperTemplateView
from opentemis.evaluations.api_waiting import ReviewQueueView


def _step(suffix: str, actions: dict[str, str], name: str) -> URLPattern:
    """``evaluations/<pk>/<suffix>/``: one step of the workflow on one evaluation."""
    return path(f"evaluations/<int:pk>/{suffix}/", EvaluationViewSet.as_view(actions), name=name)


urlpatterns: list[URLPattern | URLResolver] = [
    path("cycles/", CycleViewSet.as_view({"get": "list", "post": "create"}), name="cycle-list"),
    path("cycles/<int:pk>/", CycleViewSet.as_view({"get": "retrieve"}), name="cycle-detail"),
    path(
        "cycles/<int:pk>/completion/",
        CycleViewSet.as_view({"get": "completion"}),
        name="cycle-completion",
    ),
    path("evaluations/", EvaluationViewSet.as_view({"get": "list"}), name="evaluation-list"),
    path("evaluations/paper/", PaperImportView.as_view(), name="paper-import"),
    path("evaluations/queue/", ReviewQueueView.as_view(), name="evaluation-queue"),
    path("evaluations/paper/template/", PaperTemplateView.as_view(), name="paper-template"),
    path(
        "evaluations/me/",
        EvaluationViewSet.as_view({"get": "me", "post": "start"}),
        name="evaluation-me",
    ),
    path(
        "evaluations/<int:pk>/",
        EvaluationViewSet.as_view({"get": "retrieve"}),
        name="evaluation-detail",
    ),
    _step("self", {"patch": "save_self"}, "evaluation-self"),
    _step("submit", {"post": "submit"}, "evaluation-submit"),
    _step("review", {"patch": "review"}, "evaluation-review"),
    _step("return", {"post": "return_"}, "evaluation-return"),
    _step("finalise", {"post": "finalise"}, "evaluation-finalise"),
    _step("acknowledge", {"post": "acknowledge"}, "evaluation-acknowledge"),
    _step("reopen", {"post": "reopen"}, "evaluation-reopen"),
    _step("opinion", {"post": "opinion", "put": "opinion"}, "evaluation-opinion"),
    _step("opinions", {"get": "opinions"}, "evaluation-opinions"),
    _step("poll", {"get": "poll_results", "post": "poll_answer"}, "evaluation-poll"),
    _step(
        "evidence",
        {"post": "attach_evidence", "delete": "detach_evidence"},
        "evaluation-evidence",
    ),
]
