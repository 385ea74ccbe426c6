"""Clean-up of stored files: old job results, unused evidence bytes, abandoned paper uploads.

Each sweep removes only what is old enough and unused, changes nothing in a dry run, and finds
nothing the second time; the job page and download say clearly that a result has expired.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from opentemis.core.imports.uploads import upload_read, upload_store
from opentemis.core.scoping import system_scope
from opentemis.evidence import services as evidence
from opentemis.evidence.models import Evidence, StoredFile
from opentemis.evidence.tests import files
from opentemis.jobs import services as jobs
from opentemis.jobs.models import Job
from opentemis.site import cleanup
from opentemis.site.tasks import cleanup_files

pytestmark = pytest.mark.django_db

OLD = timezone.now() - dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    root = tmp_path / "media"
    root.mkdir()
    with override_settings(MEDIA_ROOT=str(root)):
        yield root


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the sweeps as the command does: file deletions happen once the rows are committed."""

    def run(sweep: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(**kwargs)

    return run


def _age(name: str, when: dt.datetime = OLD) -> None:
    path = default_storage.path(name)
    os.utime(path, (when.timestamp(), when.timestamp()))


def _job(world: Any, *, finished: dt.datetime, name: str = "ket_qua.zip") -> Job:
    job = jobs.job_create(actor=world.principal_a1, kind="evaluations.print_school")
    jobs.job_finish(job=job, content=b"PK-zip", name=name)
    Job.objects.filter(pk=job.pk).update(finished_at=finished)
    job.refresh_from_db()
    return job


def _stored(world: Any, text: str, *, keep_item: bool, created: dt.datetime = OLD) -> StoredFile:
    """Bytes uploaded by teacher A1; their item deleted (as a cascade would) unless kept."""
    with system_scope():
        item = evidence.evidence_upload(
            actor=world.teacher_a1,
            owner=world.person_a1,
            uploaded_file=files.upload(f"{text}.pdf", files.pdf(text)),
            title=text,
        )
        stored = item.stored_file
        if not keep_item:
            Evidence.objects.filter(pk=item.pk).delete()
    StoredFile.objects.filter(pk=stored.pk).update(created_at=created)
    return stored


def _stray(name: str, *, old: bool) -> str:
    saved = default_storage.save(name, ContentFile(b"rolled back"))
    if old:
        _age(saved)
    return saved


def _paper_upload(*, old: bool) -> Any:
    upload = upload_store(io.BytesIO(b"PK-xlsx"))
    if old:
        _age(upload.name)
    return upload


# Job results


def test_old_job_results_are_deleted_and_the_job_kept(world, commit):
    old = _job(world, finished=timezone.now() - dt.timedelta(days=8), name="cu.zip")
    recent = _job(world, finished=timezone.now() - dt.timedelta(days=6), name="moi.zip")
    old_name = old.result.name

    assert commit(cleanup.job_results_expire) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.result and old.result_name == "cu.zip" and old.status == "done"
    assert not default_storage.exists(old_name)
    assert recent.result and default_storage.exists(recent.result.name)
    assert commit(cleanup.job_results_expire) == 0  # nothing left to do


def test_job_retention_comes_from_the_setting(world, commit):
    job = _job(world, finished=timezone.now() - dt.timedelta(days=8))
    with override_settings(OPENTEMIS_JOB_RESULT_DAYS=30):
        assert commit(cleanup.job_results_expire) == 0
    with override_settings(OPENTEMIS_JOB_RESULT_DAYS=0.5):
        assert commit(cleanup.job_results_expire) == 1
    job.refresh_from_db()
    assert not job.result


def test_unfinished_and_fileless_jobs_are_left_alone(world, commit):
    running = jobs.job_create(actor=world.principal_a1, kind="test")
    failed = jobs.job_fail(job=jobs.job_create(actor=world.principal_a1, kind="test"), message="x")
    Job.objects.filter(pk=failed.pk).update(finished_at=OLD)
    assert commit(cleanup.job_results_expire) == 0
    assert Job.objects.filter(pk__in=[running.pk, failed.pk]).count() == 2


def test_expired_job_page_says_the_file_expired(world, commit):
    job = _job(world, finished=OLD, name="Truong_A1.zip")
    commit(cleanup.job_results_expire)
    client = world.client_for(world.principal_a1)
    with translation.override("vi"):
        page = client.get(reverse("job_detail", args=[job.pk]))
        download = client.get(reverse("job_download", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Truong_A1.zip" in text and "đã hết hạn" in text
    assert reverse("job_download", args=[job.pk]) not in text
    assert download.status_code == 410
    assert "đã hết hạn" in download.content.decode()


def test_download_of_a_result_missing_from_storage_is_not_a_server_error(world):
    job = _job(world, finished=timezone.now(), name="mat.zip")
    default_storage.delete(job.result.name)  # e.g. removed between the page and the click
    response = world.client_for(world.principal_a1).get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 410
    assert "mat.zip" in response.content.decode()


def test_expired_job_is_still_404_for_others(world, commit):
    job = _job(world, finished=OLD)
    commit(cleanup.job_results_expire)
    client = world.client_for(world.principal_b1)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


# Evidence bytes


def test_only_old_unreferenced_stored_files_are_deleted(world, commit):
    used = _stored(world, "used", keep_item=True)
    orphan = _stored(world, "orphan", keep_item=False)
    fresh = _stored(world, "fresh", keep_item=False, created=timezone.now())
    orphan_name = orphan.file.name

    assert commit(cleanup.stored_files_purge) == 1

    assert set(StoredFile.objects.values_list("pk", flat=True)) == {used.pk, fresh.pk}
    assert not default_storage.exists(orphan_name)
    assert default_storage.exists(used.file.name) and default_storage.exists(fresh.file.name)
    assert commit(cleanup.stored_files_purge) == 0


def test_a_stored_file_used_again_before_its_deletion_is_kept(world):
    stored = _stored(world, "again", keep_item=False)
    # Selected as unused, then an upload of the same bytes adds an item before the delete.
    with system_scope():
        evidence.evidence_upload(
            actor=world.teacher_a1,
            owner=world.person_a1,
            uploaded_file=files.upload("again.pdf", files.pdf("again")),
            title="again",
        )
        assert cleanup._stored_file_delete(stored.pk, timezone.now()) is None
    assert StoredFile.objects.filter(pk=stored.pk).exists()
    assert default_storage.exists(stored.file.name)


def test_stray_evidence_files_without_a_row_are_deleted_after_the_grace(world, commit):
    used = _stored(world, "used", keep_item=True)
    _age(used.file.name)
    old_stray = _stray("evidence/ab/cd/" + "a" * 64, old=True)
    new_stray = _stray("evidence/ab/cd/" + "b" * 64, old=False)

    assert commit(cleanup.evidence_strays_purge) == 1

    assert not default_storage.exists(old_stray)
    assert default_storage.exists(new_stray) and default_storage.exists(used.file.name)


def test_sweeps_without_their_folders_find_nothing(world, commit):
    assert commit(cleanup.evidence_strays_purge) == 0
    assert commit(cleanup.paper_uploads_purge) == 0


# Paper-import uploads


def test_abandoned_paper_uploads_are_deleted_recent_ones_kept(world, commit):
    pending = _paper_upload(old=False)
    abandoned = _paper_upload(old=True)  # aged after the store (which sweeps old ones itself)

    assert commit(cleanup.paper_uploads_purge) == 1

    assert not default_storage.exists(abandoned.name)
    assert upload_read(abandoned) is None  # a late confirmation asks for the file again
    assert upload_read(pending) == b"PK-xlsx"


def test_a_zero_retention_still_spares_an_upload_in_progress(world, commit):
    pending = _paper_upload(old=False)
    stray = _stray("evidence/ef/01/" + "c" * 64, old=False)
    with override_settings(OPENTEMIS_PAPER_UPLOAD_DAYS=0, OPENTEMIS_EVIDENCE_ORPHAN_DAYS=0):
        assert commit(cleanup.paper_uploads_purge) == 0
        assert commit(cleanup.evidence_strays_purge) == 0
    assert default_storage.exists(pending.name) and default_storage.exists(stray)


# All together: dry run, command, task


@pytest.fixture
def clutter(world: Any) -> dict[str, Any]:
    """One thing to remove and one to keep for every sweep."""
    return {
        "old_job": _job(world, finished=OLD),
        "new_job": _job(world, finished=timezone.now()),
        "used": _stored(world, "used", keep_item=True),
        "orphan": _stored(world, "orphan", keep_item=False),
        "stray": _stray("evidence/12/34/" + "d" * 64, old=True),
        "pending": _paper_upload(old=False),
        "abandoned": _paper_upload(old=True),
    }


def _snapshot(media: Any) -> tuple[Any, ...]:
    return (
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()),
        sorted(Job.objects.values_list("pk", "result")),
        sorted(StoredFile.objects.values_list("pk", "file")),
    )


EXPECTED = {"job_results": 1, "evidence_files": 1, "evidence_strays": 1, "paper_uploads": 1}


def test_dry_run_counts_but_changes_nothing(clutter, media, commit):
    before = _snapshot(media)
    totals = commit(cleanup.cleanup_all, dry_run=True)
    assert totals.counts == EXPECTED and totals.failed == []
    assert _snapshot(media) == before


def test_cleanup_all_removes_each_kind_once(clutter, media, commit):
    totals = commit(cleanup.cleanup_all)
    assert totals.counts == EXPECTED
    again = commit(cleanup.cleanup_all)
    assert again.counts == dict.fromkeys(EXPECTED, 0)
    remaining = _snapshot(media)[0]
    assert clutter["new_job"].result.name in remaining
    assert clutter["used"].file.name in remaining
    assert clutter["pending"].name in remaining
    assert len(remaining) == 3


def test_a_failing_sweep_does_not_stop_the_others(clutter, commit, monkeypatch):
    def broken(**kwargs: Any) -> int:
        raise OSError("bucket unreachable")

    monkeypatch.setitem(cleanup.SWEEPS, "evidence_strays", broken)
    totals = commit(cleanup.cleanup_all)
    assert totals.failed == ["evidence_strays"]
    assert totals.counts == {k: v for k, v in EXPECTED.items() if k != "evidence_strays"}


def test_command_dry_run_prints_what_would_go(clutter, media, commit):
    before = _snapshot(media)
    out = io.StringIO()
    with translation.override("vi"):
        commit(call_command, command_name="cleanup", dry_run=True, verbosity=2, stdout=out)
    text = out.getvalue()
    assert "Kết quả tác vụ đã hết hạn: sẽ xóa 1" in text
    assert clutter["abandoned"].name in text  # -v 2 lists the files
    assert "Chạy thử" in text
    assert _snapshot(media) == before


def test_command_removes_and_says_so(clutter, commit):
    out = io.StringIO()
    with translation.override("en"):
        commit(call_command, command_name="cleanup", stdout=out)
    text = out.getvalue()
    assert "Expired job results: 1 removed" in text
    assert "Abandoned paper-import uploads: 1 removed" in text
    assert not default_storage.exists(clutter["abandoned"].name)


def test_the_task_runs_the_cleanup(clutter, commit):
    result = commit(cleanup_files.enqueue)
    assert result.return_value == {"counts": EXPECTED, "failed": []}
    assert not default_storage.exists(clutter["stray"])
