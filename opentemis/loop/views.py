"""Pages of the closed loop, under /loop/ (issue 14 item 8).

* ``loop/``: the signed-in person's own loop;
* ``loop/people/<pk>/``: a person's loop, for whoever reads BDTX plans of their unit (the head
  of their school, officers above); 404 for anyone else;
* ``loop/units/``: a unit's funnel by criterion (``?unit=``; the actor's highest unit where they
  read plans otherwise), for readers of its plans and learning.

Read-only: GET only. Each step links to its own page (the evaluation, the plan, the course,
the ledger, the certificate, the evidence).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.params import id_param
from opentemis.loop import selectors
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import default_unit, get_unit_for_user, requested_school_year

#: The funnel's columns, in order (``selectors.STEPS``).
STEP_LABELS = [
    ("weak", _("Weak criterion last year")),
    ("planned", _("In this year's plan")),
    ("enrolled", _("Enrolled in a course")),
    ("completed", _("Course completed")),
    ("hours", _("Hours credited")),
    ("certified", _("Certificate issued")),
    ("evidence", _("Evidence in this year's self-evaluation")),
]


def _person_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = requested_school_year(request)
    loop = selectors.loop_person(actor=request.user, pk=pk, school_year=year)
    is_self = request.user.person_id == loop.person.pk
    return render(request, "loop/person.html", {"loop": loop, "year": year, "is_self": is_self})


@login_required
@require_GET
def mine(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.person_id is None:
        return render(request, "loop/no_person.html")
    return _person_page(request, request.user.person_id)


@login_required
@require_GET
def person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk)


@login_required
@require_GET
def unit(request: AuthenticatedRequest) -> HttpResponse:
    unit_id = id_param(request.GET, "unit")
    found: Unit | None
    if unit_id is not None:
        found = get_unit_for_user(actor=request.user, pk=unit_id, perm=Perm.VIEW_PLANS)
    else:
        found = default_unit(actor=request.user, perm=Perm.VIEW_PLANS)
    if found is None or not selectors.reads_unit(request.user, found):
        return render(request, "errors/403.html", status=403)
    year = requested_school_year(request)
    funnel = selectors.unit_funnel(actor=request.user, unit=found, school_year=year)
    return render(request, "loop/unit.html", {"funnel": funnel, "year": year, "steps": STEP_LABELS})
