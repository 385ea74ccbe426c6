"""The review queue: the evaluations waiting for the actor's review (a principal: the school's
teachers and, by configuration, its deputies; a Sở officer: the principals the Sở evaluates,
across the whole subtree), filtered by status, unit and kind, one page at a time.

One selector (``waiting.review_queue``) serves this page, the API and the home page's counts.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render

from opentemis.accounts.models import User
from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.pagination import CappedPaginator
from opentemis.core.params import id_param
from opentemis.evaluations.models import EvaluationKind, Status
from opentemis.evaluations.waiting import QUEUE_STATUSES, review_queue
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import get_unit_for_user

PAGE_SIZE = 50


def may_review_someone(user: User) -> bool:
    return user.is_superuser or bool(
        perm_paths(user, Perm.REVIEW_TEACHERS) or perm_paths(user, Perm.REVIEW_MANAGERS)
    )


@login_required
def review_queue_page(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not may_review_someone(user):
        raise Http404
    status = request.GET.get("status", Status.SUBMITTED)
    if status not in (*QUEUE_STATUSES, ""):
        status = Status.SUBMITTED
    kind = request.GET.get("kind", "")
    if kind not in EvaluationKind.values:
        kind = ""
    unit_id = id_param(request.GET, "unit")
    unit = (
        get_unit_for_user(actor=user, pk=unit_id, perm=Perm.VIEW_EVALUATIONS)
        if unit_id is not None
        else None
    )
    everything = review_queue(actor=user, status="", unit=unit, kind=kind)
    counts = dict(everything.order_by().values_list("status").annotate(n=Count("id")))
    page = CappedPaginator(review_queue(actor=user, status=status, unit=unit, kind=kind), PAGE_SIZE)
    units = Unit.objects.filter(
        pk__in=review_queue(actor=user, status="").order_by().values("unit_id")
    ).order_by("path")[:500]
    context = {
        "page": page.get_page(request.GET.get("page")),
        "status": status,
        "kind": kind,
        "unit": unit,
        "units": units,
        "tabs": [(s, Status(s).label, counts.get(s, 0)) for s in QUEUE_STATUSES],
        "total": sum(counts.values()),
        "kinds": EvaluationKind.choices,
    }
    return render(request, "evaluations/review_queue.html", context)
