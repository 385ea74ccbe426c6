"""A job task for the tests: reports progress, then blocks until its gate file exists.

The killed-worker test runs it in a real ``db_worker`` process and kills that process while
it blocks (``test_lease.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job


@task()
def blocking_job(job_id: int, gate: str) -> None:
    def work(job: Job) -> None:
        jobs.job_progress(job, 1, 2)
        while not Path(gate).exists():
            time.sleep(0.05)
        jobs.job_finish(job=job, content=b"ok", name="ok.txt", message="")

    jobs.job_run(job_id, work, failure_message=_("The job could not be queued. Try again later."))
