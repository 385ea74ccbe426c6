"""The plans app's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.plans import api, api_ledger

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

# The ledger, results and roll-ups (plans/api_ledger.py).
urlpatterns += [
    path(
        "bdtx/people/<int:pk>/ledger/",
        api_ledger.PersonLedgerView.as_view(),
        name="bdtx-person-ledger",
    ),
    path(
        "bdtx/people/<int:pk>/result/<str:year>/",
        api_ledger.PersonResultView.as_view(),
        name="bdtx-person-result",
    ),
    path("bdtx/ledger/record/", api_ledger.EntryRecordView.as_view(), name="bdtx-ledger-record"),
    path("bdtx/ledger/post/", api_ledger.EntryPostView.as_view(), name="bdtx-ledger-post"),
    path("bdtx/ledger/confirm/", api_ledger.EntryConfirmView.as_view(), name="bdtx-ledger-confirm"),
    path(
        "bdtx/ledger/<int:pk>/reject/",
        api_ledger.EntryRejectView.as_view(),
        name="bdtx-ledger-reject",
    ),
    path(
        "bdtx/ledger/<int:pk>/dispute/",
        api_ledger.EntryDisputeView.as_view(),
        name="bdtx-ledger-dispute",
    ),
    path("bdtx/units/<int:pk>/results/", api_ledger.UnitResultsView.as_view(), name="bdtx-results"),
    path(
        "bdtx/units/<int:pk>/results/compute/",
        api_ledger.ResultsComputeView.as_view(),
        name="bdtx-results-compute",
    ),
    path(
        "bdtx/units/<int:pk>/results/confirm/",
        api_ledger.ResultsConfirmView.as_view(),
        name="bdtx-results-confirm",
    ),
    path(
        "bdtx/items/<int:pk>/assess/", api_ledger.ItemAssessView.as_view(), name="bdtx-item-assess"
    ),
    path("bdtx/units/<int:pk>/needs/", api_ledger.NeedsView.as_view(), name="bdtx-needs"),
    path("bdtx/units/<int:pk>/children/", api_ledger.ChildrenView.as_view(), name="bdtx-children"),
    path(
        "bdtx/units/<int:pk>/school-plan/",
        api_ledger.SchoolPlanView.as_view(),
        name="bdtx-school-plan",
    ),
]
