"""Download of the TEMIS report as PDF or xlsx: a POST starts a job, its page shows progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import requested_school_year
from opentemis.reports.exports.jobs import report_export_start


@login_required
@require_POST
def report_export(request: AuthenticatedRequest, unit_pk: int, fmt: str) -> HttpResponse:
    """``?year=2025-2026`` (default: the current school year, as the report page). 404 for a
    unit the user may not see, the same as for a unit that does not exist."""
    unit = Unit.objects.filter(pk=unit_pk).first()  # the request's scope
    if unit is None:
        raise Http404
    school_year = requested_school_year(request)
    job = report_export_start(actor=request.user, unit=unit, school_year=school_year, fmt=fmt)
    return redirect("job_detail", pk=job.pk)
