"""Reads on jobs: a job is visible to the user who started it, and to nobody else."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from opentemis.jobs.models import Job


def get_job_for_user(*, actor: Any, pk: int) -> Job:
    """The actor's own job; 404 for a missing job and for someone else's alike."""
    job = Job.objects.filter(pk=pk, actor_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise Http404
    return job
