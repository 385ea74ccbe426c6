"""Background work of the certificates app (Django Tasks; the database worker runs it), each on a
:class:`~opentemis.jobs.models.Job` with progress.

* ``certificates_zip``: the valid certificates of a unit's holders as one ZIP of PDFs, one per
  certificate (an officer's bulk download);
* ``certificates_issue_course``: issue the certificates of everyone who completed a course and
  has none yet (idempotent).

The services that queue them checked access; the tasks re-enter the actor's scope and check
again, so a job queued before a role was withdrawn produces nothing.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from opentemis.accounts.models import User
from opentemis.certificates import documents, selectors, services
from opentemis.certificates.models import Issuer
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations.printing.official_forms import ascii_name
from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.learning.models import Course
from opentemis.orgs.models import Unit

CERTIFICATES_ZIP = "certificates.zip"
CERTIFICATES_ISSUE = "certificates.issue"
PROGRESS_STEPS = 50


def zip_start(*, actor: User, unit: Unit) -> Job:
    """Queue the ZIP of ``unit``'s certificates (the caller checked ``reachable_unit``)."""
    job = jobs.job_create(actor=actor, kind=CERTIFICATES_ZIP, unit=unit)
    jobs.job_enqueue(job=job, task=certificates_zip, args=[unit.pk])
    return job


def issue_start(*, actor: User, course: Course) -> Job:
    """Queue the issue of a course's missing certificates (the caller checked the issuer)."""
    job = jobs.job_create(actor=actor, kind=CERTIFICATES_ISSUE, unit=course.unit)
    jobs.job_enqueue(job=job, task=certificates_issue_course, args=[course.pk])
    return job


@task()
def certificates_zip(job_id: int, unit_id: int) -> None:
    def work(job: Job) -> None:
        with actor_scope(job.actor):
            write_zip(job, unit_id)

    jobs.job_run(
        job_id, work, failure_message=gettext_lazy("The certificates could not be gathered.")
    )


def write_zip(job: Job, unit_id: int) -> None:
    actor = job.actor
    unit = selectors.reachable_unit(actor, unit_id)
    with system_scope():
        rows = list(selectors.certificates_of_unit(actor, unit))
    issuers = {i.pk: i for i in Issuer.objects.filter(pk__in={c.issuer_id for c in rows})}
    total = len(rows)
    every = max(1, total // PROGRESS_STEPS)
    jobs.job_progress(job, 0, total)
    with tempfile.TemporaryFile() as buffer:
        # PDFs are compressed already: stored, not deflated again.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for done, certificate in enumerate(rows, start=1):
                content = documents.certificate_pdf(certificate, issuers[certificate.issuer_id])
                archive.writestr(documents.filename(certificate), content)
                if done % every == 0:
                    jobs.job_progress(job, done)
        buffer.seek(0)
        jobs.job_finish(
            job=job,
            content=buffer,
            name=f"chung-nhan_{ascii_name(unit.code)}.zip",
            message=_("%(n)d certificates.") % {"n": total},
        )


@task()
def certificates_issue_course(job_id: int, course_id: int) -> None:
    def work(job: Job) -> None:
        with actor_scope(job.actor):
            issue_course(job, course_id)

    jobs.job_run(
        job_id, work, failure_message=gettext_lazy("The certificates could not be issued.")
    )


def issue_course(job: Job, course_id: int) -> None:
    actor = job.actor
    course = Course.objects.filter(pk=course_id).first()
    issuer = selectors.issuer_for_course(course) if course is not None else None
    if course is None or issuer is None or not selectors.manages_issuer(actor, issuer):
        raise Http404
    jobs.job_progress(job, 0, 1)

    def progress(done: int, total: int) -> None:
        jobs.job_progress(job, done, total)

    made = services.certificates_backfill(course_id=course.pk, actor=actor, progress=progress)
    jobs.job_finish(job=job, message=_("%(n)d certificates issued.") % {"n": made})
