"""Jobs: progress as cheap updates, a stored result, a page that polls until done, owner only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from opentemis.jobs import services
from opentemis.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


def test_progress_is_one_update_and_the_result_is_stored(world, django_assert_num_queries):
    job = services.job_create(actor=world.principal_a1, kind="test", unit=world.school_a1)
    assert job.status == JobStatus.QUEUED
    job = services.job_begin(job.pk)
    with django_assert_num_queries(1):
        services.job_progress(job, 3, 10)
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.progress, stored.total, stored.percent) == (
        JobStatus.RUNNING,
        3,
        10,
        30,
    )
    services.job_finish(job=job, content=b"PK-data", name="Bao_cao.zip", message="Xong")
    stored = Job.objects.get(pk=job.pk)
    assert stored.status == JobStatus.DONE
    assert stored.progress == 10
    assert stored.finished_at is not None
    assert stored.result_name == "Bao_cao.zip"
    assert stored.result.read() == b"PK-data"


def test_a_failed_job_keeps_its_message(world):
    job = services.job_create(actor=world.principal_a1, kind="test")
    services.job_fail(job=job, message="Hỏng")
    stored = Job.objects.get(pk=job.pk)
    assert stored.status == JobStatus.FAILED and stored.message == "Hỏng"
    assert stored.is_finished


class FakeTask:
    """Stands for a django-tasks Task: records what was queued."""

    module_path = "opentemis.jobs.tests.test_jobs.FAKE"

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.broken = False

    def enqueue(self, *args: Any) -> Any:
        if self.broken:
            raise ConnectionError("queue down")
        self.calls.append(args)

        class Result:
            id = f"task-{len(self.calls)}"

        return Result()


FAKE = FakeTask()


@pytest.fixture
def fake_task() -> Any:
    FAKE.calls.clear()
    FAKE.broken = False
    return FAKE


def test_enqueue_waits_for_the_commit_and_records_the_task(
    world, django_capture_on_commit_callbacks, fake_task
):
    job = services.job_create(actor=world.principal_a1, kind="test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.job_enqueue(job=job, task=fake_task, args=[7, "pdf"])
    assert fake_task.calls == []
    for callback in callbacks:
        callback()
    assert fake_task.calls == [(job.pk, 7, "pdf")]
    stored = Job.objects.get(pk=job.pk)
    assert (stored.task_id, stored.task_path, stored.task_args) == (
        "task-1",
        FakeTask.module_path,
        [7, "pdf"],
    )


def test_a_job_that_cannot_be_queued_fails_visibly(
    world, django_capture_on_commit_callbacks, fake_task
):
    job = services.job_create(actor=world.principal_a1, kind="test")
    fake_task.broken = True
    with django_capture_on_commit_callbacks(execute=True):
        services.job_enqueue(job=job, task=fake_task)
    stored = Job.objects.get(pk=job.pk)
    assert stored.status == JobStatus.FAILED
    assert stored.message == "Không thể đưa tác vụ vào hàng đợi. Vui lòng thử lại sau."


def test_page_polls_while_running_and_stops_when_done(world):
    job = services.job_begin(services.job_create(actor=world.principal_a1, kind="test").pk)
    services.job_progress(job, 1, 4)
    client = world.client_for(world.principal_a1)
    url = reverse("job_detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert "<progress" in page and 'value="25"' in page
    assert "hx-trigger" in page
    partial = client.get(url, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and 'id="job-progress"' in body and "hx-get" in body
    services.job_finish(job=job, content=b"x", name="ket_qua.zip")
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done  # polling stops
    assert reverse("job_download", args=[job.pk]) in done
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"x"
    assert "ket_qua.zip" in download["Content-Disposition"]


def test_only_the_actor_sees_or_downloads_a_job(world):
    job = services.job_create(actor=world.principal_a1, kind="test", unit=world.school_a1)
    services.job_finish(job=job, content=b"x", name="a.zip")
    for user in (world.principal_b1, world.officer_a, world.teacher_a1):
        client = world.client_for(user)
        assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    anonymous = world.client_for(world.principal_a1)
    anonymous.logout()
    assert anonymous.get(reverse("job_download", args=[job.pk])).status_code == 302


def test_an_unfinished_job_has_nothing_to_download(world):
    job = services.job_create(actor=world.principal_a1, kind="test")
    client = world.client_for(world.principal_a1)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
