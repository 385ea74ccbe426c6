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


def test_enqueue_waits_for_the_commit_and_records_the_task_id(
    world, django_capture_on_commit_callbacks
):
    job = services.job_create(actor=world.principal_a1, kind="test")
    calls = []

    class Result:
        id = "task-123"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.job_enqueue(job=job, enqueue=lambda: calls.append(1) or Result())
    assert calls == []
    for callback in callbacks:
        callback()
    assert calls == [1]
    assert Job.objects.get(pk=job.pk).task_id == "task-123"


def test_a_job_that_cannot_be_queued_fails_visibly(world, django_capture_on_commit_callbacks):
    job = services.job_create(actor=world.principal_a1, kind="test")

    def broken() -> None:
        raise ConnectionError("queue down")

    with django_capture_on_commit_callbacks(execute=True):
        services.job_enqueue(job=job, enqueue=broken)
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_page_polls_while_running_and_stops_when_done(world):
    job = services.job_create(actor=world.principal_a1, kind="test")
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
