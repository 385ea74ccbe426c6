"""Report pages and dashboards: the TEMIS report of a unit, its children ranked (its reminders
are sent by ``notifications.views_remind``).

Every figure comes from ``selectors.report_for`` (404 unless the user follows evaluations of the
unit), already protected against small cells; the pages only arrange it. Charts are inline SVG
drawn by ``templatetags/report_tags.py``: no script, light on cheap phones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.replicas import reads_from_replica
from opentemis.core.text import fold
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.orgs.selectors import (
    ancestors,
    default_unit,
    get_unit_for_user,
    requested_school_year,
)
from opentemis.reports import protection
from opentemis.reports.bdtx import bdtx_part, can_read_plans
from opentemis.reports.data import RATINGS, ChildRow, ReportData
from opentemis.reports.models import CompletionSnapshot
from opentemis.reports.selectors import report_for

SCHOOL_KINDS = (UnitKind.SCHOOL, UnitKind.GDTX_CENTRE)
# ?sort= keys of the children ranking; "-" first sorts descending.
SORT_KEYS = ("rank", "name", "to_evaluate", "self_evaluated", "finalised", "rate", "group")
HISTORY_WEEKS = 26

# What the apps above reports add to the report page, each a function of the request giving
# context (notifications: the outcome of the sender's reminder, ``?reminded=``). They register
# from their signals.py; reports imports none of them (docs/decisions/0014-layers.md).
PageExtra = Callable[[AuthenticatedRequest], dict[str, Any]]
page_extras: list[PageExtra] = []


def register_page_extra(extra: PageExtra) -> None:
    """Add ``extra(request)``'s context to every report page (registered once)."""
    if extra not in page_extras:
        page_extras.append(extra)


def report_year(request: HttpRequest) -> SchoolYear:
    """``year=CODE`` (posted or in the query; 404 if unknown), else the current school year:
    :func:`~opentemis.orgs.selectors.get_school_year`, as the report API and the export."""
    return requested_school_year(request)


def report_url(unit_id: int, year: SchoolYear, **query: str) -> str:
    return f"{reverse('report_unit', args=[unit_id])}?{urlencode({'year': year.code, **query})}"


def _sorted_children(children: list[ChildRow], sort: str) -> tuple[list[ChildRow], str]:
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        return children, "rank"
    present = [c for c in children if getattr(c, key) not in (None, "")]
    missing = [c for c in children if getattr(c, key) in (None, "")]
    value = (lambda c: fold(c.name)) if key == "name" else (lambda c: getattr(c, key))
    present.sort(key=value, reverse=sort.startswith("-"))
    return present + missing, sort  # rows without a figure last either way


def _sort_headers(unit: Unit, year: SchoolYear, sort: str) -> list[dict[str, str]]:
    """The ranking's column headers: a link sorting by the column, again to reverse it."""
    labels = {
        "rank": _("Rank"),
        "name": _("Unit"),
        "to_evaluate": _("To evaluate"),
        "self_evaluated": _("Self-evaluated"),
        "finalised": _("Evaluated and rated"),
        "rate": _("Completion"),
        "group": _("Group"),
    }
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    headers = []
    for key, label in labels.items():
        again = f"-{key}" if key == current and not descending else key  # a second click reverses
        aria = ("descending" if descending else "ascending") if key == current else "none"
        url = report_url(unit.pk, year, sort=again) + "#ranking"
        headers.append({"key": key, "label": label, "url": url, "aria": aria})
    return headers


def _history(unit: Unit, year: SchoolYear) -> list[CompletionSnapshot]:
    """The unit's last weekly snapshots, oldest first (read in the request's scope)."""
    rows = CompletionSnapshot.objects.filter(school_year=year, unit=unit).order_by("-week")
    return list(reversed(rows[:HISTORY_WEEKS]))


def report_context(
    request: AuthenticatedRequest, unit: Unit, year: SchoolYear, data: ReportData
) -> dict[str, Any]:
    user = request.user
    children, sort = _sorted_children(list(data.children), request.GET.get("sort", "rank"))
    threshold = settings.REPORT_GROUPS[0][1]
    lagging = [c for c in data.children if c.rate is not None and c.rate < threshold]
    crumbs = [a for a in ancestors(unit=unit) if has_perm_on(user, Perm.VIEW_EVALUATIONS, a.path)]
    return {
        "unit": unit,
        "year": year,
        "years": SchoolYear.objects.order_by("-start_date"),
        "data": data,
        "crumbs": crumbs,
        "children": children,
        "sort": sort,
        "sort_headers": _sort_headers(unit, year, sort),
        "lagging": lagging,
        "group_a": threshold,
        "groups": settings.REPORT_GROUPS,
        "can_remind": has_perm_on(user, Perm.SEND_REMINDERS, unit.path),
        "chosen": None,  # the lagging units ticked (None: all, as first shown)
        "is_school": unit.kind in SCHOOL_KINDS,
        "school_kinds": SCHOOL_KINDS,
        "history": _history(unit, year),
        "rating_codes": RATINGS,
        "suppressed": any(None in b.values() for _a, b in protection.cells(data)),
    }


@login_required
def report_home(request: AuthenticatedRequest) -> HttpResponse:
    unit = default_unit(actor=request.user, perm=Perm.VIEW_EVALUATIONS)
    if unit is None:
        raise Http404
    return redirect(report_url(unit.pk, report_year(request)))


@login_required
@reads_from_replica
def report_unit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(actor=request.user, pk=pk, perm=Perm.VIEW_EVALUATIONS)
    year = report_year(request)
    # The BDTX part reads the plans themselves (seconds for a province, docs/benchmarks.md):
    # the page comes without it and fetches it after (HTMX, ``?bdtx=1``; a link without script).
    wants_bdtx = request.GET.get("bdtx") == "1"
    if wants_bdtx and request.htmx:
        part = bdtx_part(actor=request.user, unit=unit, school_year=year)
        if part is None:
            raise Http404
        return render(request, "reports/_bdtx.html", {"bdtx": part, "unit": unit, "year": year})
    data = report_for(actor=request.user, unit=unit, school_year=year)
    context = report_context(request, unit, year, data)
    context["bdtx"] = (
        bdtx_part(actor=request.user, unit=unit, school_year=year) if wants_bdtx else None
    )
    context["bdtx_later"] = can_read_plans(request.user, unit)
    for extra in page_extras:
        context.update(extra(request))
    return render(request, "reports/unit.html", context)
