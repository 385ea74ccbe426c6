"""A job whose worker was killed (kill -9) is retried, then failed with a message, and its owner
runs it again: real ``manage.py db_worker`` processes on a shared database.

The workers share the test database through ``tests.processes.SharedDatabase``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opentemis.jobs import services
from opentemis.jobs.models import Job, JobStatus
from opentemis.jobs.tests.tasks import blocking_job
from tests.processes import ROOT, SharedDatabase

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Workers:
    """``manage.py db_worker`` processes on the shared database."""

    def __init__(self, db: SharedDatabase, tmp: Path) -> None:
        self.db, self.tmp = db, tmp
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        environment = self.db.environ(self.tmp, **env)
        command = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay", "-v0"]
        with open(self.tmp / f"worker{len(self.started)}.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, *command, "--interval", "0.1", *args],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)

    def logs(self) -> str:
        files = sorted(self.tmp.glob("worker*.log"))
        return "\n".join(f.read_text(errors="replace") for f in files)


def wait_for(db: SharedDatabase, job: Job, ready: Callable[[Job], bool], workers: Workers) -> Job:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.pull()
        job.refresh_from_db()
        if ready(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job stayed {job.status} ({job.message})\n{workers.logs()}")


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


@pytest.fixture
def workers(tmp_path: Path) -> Any:
    (tmp_path / "media").mkdir()
    pool = Workers(SharedDatabase(tmp_path), tmp_path)
    with override_settings(MEDIA_ROOT=str(tmp_path / "media"), TASKS=QUEUE):
        yield pool
    pool.stop_all()


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_s_job_is_retried_then_failed_and_can_run_again(world, workers, tmp_path):
    db = workers.db
    gate = tmp_path / "open"  # the job blocks until this file exists
    job = services.job_create(actor=world.principal_a1, kind="test")
    services.job_enqueue(job=job, task=blocking_job, args=[str(gate)])  # committed: queued now
    db.push()

    # 1. A worker takes the job; it is killed while the job runs.
    first = workers.start()
    job = wait_for(db, job, lambda j: j.status == JobStatus.RUNNING, workers)
    kill(first)
    db.pull()
    job.refresh_from_db()
    first_task = job.task_id
    assert job.status == JobStatus.RUNNING  # what the battery saw: "running" for ever
    assert DBTaskResult.objects.get(id=first_task).status == "RUNNING"

    # 2. The sweep (past the lease) queues it again: one retry allowed.
    with override_settings(JOB_LEASE_SECONDS=60, JOB_MAX_RETRIES=1):
        later = timezone.now() + timezone.timedelta(seconds=61)
        assert services.jobs_sweep(now=later) == services.SweepResult(retried=1, failed=0)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.task_id and job.task_id != first_task
    assert DBTaskResult.objects.get(id=first_task).status == "FAILED"
    db.push()

    # 3. The retry runs in a second worker, which is killed too.
    second = workers.start()
    job = wait_for(db, job, lambda j: j.status == JobStatus.RUNNING and j.attempts == 2, workers)
    kill(second)
    time.sleep(1.2)  # past the one-second lease of the next worker

    # 4. A new worker sweeps when it starts: no retry left, the job fails with a message.
    third = workers.start(JOB_LEASE_SECONDS="1", JOB_MAX_RETRIES="1", JOB_SWEEP_SECONDS="0.2")
    job = wait_for(db, job, lambda j: j.is_finished, workers)
    third.terminate()
    third.wait(timeout=10)
    db.pull()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Công việc bị gián đoạn (máy chạy nền đã dừng)")
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()

    # 5. Its owner presses "Run again" on the job page; it runs to the end this time.
    client = world.client_for(world.principal_a1)
    assert "Chạy lại" in client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert client.post(reverse("job_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 0 and job.task_id
    gate.touch()
    db.push()
    last = workers.start("--batch")
    assert last.wait(timeout=60) == 0, workers.logs()
    db.pull()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, workers.logs()
    assert (job.attempts, job.result_name, job.result.read()) == (1, "ok.txt", b"ok")
