"""Background work of the weekly progress (Django Tasks; the database worker runs it).

* ``weekly_snapshot``: this week's snapshot of every course and unit; django-tasks has no
  scheduler, so run ``manage.py tracking snapshot`` from cron (``0 5 * * 1`` and, to keep the
  week in progress fresh, daily) or enqueue this task (docs/operations.md).
* ``snapshot_job``: the same, as an officer's job with progress (``jobs.snapshot_start``).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.tracking import services

SNAPSHOT_JOB = "tracking.snapshot"


@task()
def weekly_snapshot(day: str = "") -> dict[str, int]:
    """The snapshot of the week of ``day`` (ISO date; default today); returns its counts."""
    run = services.snapshot_week(day=dt.date.fromisoformat(day) if day else dt.date.today())
    return {"courses": run.courses, "rows": run.rows}


@task()
def snapshot_job(job_id: int, day: str) -> None:
    def work(job: Job) -> None:
        run = services.snapshot_week(
            day=dt.date.fromisoformat(day),
            progress=lambda done, total: jobs.job_progress(job, done, total),
        )
        jobs.job_finish(
            job=job,
            message=_("Week of %(week)s taken: %(courses)s courses, %(rows)s rows.")
            % {"week": run.week.strftime("%d/%m/%Y"), "courses": run.courses, "rows": run.rows},
        )

    jobs.job_run(
        job_id,
        work,
        failure_message=gettext_lazy("The weekly snapshot could not be taken. Try again later."),
    )
