"""Uploading, linking and deleting evidence: content checks, dedupe by hash, owner-only writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations.models import Cycle, Evaluation, EvidenceLink
from opentemis.evidence import services
from opentemis.evidence.models import Evidence, StoredFile
from opentemis.evidence.tests import files
from opentemis.standards.models import Framework
from opentemis.standards.services import load_builtin_frameworks
from tests.factories import make_user


def _upload(user, name="chung-chi.pdf", content=None, **kwargs):
    return services.evidence_upload(
        actor=user,
        owner=user.person,
        uploaded_file=files.upload(name, content or files.pdf(), kwargs.pop("ct", "text/html")),
        title=kwargs.pop("title", ""),
        **kwargs,
    )


def test_upload_stores_the_sniffed_type_not_the_clients(world, system, media):
    item = _upload(world.teacher_a1, title="  Chứng chỉ  tin học ", school_year=world.year)
    assert item.kind == "file"
    assert item.title == "Chứng chỉ tin học"
    assert item.original_name == "chung-chi.pdf"
    assert item.school_year == world.year
    assert item.created_by == world.teacher_a1
    assert item.stored_file.content_type == "application/pdf"
    assert item.stored_file.size == len(files.pdf())
    assert item.stored_file.file.name.startswith(f"evidence/{item.stored_file.sha256[:2]}/")
    assert len(files.stored_files(media)) == 1


def test_title_defaults_to_the_file_name_in_nfc(world, system):
    decomposed = "Gia\u0301o a\u0301n.pdf"  # NFD, as some systems send it
    item = _upload(world.teacher_a1, name=decomposed)
    assert item.title == "Giáo án"
    assert item.original_name == "Giáo án.pdf"


def test_same_bytes_twice_by_two_people_are_stored_once(world, system, colleague, media):
    first = _upload(world.teacher_a1)
    second = _upload(colleague, name="other-name.pdf")
    assert first.pk != second.pk
    assert first.owner == world.person_a1 and second.owner == colleague.person
    assert first.stored_file_id == second.stored_file_id
    assert StoredFile.objects.count() == 1
    assert len(files.stored_files(media)) == 1


def test_same_bytes_twice_by_the_owner_is_one_item(world, system):
    first = _upload(world.teacher_a1)
    again = _upload(world.teacher_a1, name="copy.pdf")
    assert again.pk == first.pk
    assert again.reused is True and first.reused is False
    assert Evidence.objects.count() == 1


def test_disguised_file_is_refused_and_nothing_is_stored(world, system, media):
    with pytest.raises(ValidationError) as exc:
        _upload(world.teacher_a1, name="chung-chi.pdf", content=files.exe())
    assert exc.value.code == "disguised"
    assert not StoredFile.objects.exists() and not Evidence.objects.exists()
    assert files.stored_files(media) == []


@override_settings(EVIDENCE_MAX_BYTES=100)
def test_oversized_file_is_refused(world, system, media):
    with pytest.raises(ValidationError) as exc:
        _upload(world.teacher_a1)
    assert exc.value.code == "too_large"
    assert files.stored_files(media) == []


def test_only_the_owner_writes_to_a_library(world, system):
    with pytest.raises(PermissionDenied):
        services.evidence_upload(
            actor=world.principal_a1,
            owner=world.person_a1,
            uploaded_file=files.upload("a.pdf", files.pdf()),
            title="",
        )
    with pytest.raises(PermissionDenied):
        services.evidence_add_link(
            actor=world.principal_a1, owner=world.person_a1, url="https://example.org", title=""
        )


def test_add_link_checks_the_scheme_and_reuses_the_same_url(world, system):
    item = services.evidence_add_link(
        actor=world.teacher_a1,
        owner=world.person_a1,
        url=" https://drive.example.org/hoc-lieu ",
        title="Học liệu số",
    )
    assert item.kind == "link" and item.url == "https://drive.example.org/hoc-lieu"
    again = services.evidence_add_link(
        actor=world.teacher_a1, owner=world.person_a1, url=item.url, title=""
    )
    assert again.pk == item.pk
    for bad in ["javascript:alert(1)", "ftp://example.org/x", "not a url", ""]:
        with pytest.raises(ValidationError):
            services.evidence_add_link(
                actor=world.teacher_a1, owner=world.person_a1, url=bad, title=""
            )


def test_delete_removes_the_bytes_when_nobody_else_uses_them(
    world, system, colleague, media, django_capture_on_commit_callbacks
):
    mine = _upload(world.teacher_a1)
    theirs = _upload(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=world.teacher_a1, evidence=mine)
    assert StoredFile.objects.count() == 1 and len(files.stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=colleague, evidence=theirs)
    assert not StoredFile.objects.exists()
    assert files.stored_files(media) == []


def test_delete_is_refused_while_an_evaluation_cites_the_item(world, system):
    item = _upload(world.teacher_a1)
    load_builtin_frameworks()
    cycle = Cycle.objects.create(
        school_year=world.year,
        unit=world.province_a,
        unit_path=world.province_a.path,
        name="Đánh giá 2025-2026",
        self_due=dt.date(2026, 5, 31),
        opinions_due=dt.date(2026, 6, 10),
        review_due=dt.date(2026, 6, 30),
    )
    evaluation = Evaluation.objects.create(
        cycle=cycle,
        person=world.person_a1,
        framework=Framework.objects.filter(code="TT20_2018_GVPT").first(),
        kind="teacher",
        unit=world.school_a1,
        unit_path=world.school_a1.path,
    )
    EvidenceLink.objects.create(evaluation=evaluation, criterion=3, evidence=item)
    with pytest.raises(ValidationError) as exc:
        services.evidence_delete(actor=world.teacher_a1, evidence=item)
    assert exc.value.code == "in_use"
    assert Evidence.objects.filter(pk=item.pk).exists()


def test_only_the_owner_deletes(world, system):
    item = _upload(world.teacher_a1)
    with pytest.raises(PermissionDenied):
        services.evidence_delete(actor=world.principal_a1, evidence=item)


def test_a_large_upload_is_hashed_in_chunks(world, system):
    # 3 MB: more than one 64 KB chunk, and above FILE_UPLOAD_MAX_MEMORY_SIZE.
    content = files.pdf() + b"%" + b"0" * (3 * 1024 * 1024)
    item = _upload(world.teacher_a1, name="lon.pdf", content=content)
    assert item.stored_file.size == len(content)
    with item.stored_file.file.open("rb") as fh:
        assert fh.read() == content


def test_bytes_shared_with_another_province_survive_a_delete(
    world, colleague, media, django_capture_on_commit_callbacks
):
    # Teacher A's scope cannot see B's item using the same bytes: the PROTECT foreign key
    # still keeps the stored file.
    teacher_b1 = make_user(
        "teacher_b1", role="teacher", unit=world.school_b1, person=world.person_b1
    )
    with system_scope():
        mine = _upload(world.teacher_a1)
        _upload(teacher_b1)
    with actor_scope(world.teacher_a1), django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=world.teacher_a1, evidence=mine)
    with system_scope():
        assert StoredFile.objects.count() == 1 and Evidence.objects.count() == 1
    assert len(files.stored_files(media)) == 1
