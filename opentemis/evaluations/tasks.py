"""Background work of the evaluation app (Django Tasks; the database worker runs it).

``print_school_forms``: every form of a school for a cycle in one ZIP (BM1 of each evaluation,
the principal's self-evaluation form, BM3 per subject group, BM4), with progress on a
:class:`~opentemis.jobs.models.Job`. The task re-enters the scope of the actor who asked and
re-checks their permission: a job queued before a role was withdrawn prints nothing.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from opentemis.accounts.models import User
from opentemis.core.scoping import actor_scope
from opentemis.evaluations.models import Cycle, Evaluation
from opentemis.evaluations.printing import official_forms
from opentemis.evaluations.printing.access import may_print_school
from opentemis.evaluations.printing.pdf import render
from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.orgs.models import Unit
from opentemis.staff.models import SubjectGroup

logger = logging.getLogger(__name__)
PRINT_SCHOOL = "evaluations.print_school"
# Progress is written about this many times per job, whatever the school's size.
PROGRESS_STEPS = 50


def print_school_start(*, actor: User, unit: Unit, cycle: Cycle) -> Job:
    """Create the job and queue the task once the job row is committed."""
    if not may_print_school(actor, unit.path):
        raise PermissionDenied
    job = jobs.job_create(actor=actor, kind=PRINT_SCHOOL, unit=unit)
    jobs.job_enqueue(job=job, task=print_school_forms, args=[unit.pk, cycle.pk])
    return job


@task()
def print_school_forms(job_id: int, unit_id: int, cycle_id: int) -> None:
    def work(job: Job) -> None:
        with actor_scope(job.actor):
            _print_school(job, unit_id, cycle_id)

    jobs.job_run(
        job_id, work, failure_message=_("Printing failed. Try again, or report the problem.")
    )


def _print_school(job: Job, unit_id: int, cycle_id: int) -> None:
    actor = job.actor
    unit = Unit.objects.get(pk=unit_id)
    if not may_print_school(actor, unit.path):
        raise PermissionDenied
    cycle = Cycle.objects.select_related("school_year").get(pk=cycle_id)
    evaluations = list(
        Evaluation.objects.filter(cycle=cycle, unit=unit)
        .select_related("person", "framework", "cycle__school_year", "unit")
        .prefetch_related("person__subjects", "person__positions")
        .order_by("person__search_text", "id")
    )
    groups = list(SubjectGroup.objects.filter(unit=unit).select_related("unit").order_by("name"))
    total = len(evaluations) + len(groups) + 1
    every = max(1, total // PROGRESS_STEPS)
    jobs.job_progress(job, 0, total)
    cache = official_forms.Cache()
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if done % every == 0:
            jobs.job_progress(job, done)

    with tempfile.TemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for evaluation in evaluations:
                form = official_forms.self_evaluation(evaluation, cache)
                archive.writestr(f"{form.filename}.pdf", render(form))
                step()
            for group in groups:
                form = official_forms.bm3(group, cycle, actor)
                archive.writestr(f"{form.filename}.pdf", render(form))
                step()
            form = official_forms.bm4(unit, cycle, cache)
            archive.writestr(f"{form.filename}.pdf", render(form))
            step()
        buffer.seek(0)
        ascii_name = official_forms.ascii_name
        name = f"{ascii_name(unit.code)}_{ascii_name(str(cycle.school_year))}.zip"
        jobs.job_finish(
            job=job,
            content=buffer,
            name=name,
            message=_("%(n)d forms printed.") % {"n": total},
        )
