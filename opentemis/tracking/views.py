"""Weekly progress pages under /tracking/ (issue 14 item 4; decision 0022).

* ``tracking/``: to the highest unit whose learners the officer reads;
* ``tracking/unit/<pk>/``: the unit's week (``?week=``, ``?course=``, ``?year=``): figures,
  trend, children ranked in groups, units to praise and to remind;
* ``tracking/unit/<pk>/remind/``: the confirmation (who will be reached), then the reminder;
* ``tracking/unit/<pk>/export/``: the ranking as an Excel workbook (documented layout);
* ``tracking/unit/<pk>/snapshot/``: take the week again, as a background job.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import xlsx_response
from opentemis.core.params import parse_positive_int
from opentemis.core.replicas import reads_from_replica
from opentemis.learning.access import reads_progress_on
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import ancestors, requested_school_year
from opentemis.tracking import export, jobs, selectors, services
from opentemis.tracking.models import MEASURES
from opentemis.tracking.selectors import UnitWeek


def _view(request: AuthenticatedRequest, pk: int) -> UnitWeek:
    """The unit's week as the request names it (404 for what the actor does not read)."""
    unit = selectors.reading_unit(actor=request.user, pk=pk)
    params = request.POST if request.method == "POST" else request.GET
    raw_course = params.get("course") or ""
    course_id = parse_positive_int(raw_course) if raw_course else None
    if raw_course and course_id is None:
        raise Http404
    return selectors.unit_week(
        actor=request.user,
        unit=unit,
        school_year=requested_school_year(request),
        week=selectors.chosen_week(params.get("week")),
        course_id=course_id,
    )


def _query(view: UnitWeek) -> str:
    query = f"?year={view.school_year.code}&week={view.week.isoformat()}"
    return query + (f"&course={view.course.pk}" if view.course else "")


def _trend_svg(view: UnitWeek) -> dict[str, object]:
    """Points of the completion and start rates over the trend's weeks, for an inline SVG
    (300 x 100, rates 0-100 % upwards)."""
    points = view.trend
    if len(points) < 2:
        return {}
    step = 300 / (len(points) - 1)

    def line(rates: list[float | None]) -> str:
        return " ".join(f"{i * step:.1f},{100 - (r or 0):.1f}" for i, r in enumerate(rates))

    return {
        "completion": line([p.completion_rate for p in points]),
        "started": line([p.start_rate for p in points]),
    }


def _ancestors(view: UnitWeek, request: AuthenticatedRequest) -> list[Unit]:
    """The units above whose learners the actor reads (the breadcrumb's links)."""
    return [u for u in ancestors(unit=view.unit) if reads_progress_on(request.user, u.path)]


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    unit = selectors.home_unit(actor=request.user)
    if unit is None:
        raise Http404
    return redirect("tracking_unit", unit.pk)


@login_required
@require_GET
@reads_from_replica
def unit_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    view = _view(request, pk)
    return render(
        request,
        "tracking/unit.html",
        {
            "view": view,
            "query": _query(view),
            "measures": MEASURES,
            "svg": _trend_svg(view),
            "ancestors": _ancestors(view, request),
            "may_remind": services.may_remind(request.user, view),
            "may_take": jobs.may_take(request.user, view.unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def remind(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: who the reminder will reach (the lagging units, their lagging schools, each
    school's principals, and what was reminded already this week). POST: send it."""
    view = _view(request, pk)
    if not services.may_remind(request.user, view):
        raise Http404
    if request.method == "POST":
        ids = [i for v in request.POST.getlist("units") if (i := parse_positive_int(v))]
        outcome = services.remind_lagging(actor=request.user, view=view, unit_ids=ids or None)
        messages.success(
            request,
            _(
                "%(schools)s schools reminded (%(people)s people); %(skipped)s already reminded "
                "this week."
            )
            % {
                "schools": len(outcome.schools),
                "people": outcome.people,
                "skipped": len(outcome.skipped),
            },
        )
        return redirect(reverse("tracking_unit", args=[view.unit.pk]) + _query(view))
    plan = selectors.lagging_schools(view)
    return render(
        request,
        "tracking/remind.html",
        {
            "view": view,
            "query": _query(view),
            "plan": plan,
            "to_send": [p for p in plan if p.reminded_at is None],
            "people": len({u.pk for p in plan if p.reminded_at is None for u in p.recipients}),
        },
    )


@login_required
@require_GET
@reads_from_replica
def export_xlsx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    view = _view(request, pk)
    return xlsx_response(export.workbook(view), export.filename(view))


@login_required
@require_POST
def snapshot(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    view = _view(request, pk)
    job = jobs.snapshot_start(actor=request.user, unit=view.unit, day=view.week)
    return redirect("job_detail", job.pk)
