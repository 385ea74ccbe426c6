"""Background work of the cascade: the balancing of a unit's caseloads, run as a job from the
Sở's page (a province holds tens of thousands of teachers). The task re-enters the scope of the
officer who asked and the service checks their permission again."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from opentemis.accounts.models import User
from opentemis.cascade import services
from opentemis.core.scoping import actor_scope
from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.orgs.models import SchoolYear, Unit

BALANCE = "cascade.balance"


def balance_start(*, actor: User, unit: Unit, school_year: SchoolYear) -> Job:
    """Create the balancing job and queue it once the job row is committed."""
    job = jobs.job_create(actor=actor, kind=BALANCE, unit=unit, total=1)
    jobs.job_enqueue(job=job, task=balance_caseloads, args=[unit.pk, school_year.pk])
    return job


@task()
def balance_caseloads(job_id: int, unit_id: int, year_id: int) -> None:
    def work(job: Job) -> None:
        with actor_scope(job.actor):
            unit = Unit.objects.get(pk=unit_id)
            year = SchoolYear.objects.get(pk=year_id)
            result = services.caseload_balance(actor=job.actor, unit=unit, school_year=year)
        jobs.job_finish(
            job=job,
            message=_("%(a)s colleagues assigned, %(u)s left without a core teacher.")
            % {"a": result.assigned, "u": result.unassigned},
        )

    jobs.job_run(job_id, work, failure_message=_("The assignment failed. Try again."))
