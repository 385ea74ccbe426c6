"""Reminders sent from the report page (the lagging units' form), and their outcome beside it.

The form sits on the report page of the reports app, which is below notifications in the
layers: its route keeps its path (``/reports/unit/<pk>/remind/``, ``urls_reports.py``) and
name, and the outcome reaches the report page through ``reports.views.page_extras``
(registered in ``signals.py``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.params import id_param, parse_positive_int
from opentemis.notifications.selectors import reminder_outcome
from opentemis.notifications.services import RecentlyReminded, remind_units
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import get_unit_for_user
from opentemis.reports.selectors import report_for
from opentemis.reports.views import report_context, report_url, report_year


def remind_outcome_context(request: AuthenticatedRequest) -> dict[str, Any]:
    """For the report page: the outcome of the sender's own reminder (``?reminded=<id>``),
    shown beside the form after the page reloads at it."""
    reminded = id_param(request.GET, "reminded")
    if reminded is None:
        return {}
    return {"remind_outcome": reminder_outcome(actor=request.user, pk=reminded)}


def _is_htmx(request: AuthenticatedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _remind_page(
    request: AuthenticatedRequest,
    unit: Unit,
    year: SchoolYear,
    extra: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The report page, or only its lagging section for HTMX, with the reminder's outcome or
    refusal beside the form (issue 9 item 5) and the sender's choices as they left them."""
    data = report_for(actor=request.user, unit=unit, school_year=year)
    context = {**report_context(request, unit, year, data), **extra}
    if _is_htmx(request):
        # HTMX swaps only 2xx answers: a refusal is shown in place, with a 200.
        return render(request, "reports/_lagging.html", context)
    return render(request, "reports/unit.html", context, status=status)


@login_required
@require_POST
def report_remind(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remind the chosen children of ``pk`` (the lagging list's checkboxes).

    The outcome (who was reached, which units reached nobody) is shown next to the form: in
    place for HTMX; otherwise on the report page reloaded at the result (``?reminded=``).
    A refused send re-renders the form with the ticks and the message kept.
    """
    unit = get_unit_for_user(actor=request.user, pk=pk, perm=Perm.VIEW_EVALUATIONS)
    year = report_year(request)
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
