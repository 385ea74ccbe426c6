"""Start the background export of a TEMIS report (the web download goes through a job).

Access is checked here, before anything is queued, so a user who may not see the unit gets
404 at once rather than a job that fails later; the task checks again when it runs.
"""

from __future__ import annotations

from opentemis.accounts.models import User
from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.reports import selectors
from opentemis.reports.tasks import REPORT_EXPORT, report_export

EXPORT_FORMATS = ("pdf", "xlsx")


def report_export_start(*, actor: User, unit: Unit, school_year: SchoolYear, fmt: str) -> Job:
    """Create the export job of ``unit``'s report and queue it once the job row is committed.

    Raises Http404 when the actor may not see the unit's report, ValueError for a format that
    is not exported through jobs.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(fmt)
    # The figures are read again by the task; a second read within REPORT_MAX_STALENESS does
    # not refresh the summaries again.
    selectors.report_for(actor=actor, unit=unit, school_year=school_year)
    job = jobs.job_create(actor=actor, kind=REPORT_EXPORT, unit=unit)
    jobs.job_enqueue(job=job, task=report_export, args=[unit.pk, school_year.pk, fmt])
    return job
