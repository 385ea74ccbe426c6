"""The plans app's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.plans import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("bdtx/plans/", api.PlanListView.as_view(), name="bdtx-plan-list"),
    path("bdtx/plans/open/", api.PlanOpenView.as_view(), name="bdtx-plan-open"),
    path("bdtx/plans/approve/", api.ApproveView.as_view(), name="bdtx-plan-approve"),
    path("bdtx/plans/<int:pk>/", api.PlanDetailView.as_view(), name="bdtx-plan-detail"),
    path("bdtx/plans/<int:pk>/items/", api.ItemListView.as_view(), name="bdtx-plan-items"),
    path(
        "bdtx/plans/<int:pk>/items/<int:item_id>/",
        api.ItemDetailView.as_view(),
        name="bdtx-plan-item",
    ),
    path("bdtx/plans/<int:pk>/submit/", api.SubmitView.as_view(), name="bdtx-plan-submit"),
    path("bdtx/plans/<int:pk>/return/", api.ReturnView.as_view(), name="bdtx-plan-return"),
    path(
        "bdtx/plans/<int:pk>/change-requests/",
        api.ChangeRequestView.as_view(),
        name="bdtx-plan-change-requests",
    ),
    path(
        "bdtx/change-requests/<int:pk>/decide/",
        api.DecideView.as_view(),
        name="bdtx-change-decide",
    ),
    path("bdtx/deadlines/", api.DeadlineView.as_view(), name="bdtx-deadlines"),
]
