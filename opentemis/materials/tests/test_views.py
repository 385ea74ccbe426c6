"""The materials pages and API: what learners and officers see, the player's reports, and
that nobody else reaches anything (404 on every route, whatever the method)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress
from opentemis.materials.models import Asset, AssetRole, Page, Video
from opentemis.materials.tests import media

pytestmark = pytest.mark.django_db


def _state(mw: Any, activity: Any) -> str:
    with system_scope():
        row = ActivityProgress.objects.filter(enrolment=mw.lw.enrolment, activity=activity).first()
    return row.state if row else ""


def _routes(mw: Any) -> list[tuple[str, int]]:
    with system_scope():
        image = Asset.objects.create(
            activity=mw.page, role=AssetRole.IMAGE, name="a.png", content_type="image/png", size=1
        )
    return [
        ("materials_page", mw.page.pk),
        ("materials_page_manage", mw.page.pk),
        ("materials_asset", image.pk),
        ("materials_asset_delete", image.pk),
        ("materials_video", mw.video.pk),
        ("materials_video_stream", mw.video.pk),
        ("materials_video_progress", mw.video.pk),
        ("materials_video_manage", mw.video.pk),
        ("materials_file", mw.file.pk),
        ("materials_file_download", mw.file.pk),
        ("materials_file_manage", mw.file.pk),
    ]


def test_outsiders_get_404_everywhere(mw: Any, outsiders: dict[str, Any]) -> None:
    routes = _routes(mw)
    for who, user in outsiders.items():
        client = mw.w.client_for(user)
        for name, pk in routes:
            url = reverse(name, args=[pk])
            for method in (client.get, client.post):
                assert method(url).status_code == 404, (who, name, method)
        token, _ = Token.objects.get_or_create(user=user)
        api = f"/api/v1/learn/videos/{mw.video.pk}/progress/"
        auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
        assert mw.w.client_for(user).get(api, **auth).status_code == 404
    with system_scope():
        assert not ActivityProgress.objects.exists()


def test_the_learner_does_not_reach_the_builder(mw: Any) -> None:
    client = mw.w.client_for(mw.w.teacher_a1)
    for name in ("materials_page_manage", "materials_video_manage", "materials_file_manage"):
        activity = {"materials_page_manage": mw.page, "materials_video_manage": mw.video}.get(
            name, mw.file
        )
        assert client.get(reverse(name, args=[activity.pk])).status_code == 404
        assert client.post(reverse(name, args=[activity.pk]), {"body": "x"}).status_code == 404


def test_a_route_of_another_kind_is_404(mw: Any) -> None:
    client = mw.w.client_for(mw.w.teacher_a1)
    assert client.get(reverse("materials_video", args=[mw.page.pk])).status_code == 404
    assert client.get(reverse("materials_page", args=[mw.file.pk])).status_code == 404


def test_viewing_the_page_completes_it(mw: Any) -> None:
    response = mw.w.client_for(mw.w.teacher_a1).get(reverse("materials_page", args=[mw.page.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Giới thiệu mô-đun</h2>" in html and "<table>" in html
    assert _state(mw, mw.page) == "complete"


def test_the_officer_previews_without_progress(mw: Any) -> None:
    client = mw.w.client_for(mw.w.officer_a)
    for name, activity in (
        ("materials_page", mw.page),
        ("materials_video", mw.video),
        ("materials_file", mw.file),
    ):
        assert client.get(reverse(name, args=[activity.pk])).status_code == 200
    assert client.get(reverse("materials_file_download", args=[mw.file.pk])).status_code == 200
    report = client.post(reverse("materials_video_progress", args=[mw.video.pk]), {"position": "3"})
    assert report.json() == {"preview": True}
    with system_scope():
        assert not ActivityProgress.objects.exists()


def test_downloading_the_file_completes_it(mw: Any) -> None:
    client = mw.w.client_for(mw.w.teacher_a1)
    page = client.get(reverse("materials_file", args=[mw.file.pk]))
    assert "Tài liệu GVPT 06.pdf" in page.content.decode()
    assert _state(mw, mw.file) == ""
    response = client.get(reverse("materials_file_download", args=[mw.file.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == media.pdf()
    assert _state(mw, mw.file) == "complete"


def test_a_locked_activity_shows_what_comes_first(mw: Any) -> None:
    with system_scope():
        mw.video.prerequisites.set([mw.page])
    client = mw.w.client_for(mw.w.teacher_a1)
    page = client.get(reverse("materials_video", args=[mw.video.pk])).content.decode()
    assert mw.page.title in page and "<video" not in page
    assert client.get(reverse("materials_video_stream", args=[mw.video.pk])).status_code == 403
    assert (
        client.post(
            reverse("materials_video_progress", args=[mw.video.pk]), {"position": "1"}
        ).status_code
        == 403
    )
    client.get(reverse("materials_page", args=[mw.page.pk]))  # done: unlocked
    assert "<video" in client.get(reverse("materials_video", args=[mw.video.pk])).content.decode()


# --- the video page and its reports -----------------------------------------------------------


def test_the_video_page_is_light_and_resumes(mw: Any) -> None:
    client = mw.w.client_for(mw.w.teacher_a1)
    url = reverse("materials_video_progress", args=[mw.video.pk])
    client.post(url, {"position": "7.5", "intervals": "[[0, 7.5]]"})
    response = client.get(reverse("materials_video", args=[mw.video.pk]))
    html = response.content.decode()
    # The byte budget of the page without the video: the HTML (and the player script) small.
    assert len(response.content) < 20_000, len(response.content)
    assert 'data-position="7.50"' in html
    assert 'data-duration="24.000"' in html
    assert "materials/player.js" in html
    assert "31%" in html  # 7.5 of 24 seconds
    from django.contrib.staticfiles import finders

    script = finders.find("materials/player.js")
    assert script and len(open(script, "rb").read()) < 8_000  # noqa: SIM115


def test_the_players_reports(mw: Any) -> None:
    client = mw.w.client_for(mw.w.teacher_a1)
    url = reverse("materials_video_progress", args=[mw.video.pk])
    first = client.post(url, {"position": "12", "intervals": "[[0, 12]]"})
    assert first.status_code == 200
    assert first.json()["percent"] == 50 and first.json()["state"] == "started"
    assert "50%" in first.json()["label"]
    # sendBeacon's copy of the same report, then the periodic one: nothing more.
    assert client.post(url, {"position": "12", "intervals": "[[0, 12]]"}).json() == first.json()
    done = client.post(url, {"position": "24", "intervals": "[[0, 12], [12, 24]]"})
    assert done.json()["state"] == "complete"
    assert _state(mw, mw.video) == "complete"


@pytest.mark.parametrize(
    "body",
    [
        {"position": "-1"},
        {"position": "99"},
        {"position": "abc"},
        {},
        {"position": "5", "intervals": "[[0, 99]]"},
        {"position": "5", "intervals": "[[-1, 3]]"},
        {"position": "5", "intervals": "not json"},
        {"position": "5", "intervals": '{"a": 1}'},
        {"position": "5", "intervals": "[[3, 1]]"},
    ],
)
def test_nonsense_is_a_400(mw: Any, body: dict[str, str]) -> None:
    client = mw.w.client_for(mw.w.teacher_a1)
    response = client.post(reverse("materials_video_progress", args=[mw.video.pk]), body)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert _state(mw, mw.video) == ""


def test_the_api(mw: Any) -> None:
    token, _ = Token.objects.get_or_create(user=mw.w.teacher_a1)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    client = mw.w.client_for(mw.w.teacher_a1)
    url = f"/api/v1/learn/videos/{mw.video.pk}/progress/"
    assert reverse("api:learn-video-progress", args=[mw.video.pk]) == url
    assert client.get(url, **auth).json()["state"] == ""
    post = lambda body: client.post(  # noqa: E731
        url, json.dumps(body), content_type="application/json", **auth
    )
    answer = post({"position": 21.6, "intervals": [[0, 21.6]]})
    assert answer.status_code == 200 and answer.json()["state"] == "complete"
    assert client.get(url, **auth).json()["position"] == 21.6
    assert post({"position": -3, "intervals": []}).status_code == 400
    assert post({"position": 3, "intervals": [[0, 1000]]}).status_code == 400
    assert post({"intervals": []}).status_code == 400
    page = f"/api/v1/learn/videos/{mw.page.pk}/progress/"
    assert client.get(page, **auth).status_code == 404


# --- the builder pages ---------------------------------------------------------------------------


def test_the_officer_builds_a_page(mw: Any) -> None:
    client = mw.w.client_for(mw.w.officer_a)
    url = reverse("materials_page_manage", args=[mw.page.pk])
    assert client.get(url).status_code == 200
    image = SimpleUploadedFile("sơ đồ.png", media.png(), content_type="image/png")
    assert client.post(url, {"action": "image", "file": image}).status_code == 302
    with system_scope():
        asset = Asset.objects.get(activity=mw.page, role=AssetRole.IMAGE)
    src = reverse("materials_asset", args=[asset.pk])
    assert src in client.get(url).content.decode()
    body = f'<h2>Mục tiêu</h2><img src="{src}" alt="Sơ đồ"><script>x</script>'
    assert client.post(url, {"action": "text", "body": body}).status_code == 302
    with system_scope():
        assert (
            Page.objects.get(activity=mw.page).body
            == f'<h2>Mục tiêu</h2><img src="{src}" alt="Sơ đồ">'
        )
    shown = mw.w.client_for(mw.w.teacher_a1).get(src)
    assert shown.status_code == 200 and shown["Content-Disposition"].startswith("inline")
    # A disguised file is refused with a message, nothing stored.
    fake = SimpleUploadedFile("anh.png", b"<svg onload=alert(1)>", content_type="image/png")
    refused = client.post(url, {"action": "image", "file": fake})
    assert refused.status_code == 400 and "alert-error" in refused.content.decode()
    with system_scope():
        assert Asset.objects.filter(activity=mw.page, role=AssetRole.IMAGE).count() == 1
    delete = client.post(reverse("materials_asset_delete", args=[asset.pk]))
    assert delete.status_code == 302
    with system_scope():
        assert not Asset.objects.filter(pk=asset.pk).exists()


def test_the_officer_uploads_a_video_and_sets_the_minimum(mw: Any) -> None:
    client = mw.w.client_for(mw.w.officer_a)
    url = reverse("materials_video_manage", args=[mw.video.pk])
    page = client.get(url).content.decode()
    assert "gvpt06-gioi-thieu.mp4" in page
    upload = SimpleUploadedFile("bai-2.webm", media.webm(30), content_type="video/webm")
    assert client.post(url, {"action": "upload", "file": upload}).status_code == 302
    with system_scope():
        assert Video.objects.get(activity=mw.video).duration == 30
    assert client.post(url, {"action": "min_watch", "min_watch": "80"}).status_code == 302
    mw.video.refresh_from_db()
    assert mw.video.options["min_watch"] == 0.8
    assert client.post(url, {"action": "min_watch", "min_watch": "0"}).status_code == 400
    bad = SimpleUploadedFile("bai.mp4", media.mov(), content_type="video/mp4")
    assert client.post(url, {"action": "upload", "file": bad}).status_code == 400


def test_the_officer_uploads_a_file(mw: Any) -> None:
    client = mw.w.client_for(mw.w.officer_a)
    url = reverse("materials_file_manage", args=[mw.file.pk])
    upload = SimpleUploadedFile("bang.xlsx", media.xlsx())
    assert client.post(url, {"file": upload}).status_code == 302
    with system_scope():
        assert Asset.objects.get(activity=mw.file).name == "bang.xlsx"
    assert (
        client.post(url, {"file": SimpleUploadedFile("a.exe", b"MZ" + b"\0" * 50)}).status_code
        == 400
    )
