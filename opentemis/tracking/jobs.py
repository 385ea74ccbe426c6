"""Start an officer's snapshot of the week (a background job with progress; decision 0008).

The snapshot counts every unit of the country (a parent's figures are its children's sum, so
a part cannot be recounted alone); who may start it: officers who manage courses
(``learning.manage``) on the unit they are reading. Access is checked before anything is
queued; a second click while the officer's previous snapshot job is unfinished returns it.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.orgs.models import Unit
from opentemis.tracking.tasks import SNAPSHOT_JOB, snapshot_job


def may_take(actor: User, unit: Unit) -> bool:
    return has_perm_on(actor, Perm.MANAGE_COURSES, unit.path)


def snapshot_start(*, actor: User, unit: Unit, day: dt.date) -> Job:
    """The actor's snapshot job for the week of ``day`` (queued after the commit)."""
    if not may_take(actor, unit):
        raise Http404
    running = (
        Job.objects.filter(actor_id=actor.pk, kind=SNAPSHOT_JOB, status__in=jobs.UNFINISHED)
        .order_by("-pk")
        .first()
    )
    if running is not None:
        return running
    job = jobs.job_create(actor=actor, kind=SNAPSHOT_JOB, unit=unit)
    jobs.job_enqueue(job=job, task=snapshot_job, args=[day.isoformat()])
    audit(actor=actor, action="tracking.snapshot", unit=unit, changes={"week": day.isoformat()})
    return job
