"""How a video reaches the browser (streaming.py): ranges in the embedded default, nginx's
X-Accel-Redirect when set, a presigned redirect with S3; access first."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, Storage
from django.test import override_settings
from django.urls import reverse

from opentemis.core.http import SANDBOX_POLICY
from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress
from opentemis.materials import streaming
from opentemis.materials.streaming import MAX_CHUNK, UNSATISFIABLE, parse_range
from opentemis.materials.tests import media

pytestmark = pytest.mark.django_db

SIZE = len(media.mp4())


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("", 1000, None),
        ("bytes=0-99", 1000, (0, 99)),
        ("bytes=100-", 1000, (100, 999)),
        ("bytes=-100", 1000, (900, 999)),
        ("bytes=-5000", 1000, (0, 999)),
        ("bytes=990-5000", 1000, (990, 999)),
        ("bytes=1000-", 1000, UNSATISFIABLE),
        ("bytes=5000-6000", 1000, UNSATISFIABLE),
        ("bytes=-0", 1000, UNSATISFIABLE),
        ("bytes=50-10", 1000, None),  # invalid: ignored, the whole file
        ("bytes=0-1,5-9", 1000, None),  # several ranges: the whole file
        ("items=0-9", 1000, None),
        ("bytes=abc", 1000, None),
        ("bytes=-", 1000, None),
        ("bytes=0-", 10 * MAX_CHUNK, (0, MAX_CHUNK - 1)),  # capped
    ],
)
def test_parse_range(header: str, size: int, expected: Any) -> None:
    assert parse_range(header, size) == expected


def _stream(mw: Any, user: Any = None, **headers: str) -> Any:
    client = mw.w.client_for(user or mw.w.teacher_a1)
    return client.get(reverse("materials_video_stream", args=[mw.video.pk]), **headers)


def _safe(response: Any) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX_POLICY


def test_the_whole_video(mw: Any) -> None:
    response = _stream(mw)
    assert response.status_code == 200
    _safe(response)
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert int(response["Content-Length"]) == SIZE
    assert b"".join(response.streaming_content) == media.mp4()


def test_a_range_is_a_206(mw: Any) -> None:
    response = _stream(mw, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    _safe(response)
    assert response["Content-Range"] == f"bytes 100-199/{SIZE}"
    assert response.content == media.mp4()[100:200]
    assert response["Content-Length"] == "100"
    tail = _stream(mw, HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206
    assert tail.content == media.mp4()[-10:]
    assert tail["Content-Range"] == f"bytes {SIZE - 10}-{SIZE - 1}/{SIZE}"


def test_a_range_past_the_end_is_a_416(mw: Any) -> None:
    response = _stream(mw, HTTP_RANGE=f"bytes={SIZE}-")
    assert response.status_code == 416
    _safe(response)
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response.content == b""


def test_a_bad_range_gets_the_whole_file(mw: Any) -> None:
    response = _stream(mw, HTTP_RANGE="bytes=9-1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == media.mp4()


@override_settings(MEDIA_ACCEL_REDIRECT="/_protected/")
def test_behind_nginx_the_file_is_sent_by_nginx(mw: Any) -> None:
    response = _stream(mw, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 200
    _safe(response)
    name = mw.video.video.file.name
    assert response["X-Accel-Redirect"] == f"/_protected/{name}"
    assert response["Content-Type"] == "video/mp4"
    assert response.content == b""  # nginx sends the bytes (and the range)


class FakeS3(Storage):
    """A remote storage as streaming sees it (not the file system): its ``url()`` presigns,
    as django-storages' S3Storage does; the bytes are kept in the test's MEDIA_ROOT."""

    calls: list[dict[str, Any]] = []

    def __init__(self) -> None:
        self.inner = FileSystemStorage()

    def _open(self, name: str, mode: str = "rb") -> Any:
        return self.inner.open(name, mode)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def size(self, name: str) -> int:
        return self.inner.size(name)

    def url(self, name: str | None, parameters: Any = None, expire: Any = None) -> str:
        FakeS3.calls.append({"name": name, "parameters": parameters, "expire": expire})
        return f"https://s3.example.test/bucket/{name}?X-Amz-Expires={expire}&X-Amz-Signature=abc"


def test_with_s3_a_short_lived_presigned_url(mw: Any, settings: Any) -> None:
    FakeS3.calls = []
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FakeS3"},
    }
    settings.MATERIALS_PRESIGNED_SECONDS = 120
    response = _stream(mw)
    assert response.status_code == 302
    assert response["Location"].startswith("https://s3.example.test/bucket/materials/")
    _safe(response)
    assert response["Cache-Control"] == "no-store"
    (call,) = FakeS3.calls
    assert call["name"] == mw.video.video.file.name
    # Long enough to play the 24-second video with pauses: 2 x 24 + 600 (above the setting).
    assert call["expire"] == 648
    assert call["parameters"]["ResponseContentType"] == "video/mp4"
    assert call["parameters"]["ResponseContentDisposition"].startswith("attachment")


def test_a_real_remote_storage_is_recognised() -> None:
    assert not streaming.is_remote(FileSystemStorage())

    class Remote:
        pass

    assert streaming.is_remote(Remote())


def test_the_low_copy_only_when_ready(mw: Any) -> None:
    # No copy: ?q=low gets the original.
    response = _stream(mw, HTTP_RANGE="bytes=0-3")
    low = mw.w.client_for(mw.w.teacher_a1).get(
        reverse("materials_video_stream", args=[mw.video.pk]) + "?q=low", HTTP_RANGE="bytes=0-3"
    )
    assert low.content == response.content


def test_access_first(mw: Any, outsiders: dict[str, Any]) -> None:
    for user in outsiders.values():
        assert _stream(mw, user).status_code == 404
    # The course's officer previews it.
    assert _stream(mw, mw.w.officer_a, HTTP_RANGE="bytes=0-0").status_code == 206
    # The stream of a page activity is not found either.
    client = mw.w.client_for(mw.w.teacher_a1)
    assert client.get(reverse("materials_video_stream", args=[mw.page.pk])).status_code == 404


def test_head_is_answered_and_records_nothing(mw: Any) -> None:
    client = mw.w.client_for(mw.w.teacher_a1)
    assert client.head(reverse("materials_video_stream", args=[mw.video.pk])).status_code == 200
    download = reverse("materials_file_download", args=[mw.file.pk])
    assert client.head(download).status_code == 200
    with system_scope():
        assert not ActivityProgress.objects.filter(activity=mw.file).exists()
