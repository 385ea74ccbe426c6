"""The roll-up and school-plan pages under /bdtx/ (issue 12 items 4 and 7).

* ``tong-hop/<unit>/``: a unit's BDTX figures — plans per status, confirmed hours, results,
  its children ranked by submission and by completion — and the needs by module and content
  with their breakdowns (``plans.rollup``);
* ``truong/<unit>/``: a school's plan of the year — its staff's approved plans added up, the
  school's own activities (its head edits them) and the report to the superior
  (``plans.schoolplan``);
* ``ke-hoach-truong/<unit>/``: the school plans of a subtree, reported or not.

Every page reads through the selectors (404 outside the actor's reach); writes go through the
services. The ethnic-minority sub-columns (DTTS, women DTTS) are shown to those who may read
sensitive data (``staff.view_sensitive``); everyone else finds them, protected against small
cells, in the TEMIS report.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.replicas import reads_from_replica
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import (
    ancestors,
    default_unit,
    requested_school_year,
)
from opentemis.plans import access, rollup, schoolplan
from opentemis.plans.models import StudyForm
from opentemis.plans.models_school import SchoolPlanStatus
from opentemis.training.models import Programme, Title


def _url(name: str, unit_id: int, year: SchoolYear, **query: str) -> str:
    return f"{reverse(name, args=[unit_id])}?{urlencode({'year': year.code, **query})}"


def _crumbs(request: AuthenticatedRequest, unit: Unit) -> list[Unit]:
    return [a for a in ancestors(unit=unit) if has_perm_on(request.user, Perm.VIEW_PLANS, a.path)]


def _common(request: AuthenticatedRequest, unit: Unit, year: SchoolYear) -> dict[str, Any]:
    return {
        "unit": unit,
        "year": year,
        "years": SchoolYear.objects.order_by("-start_date"),
        "crumbs": _crumbs(request, unit),
        "forms": StudyForm.choices,
        "form_labels": dict(StudyForm.choices),
        "programmes": Programme.choices,
        "titles": dict(Title.choices),
        "sensitive": has_perm_on(request.user, Perm.VIEW_SENSITIVE, unit.path),
    }


# --- the roll-up ----------------------------------------------------------------------------


@login_required
@require_GET
def rollup_home(request: AuthenticatedRequest) -> HttpResponse:
    unit = default_unit(actor=request.user, perm=Perm.VIEW_PLANS)
    if unit is None:
        raise Http404
    return redirect(_url("plans_rollup", unit.pk, requested_school_year(request)))


@login_required
@require_GET
@reads_from_replica
def rollup_unit(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    place = access.readable_unit(request.user, unit)
    year = requested_school_year(request)
    submitted = request.GET.get("submitted") == "1"
    data = rollup.rollup_for(
        actor=request.user, unit=place, school_year=year, include_submitted=submitted
    )
    context = _common(request, place, year)
    context.update(
        {
            "data": data,
            "needs": data.needs,
            "total": data.figures.total,
            "by_submission": data.figures.by_submission,
            "by_completion": data.figures.by_completion,
            "submitted": submitted,
            "modules": data.needs.modules,
            "contents": [r for r in data.needs.rows if r.programme != Programme.P03],
            "title_table": [
                (row, [row.by_title.get(t) for t in data.needs.titles])
                for row in data.needs.modules
            ],
            "title_heads": [(t, Title(t).label) for t in data.needs.titles],
            "programme_codes": list(Programme.values),
        }
    )
    return render(request, "plans/rollup/unit.html", context)


# --- the school plan ------------------------------------------------------------------------


@login_required
@require_GET
def school_home(request: AuthenticatedRequest) -> HttpResponse:
    """A head opens their school's plan; an officer, the school plans of their unit."""
    year = requested_school_year(request)
    own = default_unit(actor=request.user, perm=Perm.MANAGE_PLANS)
    if own is not None and own.kind in schoolplan.SCHOOL_KINDS:
        return redirect(_url("plans_school", own.pk, year))
    unit = default_unit(actor=request.user, perm=Perm.VIEW_PLANS)
    if unit is None:
        raise Http404
    name = "plans_school" if unit.kind in schoolplan.SCHOOL_KINDS else "plans_school_plans"
    return redirect(_url(name, unit.pk, year))


def _school_page(
    request: AuthenticatedRequest,
    place: Unit,
    year: SchoolYear,
    *,
    errors: dict[str, list[str]] | None = None,
    sent: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = schoolplan.school_plan_view(actor=request.user, unit=place, school_year=year)
    context = _common(request, place, year)
    context.update(
        {
            "view": view,
            "months": view.months,
            "month_table": [
                (row, [row.by_month.get(m, 0) for m in view.months]) for row in view.rows
            ],
            "foot": [schoolplan.month_counts(view.rows).get(m, 0) for m in view.months],
            "form_table": [
                (row, [row.by_form.get(f, 0) for f in StudyForm.values]) for row in view.rows
            ],
            "errors": errors or {},
            "sent": sent or {},
            "reported": SchoolPlanStatus.REPORTED,
        }
    )
    return render(request, "plans/rollup/school.html", context, status=status)


@login_required
@require_GET
def school_plan(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    return _school_page(
        request, access.readable_unit(request.user, unit), requested_school_year(request)
    )


@login_required
@require_POST
def school_activity(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    """Add (``action=add``), change (``update``) or remove (``remove``) an activity."""
    place = access.readable_unit(request.user, unit)
    year = requested_school_year(request)
    if not access.manages_plans_on(request.user, place.path):
        raise Http404
    action = request.POST.get("action", "")
    fields = {
        name: request.POST.get(name, "")
        for name in ("title", "programme", "form", "month", "date", "hours", "description")
    }
    try:
        if action == "add":
            schoolplan.activity_add(actor=request.user, unit=place, school_year=year, fields=fields)
            messages.success(request, _("The activity is added."))
        elif action == "update":
            schoolplan.activity_update(
                actor=request.user,
                unit=place,
                school_year=year,
                activity_id=request.POST.get("activity"),
                fields=fields,
            )
            messages.success(request, _("The activity is saved."))
        elif action == "remove":
            schoolplan.activity_remove(
                actor=request.user,
                unit=place,
                school_year=year,
                activity_id=request.POST.get("activity"),
            )
            messages.success(request, _("The activity is removed."))
        else:
            return _school_page(
                request, place, year, errors={"": [_("Nothing to do.")]}, status=400
            )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return _school_page(request, place, year, errors=errors, sent=fields, status=400)
    return redirect(_url("plans_school", place.pk, year) + "#activities")


@login_required
@require_POST
def school_report(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    """Report the plan to the superior (``action=report``) or take it back (``reopen``)."""
    place = access.readable_unit(request.user, unit)
    year = requested_school_year(request)
    if not access.manages_plans_on(request.user, place.path):
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action == "report":
            schoolplan.school_plan_report(
                actor=request.user,
                unit=place,
                school_year=year,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("The school plan is reported to the superior."))
        elif action == "reopen":
            schoolplan.school_plan_reopen(actor=request.user, unit=place, school_year=year)
            messages.success(request, _("The school plan is reopened: report it again."))
        else:
            return _school_page(
                request, place, year, errors={"": [_("Nothing to do.")]}, status=400
            )
    except ValidationError as exc:
        return _school_page(request, place, year, errors={"": exc.messages}, status=400)
    return redirect(_url("plans_school", place.pk, year))


@login_required
@require_GET
@reads_from_replica
def school_plans(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    """The school plans of a subtree: reported, and the schools that have not reported."""
    place = access.readable_unit(request.user, unit)
    year = requested_school_year(request)
    overview = schoolplan.school_plans_overview(actor=request.user, unit=place, school_year=year)
    context = _common(request, place, year)
    context["overview"] = overview
    return render(request, "plans/rollup/school_plans.html", context)
