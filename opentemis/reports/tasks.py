"""Background work of the reports app (Django Tasks; the database worker runs it).

``report_export``: the TEMIS report of a unit as a PDF or xlsx file on a
:class:`~opentemis.jobs.models.Job`, with progress (figures read, file rendered, stored). The
service that queues it (``reports.exports.jobs.report_export_start``) checked access already;
the task re-enters the actor's scope and checks again through ``report_for``, so a job queued
before a role was withdrawn produces nothing.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from opentemis.core.replicas import replica_reads
from opentemis.core.scoping import actor_scope
from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.reports import selectors
from opentemis.reports.exports import filename, render

logger = logging.getLogger(__name__)
REPORT_EXPORT = "reports.export"
# Reading the figures (which may refresh the summaries first), rendering, storing.
STEPS = 3


@task()
def report_export(job_id: int, unit_id: int, school_year_id: int, fmt: str) -> None:
    def work(job: Job) -> None:
        with actor_scope(job.actor):
            _export(job, unit_id, school_year_id, fmt)

    jobs.job_run(
        job_id, work, failure_message=gettext_lazy("The report could not be made. Try again later.")
    )


def _export(job: Job, unit_id: int, school_year_id: int, fmt: str) -> None:
    jobs.job_progress(job, 0, STEPS)
    unit = Unit.objects.get(pk=unit_id)
    school_year = SchoolYear.objects.get(pk=school_year_id)
    with replica_reads(not_before=job.created_at):  # decision 0026
        data = selectors.report_for(actor=job.actor, unit=unit, school_year=school_year)
    jobs.job_progress(job, 1)
    content = render(data, fmt)
    jobs.job_progress(job, 2)
    jobs.job_finish(
        job=job,
        content=content,
        name=filename(data, fmt),
        message=_("TEMIS report of %(unit)s, school year %(year)s.")
        % {"unit": data.unit_name, "year": data.school_year},
    )
