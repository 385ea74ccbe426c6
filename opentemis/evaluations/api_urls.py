"""REST API routes of this app, mounted under /api/v1/ by opentemis/api_urls.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import URLPattern, URLResolver, path

from opentemis.evaluations.api.common import OneEvaluationViewSet
from opentemis.evaluations.api.cycles import CycleViewSet
from opentemis.evaluations.api.evaluations import EvaluationViewSet
from opentemis.evaluations.api.opinions import OpinionViewSet, PollViewSet
from opentemis.evaluations.api.paper import PaperImportView, PaperTemplateView
from opentemis.evaluations.api.queue import ReviewQueueView
from opentemis.evaluations.api.steps import ReviewViewSet, SelfEvaluationViewSet

if TYPE_CHECKING:  # a name of the DRF stubs only
    from rest_framework.decorators import ViewSetAction


def _step(
    suffix: str,
    views: type[OneEvaluationViewSet],
    actions: dict[str, str | ViewSetAction[Any]],
    name: str,
) -> URLPattern:
    """``evaluations/<pk>/<suffix>/``: one step of the workflow on one evaluation."""
    return path(f"evaluations/<int:pk>/{suffix}/", views.as_view(actions), name=name)


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
    _step("self", SelfEvaluationViewSet, {"patch": "save_self"}, "evaluation-self"),
    _step("submit", SelfEvaluationViewSet, {"post": "submit"}, "evaluation-submit"),
    _step("review", ReviewViewSet, {"patch": "review"}, "evaluation-review"),
    _step("return", ReviewViewSet, {"post": "return_"}, "evaluation-return"),
    _step("finalise", ReviewViewSet, {"post": "finalise"}, "evaluation-finalise"),
    _step("acknowledge", ReviewViewSet, {"post": "acknowledge"}, "evaluation-acknowledge"),
    _step("reopen", ReviewViewSet, {"post": "reopen"}, "evaluation-reopen"),
    _step("opinion", OpinionViewSet, {"post": "opinion", "put": "opinion"}, "evaluation-opinion"),
    _step("opinions", OpinionViewSet, {"get": "opinions"}, "evaluation-opinions"),
    _step("poll", PollViewSet, {"get": "poll_results", "post": "poll_answer"}, "evaluation-poll"),
    _step(
        "evidence",
        SelfEvaluationViewSet,
        {"post": "attach_evidence", "delete": "detach_evidence"},
        "evaluation-evidence",
    ),
]
