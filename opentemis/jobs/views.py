"""The job page (progress bar polled by HTMX) and the download of its result.

A result deleted by the clean-up (``site.cleanup``) answers 410 with the job page, which says
the file has expired. Reading the page of a job whose worker died sweeps it (retried or failed,
``services.job_check_lease``), and a failed job can be run again from it.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opentemis.core.http import HtmxRequest, file_response
from opentemis.jobs import services
from opentemis.jobs.models import JobStatus
from opentemis.jobs.selectors import get_job_for_user

logger = logging.getLogger(__name__)


@login_required
def job_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    job = services.job_check_lease(get_job_for_user(actor=request.user, pk=pk))
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"
    response = render(request, template, {"job": job})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(actor=request.user, pk=pk)
    if job.status != JobStatus.DONE or not (job.result or job.result_name):
        raise Http404
    try:
        stream = job.result.open("rb") if job.result else None
    except OSError:  # FileNotFoundError included: deleted since the row was read
        logger.warning("job %s: result file %s is missing", job.pk, job.result.name)
        stream = None
    if stream is None:
        # The clean-up deleted the result (``site.cleanup``): the job page says so.
        job.result = ""
        response = render(request, "jobs/detail.html", {"job": job}, status=410)
    else:
        # Through the one file helper (core/http.py): saved, never shown, sandboxed.
        name = job.result_name or PurePath(job.result.name or "").name
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = file_response(stream, filename=name, content_type=kind)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the actor's failed or expired job again ("Run again"); otherwise show the job."""
    job = get_job_for_user(actor=request.user, pk=pk)
    if job.can_restart:
        services.job_restart(job=job)
    return redirect("job_detail", pk=job.pk)
