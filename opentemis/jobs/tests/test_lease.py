"""The job lease: a job whose worker died is queued again (bounded) or failed, with a frozen
clock; a presumed-dead run writes nothing once another run has begun; "Run again"."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from opentemis.jobs import services
from opentemis.jobs.models import Job, JobStatus
from opentemis.jobs.tests.test_jobs import FAKE, FakeTask

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 20, 8, 0, tzinfo=dt.UTC)


class Clock:
    """``timezone.now`` frozen at ``at``, moved by hand."""

    def __init__(self) -> None:
        self.at = T0

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Any:
    frozen = Clock()
    with mock.patch.object(timezone, "now", lambda: frozen.at):
        yield frozen


@pytest.fixture(autouse=True)
def lease_settings(tmp_path: Any) -> Any:
    FAKE.calls.clear()
    FAKE.broken = False
    with override_settings(JOB_LEASE_SECONDS=60, JOB_MAX_RETRIES=1, MEDIA_ROOT=str(tmp_path)):
        yield


def running_job(world: Any, django_capture_on_commit_callbacks: Any) -> Job:
    job = services.job_create(actor=world.principal_a1, kind="test")
    with django_capture_on_commit_callbacks(execute=True):
        services.job_enqueue(job=job, task=FAKE, args=["x"])
    job = services.job_begin(job.pk)
    assert job is not None
    return job


def test_progress_renews_the_lease_and_a_live_job_is_left_alone(
    world, clock, django_capture_on_commit_callbacks
):
    job = running_job(world, django_capture_on_commit_callbacks)
    assert job.heartbeat_at == T0 and job.attempts == 1
    clock.advance(50)
    services.job_progress(job, 1, 3)
    clock.advance(50)  # 100 s since it began, 50 since its last report: alive
    assert services.jobs_sweep() == services.SweepResult(0, 0)
    stored = Job.objects.get(pk=job.pk)
    assert stored.status == JobStatus.RUNNING
    assert stored.heartbeat_at == T0 + dt.timedelta(seconds=50)


def test_a_silent_job_is_queued_again_then_failed_with_a_message(
    world, clock, django_capture_on_commit_callbacks
):
    job = running_job(world, django_capture_on_commit_callbacks)
    clock.advance(61)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.jobs_sweep() == services.SweepResult(retried=1, failed=0)
    stored = Job.objects.get(pk=job.pk)
    assert stored.status == JobStatus.QUEUED and stored.heartbeat_at is None
    assert stored.message == "Máy chạy nền đã dừng; công việc đã được chạy lại (lần 2)."
    assert FAKE.calls == [(job.pk, "x"), (job.pk, "x")]  # queued again, same arguments
    assert stored.task_id == "task-2"

    second = services.job_begin(job.pk)
    assert second is not None and second.attempts == 2
    clock.advance(61)
    assert services.jobs_sweep() == services.SweepResult(retried=0, failed=1)
    stored = Job.objects.get(pk=job.pk)
    assert stored.status == JobStatus.FAILED and stored.finished_at == clock.at
    assert stored.message.startswith("Công việc bị gián đoạn")
    assert stored.can_restart
    assert len(FAKE.calls) == 2  # JOB_MAX_RETRIES=1: not queued a third time


def test_the_presumed_dead_run_writes_nothing_after_another_began(
    world, clock, django_capture_on_commit_callbacks
):
    job = running_job(world, django_capture_on_commit_callbacks)
    clock.advance(61)
    with django_capture_on_commit_callbacks(execute=True):
        services.jobs_sweep()
    # The old run was only slow; it wakes up after the retry began.
    with pytest.raises(services.LeaseLost):
        services.job_progress(job, 2)
    services.job_begin(job.pk)
    with pytest.raises(services.LeaseLost):
        services.job_finish(job=job, content=b"late", name="late.txt")
    services.job_fail(job=job, message="late")
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.attempts, stored.result_name) == (JobStatus.RUNNING, 2, "")


def test_job_run_stops_quietly_on_a_lost_lease_and_runs_a_job_once(
    world, clock, django_capture_on_commit_callbacks
):
    job = services.job_create(actor=world.principal_a1, kind="test")
    ran: list[int] = []

    def lose(job: Job) -> None:
        ran.append(job.attempts)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # the sweep took it
        services.job_progress(job, 1)

    services.job_run(job.pk, lose, failure_message="x")  # no exception
    assert ran == [1] and Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    services.job_run(job.pk, lambda job: services.job_finish(job=job), failure_message="x")
    services.job_run(job.pk, lambda job: ran.append(99), failure_message="x")  # done: not again
    assert ran == [1] and Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_reading_the_page_of_a_dead_job_sweeps_it_and_run_again_restarts_it(
    world, clock, django_capture_on_commit_callbacks
):
    job = running_job(world, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=job.pk).update(attempts=2)  # its retries are used up
    clock.advance(61)
    client = world.client_for(world.principal_a1)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Công việc bị gián đoạn" in page
    assert "Chạy lại" in page and reverse("job_retry", args=[job.pk]) in page

    assert (
        world.client_for(world.principal_b1).post(reverse("job_retry", args=[job.pk])).status_code
        == 404
    )
    assert client.get(reverse("job_retry", args=[job.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_retry", args=[job.pk]))
    assert response.status_code == 302
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.attempts, stored.message, stored.finished_at) == (
        JobStatus.QUEUED,
        0,
        "",
        None,
    )
    assert FAKE.calls[-1] == (job.pk, "x") and len(FAKE.calls) == 2
    # Not failed any more: a second press does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("job_retry", args=[job.pk]))
    assert len(FAKE.calls) == 2


def test_a_job_claimed_by_a_worker_that_died_before_it_began_is_retried(
    world, clock, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from opentemis.jobs.tests.tasks import blocking_job

    job = services.job_create(actor=world.principal_a1, kind="test")
    with override_settings(TASKS=backend):
        with django_capture_on_commit_callbacks(execute=True):
            services.job_enqueue(job=job, task=blocking_job, args=["/nonexistent"])
        job.refresh_from_db()
        row = DBTaskResult.objects.get(id=job.task_id)
        row.claim("dead-worker")  # claimed at T0, then the worker died
        clock.advance(61)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.jobs_sweep() == services.SweepResult(retried=1, failed=0)
    row.refresh_from_db()
    assert row.status == "FAILED" and "lease" in row.traceback
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_id != str(row.id)
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"


def test_the_fake_task_is_importable() -> None:
    from django.utils.module_loading import import_string

    assert isinstance(import_string(FakeTask.module_path), FakeTask)


def test_a_job_whose_file_expired_can_run_again(world, django_capture_on_commit_callbacks):
    job = running_job(world, django_capture_on_commit_callbacks)
    services.job_finish(job=job, content=b"x", name="a.zip")
    client = world.client_for(world.principal_a1)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Chạy lại" not in page  # the file is there: nothing to run again
    Job.objects.filter(pk=job.pk).update(result="")  # what the clean-up does
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "đã hết hạn" in page and "Chạy lại" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("job_retry", args=[job.pk]))
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.result_name) == (JobStatus.QUEUED, "")
    assert len(FAKE.calls) == 2
