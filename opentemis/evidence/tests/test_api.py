"""REST API: my evidence (list, upload, link, delete) and downloads, with the 404 rule."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.core.scoping import system_scope
from opentemis.evidence import services
from opentemis.evidence.models import Evidence, StoredFile
from opentemis.evidence.tests import files

LIST = "/api/v1/evidence/"


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def item(world):
    with system_scope():
        return services.evidence_upload(
            actor=world.teacher_a1,
            owner=world.person_a1,
            uploaded_file=files.upload("ke-hoach.pdf", files.pdf()),
            title="Kế hoạch bài dạy",
        )


def test_list_requires_authentication(world):
    assert APIClient().get(LIST).status_code == 401


def test_list_shows_my_items_only(world, item, colleague):
    response = api(world.teacher_a1).get(LIST)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["title"] == "Kế hoạch bài dạy"
    assert row["content_type"] == "application/pdf"
    assert row["download_url"] == f"/api/v1/evidence/{item.pk}/download/"
    assert api(colleague).get(LIST).json()["results"] == []
    assert api(world.principal_b1).get(LIST).json()["results"] == []


def test_upload_multipart_checks_content_and_dedupes(world, colleague, media):
    upload = files.upload("bang-diem.xlsx", files.xlsx(), "text/plain")
    response = api(world.teacher_a1).post(
        LIST, {"file": upload, "school_year": "2025-2026"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["content_type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert body["school_year"] == "2025-2026" and body["title"] == "bang-diem"
    again = api(world.teacher_a1).post(
        LIST, {"file": files.upload("x.xlsx", files.xlsx())}, format="multipart"
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    other = api(colleague).post(
        LIST, {"file": files.upload("y.xlsx", files.xlsx())}, format="multipart"
    )
    assert other.status_code == 201 and other.json()["id"] != body["id"]
    with system_scope():
        assert StoredFile.objects.count() == 1 and Evidence.objects.count() == 2


def test_upload_refuses_a_disguised_file(world, media):
    response = api(world.teacher_a1).post(
        LIST, {"file": files.upload("giao-an.docx", files.plain_zip())}, format="multipart"
    )
    assert response.status_code == 400
    assert "giao-an.docx" in response.json()["file"][0]
    assert files.stored_files(media) == []


def test_add_a_link_as_json(world):
    response = api(world.teacher_a1).post(
        LIST, {"url": "https://example.org/hoc-lieu", "title": "Học liệu"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "link" and response.json()["download_url"] is None
    bad = api(world.teacher_a1).post(LIST, {"url": "javascript:alert(1)"}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()


def test_file_or_link_not_both_nor_neither(world):
    assert api(world.teacher_a1).post(LIST, {"title": "x"}, format="json").status_code == 400


def test_account_without_staff_record_cannot_upload(world):
    response = api(world.officer_a).post(LIST, {"url": "https://example.org"}, format="json")
    assert response.status_code == 400
    assert api(world.officer_a).get(LIST).json()["results"] == []


def test_download_owner_and_evaluator_200_others_404(world, item, colleague):
    url = f"/api/v1/evidence/{item.pk}/download/"
    for user in (world.teacher_a1, world.principal_a1):
        response = api(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == files.pdf()
    for user in (world.principal_b1, world.officer_a, colleague):
        assert api(user).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401


def test_detail_and_delete(world, item, colleague):
    url = f"/api/v1/evidence/{item.pk}/"
    assert api(world.principal_a1).get(url).status_code == 200
    assert api(world.principal_b1).get(url).status_code == 404
    assert api(colleague).delete(url).status_code == 404
    assert api(world.principal_a1).delete(url).status_code == 403
    assert api(world.teacher_a1).delete(url).status_code == 204
    with system_scope():
        assert not Evidence.objects.filter(pk=item.pk).exists()


def test_schema_builds(world):
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/evidence/{id}/download/" in response.json()["paths"]
