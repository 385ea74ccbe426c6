"""Report pages and dashboards: the TEMIS report of a unit, its children ranked, reminders.

Every figure comes from ``selectors.report_for`` (404 unless the user follows evaluations of the
unit), already protected against small cells; the pages only arrange it. Charts are inline SVG
drawn by ``templatetags/report_tags.py``: no script, light on cheap phones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.core.params import id_param, parse_positive_int
from opentemis.core.text import fold
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.orgs.selectors import ancestors, default_unit, get_unit_for_user
from opentemis.reports import protection
from opentemis.reports.data import RATINGS, ChildRow, ReportData
from opentemis.reports.models import CompletionSnapshot
from opentemis.reports.selectors import report_for

SCHOOL_KINDS = (UnitKind.SCHOOL, UnitKind.GDTX_CENTRE)
# ?sort= keys of the children ranking; "-" first sorts descending.
SORT_KEYS = ("rank", "name", "to_evaluate", "self_evaluated", "finalised", "rate", "group")
HISTORY_WEEKS = 26


def _school_year(request: HttpRequest) -> SchoolYear:
    """``?year=CODE`` (404 if unknown), else the current school year, else the latest one."""
    code = request.POST.get("year") or request.GET.get("year") or ""
    years = SchoolYear.objects.all()
    if code:
        year = years.filter(code=code).first()
    else:
        year = years.filter(is_current=True).first() or years.order_by("-start_date").first()
    if year is None:
        raise Http404
    return year


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


def _context(
    request: HttpRequest, unit: Unit, year: SchoolYear, data: ReportData
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
def report_home(request: HttpRequest) -> HttpResponse:
    unit = default_unit(actor=request.user, perm=Perm.VIEW_EVALUATIONS)
    if unit is None:
        raise Http404
    return redirect(report_url(unit.pk, _school_year(request)))


@login_required
def report_unit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(actor=request.user, pk=pk, perm=Perm.VIEW_EVALUATIONS)
    year = _school_year(request)
    data = report_for(actor=request.user, unit=unit, school_year=year)
    context = _context(request, unit, year, data)
    reminded = id_param(request.GET, "reminded")
    if reminded is not None:  # the outcome of the sender's own reminder, beside the form
        from opentemis.notifications.selectors import reminder_outcome

        context["remind_outcome"] = reminder_outcome(actor=request.user, pk=reminded)
    return render(request, "reports/unit.html", context)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _remind_page(
    request: HttpRequest,
    unit: Unit,
    year: SchoolYear,
    extra: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The report page, or only its lagging section for HTMX, with the reminder's outcome or
    refusal beside the form (issue 9 item 5) and the sender's choices as they left them."""
    data = report_for(actor=request.user, unit=unit, school_year=year)
    context = {**_context(request, unit, year, data), **extra}
    if _is_htmx(request):
        # HTMX swaps only 2xx answers: a refusal is shown in place, with a 200.
        return render(request, "reports/_lagging.html", context)
    return render(request, "reports/unit.html", context, status=status)


@login_required
@require_POST
def report_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind the chosen children of ``pk`` (the lagging list's checkboxes).

    The outcome (who was reached, which units reached nobody) is shown next to the form: in
    place for HTMX; otherwise on the report page reloaded at the result (``?reminded=``).
    A refused send re-renders the form with the ticks and the message kept.
    """
    from opentemis.notifications.selectors import reminder_outcome
    from opentemis.notifications.services import RecentlyReminded, remind_units

    unit = get_unit_for_user(actor=request.user, pk=pk, perm=Perm.VIEW_EVALUATIONS)
    year = _school_year(request)
    ids = [i for v in request.POST.getlist("units") if (i := parse_positive_int(v))]
    message = request.POST.get("message", "")
    kept = {"chosen": set(ids), "remind_message": message}
    targets = list(
        Unit.objects.filter(pk__in=ids, path__startswith=unit.path, depth=unit.depth + 1)
    )
    try:
        reminder = remind_units(
            actor=request.user,
            units=targets,
            school_year=year,
            message=message,
            url_for_unit=lambda u: report_url(u.pk, year),
            force=request.POST.get("force") == "1",
        )
    except RecentlyReminded as exc:
        refused = {**kept, "remind_error": " ".join(exc.messages), "recent_units": exc.units}
        return _remind_page(request, unit, year, refused, status=400)
    except ValidationError as exc:
        refused = {**kept, "remind_error": " ".join(exc.messages)}
        return _remind_page(request, unit, year, refused, status=400)
    if _is_htmx(request):
        outcome = reminder_outcome(actor=request.user, pk=reminder.pk)
        return _remind_page(request, unit, year, {**kept, "remind_outcome": outcome})
    return redirect(report_url(unit.pk, year, reminded=str(reminder.pk)) + "#remind-result")
