"""Reads on jobs: a job is visible to the user who started it, and to nobody else."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from opentemis.jobs.models import Job


def get_job_for_user(*, actor: AbstractBaseUser | AnonymousUser, pk: int) -> Job:
    """The actor's own job; 404 for a missing job and for someone else's alike (and for an
    anonymous visitor, who has none)."""
    job = Job.objects.filter(pk=pk, actor_id=actor.pk).first()
    if job is None:
        raise Http404
    return job
