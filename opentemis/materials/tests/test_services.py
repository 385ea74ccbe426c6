"""The materials services: uploads checked by content, the page cleaned, a video's progress
merged and judged, the package hooks, the low-bitrate copy."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import override_settings

from opentemis.core.scoping import actor_scope, system_scope
from opentemis.learning import kinds
from opentemis.learning.models import ActivityProgress, Enrolment, EnrolmentStatus
from opentemis.learning.services import NotAllowed
from opentemis.materials import services, transcode, validation
from opentemis.materials.models import Asset, AssetRole, Page, Rendition, Video
from opentemis.materials.tests import media

pytestmark = pytest.mark.django_db


def _file(name: str, content: bytes) -> ContentFile[bytes]:
    return ContentFile(content, name=name)


# --- pages -------------------------------------------------------------------------------------


def test_the_page_is_cleaned_on_save(mw: Any) -> None:
    page = services.page_save(
        actor=mw.w.officer_a,
        activity=mw.page,
        body='<h2 onmouseover="x()">Mục tiêu</h2><script>alert(1)</script>'
        '<p style="color:red">Nội dung</p><a href="javascript:alert(1)">x</a>'
        '<img src="https://tracker.example/p.gif"><iframe src="/"></iframe>'
        "<table><tr><td>1</td></tr></table><ul><li>a</li></ul>",
    )
    body = Page.objects.get(pk=page.pk).body
    assert "<h2>Mục tiêu</h2>" in body
    assert "<p>Nội dung</p>" in body
    assert "<table>" in body and "<li>a</li>" in body
    for gone in ("script", "onmouseover", "style", "javascript", "tracker", "iframe"):
        assert gone not in body


def test_only_the_course_officer_edits_a_page(mw: Any) -> None:
    with pytest.raises(NotAllowed):
        services.page_save(actor=mw.w.teacher_a1, activity=mw.page, body="<p>x</p>")
    with pytest.raises(NotAllowed):
        services.page_save(actor=mw.w.principal_b1, activity=mw.page, body="<p>x</p>")


@pytest.mark.parametrize(
    ("role", "name", "content", "code"),
    [
        (AssetRole.IMAGE, "anh.png", media.png(), None),
        (AssetRole.IMAGE, "anh.jpg", media.jpeg(), None),
        (AssetRole.ATTACHMENT, "tai-lieu.pdf", media.pdf(), None),
        (AssetRole.ATTACHMENT, "bang.xlsx", media.xlsx(), None),
        (AssetRole.IMAGE, "anh.png", media.pdf(), "unsupported"),  # a PDF is not an image
        (AssetRole.IMAGE, "anh.svg", b'<svg onload="alert(1)"/>', "unsupported"),
        (AssetRole.ATTACHMENT, "trang.html", b"<html><script>alert(1)</script>", "unsupported"),
        (AssetRole.ATTACHMENT, "virus.pdf", b"MZ\x90\x00" + b"\x00" * 100, "disguised"),
        (AssetRole.ATTACHMENT, "rong.pdf", b"", "empty"),
    ],
)
def test_uploads_are_judged_by_their_bytes(
    mw: Any, role: str, name: str, content: bytes, code: str | None
) -> None:
    upload = lambda: services.asset_upload(  # noqa: E731
        actor=mw.w.officer_a, activity=mw.page, role=role, uploaded_file=_file(name, content)
    )
    if code is None:
        asset = upload()
        assert asset.file.read() == content
        assert asset.content_type.split("/")[0] in {"image", "application"}
        assert name not in asset.file.name  # stored under a random name
    else:
        with pytest.raises(ValidationError) as refused:
            upload()
        assert refused.value.code == code
        assert not Asset.objects.filter(activity=mw.page, name=name).exists()


@override_settings(MATERIALS_FILE_MAX_BYTES=1000)
def test_a_file_too_large_is_refused(mw: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.asset_upload(
            actor=mw.w.officer_a,
            activity=mw.page,
            role=AssetRole.ATTACHMENT,
            uploaded_file=_file("lon.pdf", media.pdf() + b" " * 2000),
        )
    assert refused.value.code == "too_large"


def test_hostile_names_are_cleaned() -> None:
    assert validation.clean_name("../../etc/passwd", "f") == "passwd"
    assert validation.clean_name("C:\\Users\\a\\Bài 1.pdf", "f") == "Bài 1.pdf"
    assert validation.clean_name("a\x00b\u202e.pdf", "f") == "ab.pdf"
    assert validation.clean_name("...", "f") == "f"
    long = validation.clean_name("x" * 400 + ".pdf", "f")
    assert len(long) == validation.NAME_MAX and long.endswith(".pdf")


def test_a_new_file_replaces_the_old_one(mw: Any) -> None:
    services.asset_upload(
        actor=mw.w.officer_a,
        activity=mw.file,
        role=AssetRole.FILE,
        uploaded_file=_file("moi.pdf", media.pdf("moi")),
    )
    assert list(Asset.objects.filter(activity=mw.file).values_list("name", flat=True)) == [
        "moi.pdf"
    ]


# --- videos ------------------------------------------------------------------------------------


def test_the_demo_video_is_stored_with_its_duration(mw: Any) -> None:
    video = Video.objects.get(activity=mw.video)
    assert video.content_type == "video/mp4"
    assert video.duration == 24.0
    assert video.size == len(media.mp4())
    assert video.low_state == Rendition.NONE  # transcoding is off in these tests


def test_a_webm_is_accepted_with_its_duration(mw: Any) -> None:
    video = services.video_upload(
        actor=mw.w.officer_a, activity=mw.video, uploaded_file=_file("bai.webm", media.webm(12.5))
    )
    assert (video.content_type, video.duration) == ("video/webm", 12.5)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bai.mp4", media.mov()),  # QuickTime renamed .mp4
        ("bai.mp4", media.pdf()),
        ("bai.webm", b"\x1a\x45\xdf\xa3" + b"matroska" + b"\x00" * 40),  # mkv, not webm
        ("bai.mp4", b"<html>" + b"\x00" * 100),
    ],
)
def test_anything_else_is_not_a_video(mw: Any, name: str, content: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        services.video_upload(
            actor=mw.w.officer_a, activity=mw.video, uploaded_file=_file(name, content)
        )
    assert refused.value.code == "unsupported"
    assert Video.objects.get(activity=mw.video).name == "gvpt06-gioi-thieu.mp4"


def test_a_video_without_a_duration_needs_one(mw: Any) -> None:
    broken = media.webm()[:40]  # the header only: no Info
    with pytest.raises(ValidationError) as refused:
        services.video_upload(
            actor=mw.w.officer_a, activity=mw.video, uploaded_file=_file("a.webm", broken)
        )
    assert refused.value.code == "duration"
    for nonsense in ("abc", "-5", "999999"):
        with pytest.raises(ValidationError):
            services.video_upload(
                actor=mw.w.officer_a,
                activity=mw.video,
                uploaded_file=_file("a.webm", broken),
                duration=nonsense,
            )
    video = services.video_upload(
        actor=mw.w.officer_a,
        activity=mw.video,
        uploaded_file=_file("a.webm", broken),
        duration="65,5",
    )
    assert video.duration == 65.5


@override_settings(MATERIALS_VIDEO_MAX_BYTES=1000)
def test_a_video_too_large_is_refused(mw: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.video_upload(
            actor=mw.w.officer_a, activity=mw.video, uploaded_file=_file("a.mp4", media.mp4())
        )
    assert refused.value.code == "too_large"


def _report(mw: Any, position: Any, intervals: Any) -> services.Watched:
    with actor_scope(mw.w.teacher_a1):  # as in the learner's request
        return services.video_progress(
            enrolment=mw.lw.enrolment,
            activity=mw.video,
            video=Video.objects.get(activity=mw.video),
            position=position,
            intervals=intervals,
        )


def _row(mw: Any) -> ActivityProgress:
    with system_scope():
        return ActivityProgress.objects.get(enrolment=mw.lw.enrolment, activity=mw.video)


def test_progress_merges_resumes_and_completes(mw: Any) -> None:
    # 24-second video, default minimum 90 % (21.6 s).
    watched = _report(mw, 6, [[0, 6]])
    assert (watched.state, watched.percent) == ("started", 25)
    assert _row(mw).data == {
        "position": 6.0,
        "intervals": [[0.0, 6.0]],
        "watched": 0.25,
        "duration": 24.0,
    }
    # Seeking ahead to 18 and watching to 20: 6 + 2 = 8 s.
    watched = _report(mw, 20, [[0, 6], [18, 20]])
    assert watched.percent == 33
    assert _row(mw).data["position"] == 20.0  # where the learner resumes
    # The same report again: nothing changes (idempotent), not even the row's time.
    before = _row(mw).updated_at
    assert _report(mw, 20, [[0, 6], [18, 20]]).percent == 33
    assert _row(mw).updated_at == before
    # A report that lost the first part (another device): the union is kept.
    assert _report(mw, 12, [[6, 12]]).percent == 58  # 0-12 and 18-20: 14 s
    watched = _report(mw, 24, [[12, 18], [20, 23.6]])  # 0-23.6: 98 %
    assert (watched.state, watched.percent) == ("complete", 98)
    with system_scope():
        again = services.video_watched(
            enrolment=mw.lw.enrolment, activity=mw.video, video=mw.video.video
        )
    assert again.position == 24.0
    # Watching again from the start does not undo it.
    assert _report(mw, 1, [[0, 1]]).state == "complete"


def test_the_activity_minimum_share(mw: Any) -> None:
    mw.video.options = {"min_watch": 0.5}
    mw.video.save()
    assert _report(mw, 11, [[0, 11]]).state == "started"  # 45.8 %
    assert _report(mw, 12, [[11, 12]]).state == "complete"  # 50 %


def test_completing_the_only_required_activity_credits_the_course(mw: Any) -> None:
    with system_scope():
        for other in (mw.page, mw.file):
            other.required = False
            other.save()
    _report(mw, 24, [[0, 24]])
    with system_scope():
        enrolment = Enrolment.objects.get(pk=mw.lw.enrolment.pk)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.done_count == 1


@pytest.mark.parametrize(
    ("position", "intervals"), [(-1, []), (30, []), (5, [[0, 40]]), ("x", []), (5, [[5, 1]])]
)
def test_nonsense_progress_writes_nothing(mw: Any, position: Any, intervals: Any) -> None:
    with pytest.raises(ValidationError):
        _report(mw, position, intervals)
    with system_scope():
        assert not ActivityProgress.objects.filter(activity=mw.video).exists()


def test_page_viewed_and_file_downloaded_are_done(mw: Any) -> None:
    with actor_scope(mw.w.teacher_a1):
        _viewed_and_downloaded(mw)


def _viewed_and_downloaded(mw: Any) -> None:
    assert services.page_viewed(enrolment=mw.lw.enrolment, activity=mw.page).state == "complete"
    assert services.file_downloaded(enrolment=mw.lw.enrolment, activity=mw.file).state == "complete"


# --- packages ------------------------------------------------------------------------------------


def test_the_kinds_are_registered_with_their_package_hooks() -> None:
    for kind in ("page", "video", "file"):
        found = kinds.get(kind)
        assert found is not None and found.exporter and found.importer and found.manage_url


def test_a_page_travels_with_its_images(mw: Any) -> None:
    image = services.asset_upload(
        actor=None,
        activity=mw.page,
        role=AssetRole.IMAGE,
        uploaded_file=_file("so-do.png", media.png()),
    )
    services.page_save(
        actor=None,
        activity=mw.page,
        body=f'<p>Sơ đồ:</p><img src="/learn/material-file/{image.pk}/" alt="Sơ đồ">',
    )
    data, files = kinds.get("page").exporter(mw.page)  # type: ignore[union-attr,misc]
    assert "asset:a1" in data["body"] and files == {"a1": media.png()}
    target = mw.lw.activity("page", "Bản sao")
    kinds.get("page").importer(target, data, files)  # type: ignore[union-attr,misc]
    copy = Asset.objects.get(activity=target)
    assert f'src="/learn/material-file/{copy.pk}/"' in Page.objects.get(activity=target).body


def test_a_video_and_a_file_travel(mw: Any) -> None:
    for kind, source in (("video", mw.video), ("file", mw.file)):
        hooks = kinds.get(kind)
        assert hooks is not None and hooks.exporter and hooks.importer
        data, files = hooks.exporter(source)
        target = mw.lw.activity(kind, "Bản sao")
        hooks.importer(target, data, files)
    assert Video.objects.get(activity__title="Bản sao").duration == 24.0
    assert Asset.objects.get(activity__title="Bản sao").content_type == "application/pdf"


def test_an_imported_package_is_checked_again(mw: Any) -> None:
    target = mw.lw.activity("file", "Bản sao")
    with pytest.raises(ValidationError):
        kinds.get("file").importer(target, {"name": "a.pdf"}, {"file": b"<script>"})  # type: ignore[union-attr,misc]


# --- the low-bitrate copy ------------------------------------------------------------------------


def test_the_ffmpeg_command() -> None:
    cmd = transcode.command("/usr/bin/ffmpeg", "/tmp/in", "/tmp/out.mp4")
    assert cmd[0] == "/usr/bin/ffmpeg" and cmd[-1] == "/tmp/out.mp4"
    assert cmd[cmd.index("-i") + 1] == "/tmp/in"
    assert cmd[cmd.index("-b:v") + 1] == "300k"
    assert "scale=-2:'min(360,ih)'" in cmd
    assert "+faststart" in cmd and "-nostdin" in cmd


def test_without_ffmpeg_nothing_is_made(mw: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with override_settings(MATERIALS_TRANSCODE=True):
        assert not transcode.available()
        video = services.video_upload(
            actor=mw.w.officer_a, activity=mw.video, uploaded_file=_file("a.mp4", media.mp4())
        )
        assert video.low_state == Rendition.NONE
        assert transcode.make_low(video.pk) == ""
    page = mw.w.client_for(mw.w.officer_a).get(f"/learn/video/{mw.video.pk}/manage/")
    assert "ffmpeg" in page.content.decode()


def test_with_ffmpeg_the_upload_asks_for_a_copy(
    mw: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    asked: list[int] = []
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/ffmpeg")
    monkeypatch.setattr(transcode, "enqueue", asked.append)
    with (
        override_settings(MATERIALS_TRANSCODE=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        video = services.video_upload(
            actor=mw.w.officer_a, activity=mw.video, uploaded_file=_file("a.mp4", media.mp4())
        )
    assert video.low_state == Rendition.QUEUED
    assert asked == [video.pk]


def test_a_failing_ffmpeg_marks_the_copy_failed(mw: Any, monkeypatch: Any, tmp_path: Any) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake))
    with override_settings(MATERIALS_TRANSCODE=True):
        assert transcode.make_low(mw.video.video.pk) == Rendition.FAILED
    assert Video.objects.get(activity=mw.video).low_state == Rendition.FAILED


def test_the_real_ffmpeg_makes_a_low_copy(mw: Any, capsys: Any) -> None:
    """Runs ffmpeg for real when it is installed (it says so); skipped, with the reason,
    otherwise."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed on this machine: the real transcoding is not run")
    # Said on the terminal whatever the capture, so nobody mistakes it for a mocked run.
    with capsys.disabled():
        print(f"\n[materials] running the real ffmpeg ({shutil.which('ffmpeg')})")
    with override_settings(MATERIALS_TRANSCODE=True):
        assert transcode.make_low(mw.video.video.pk) == Rendition.DONE
    video = Video.objects.get(activity=mw.video)
    assert video.low_state == Rendition.DONE and video.low_size > 0
    low = video.low.read()
    kind = validation.sniff_video(io.BytesIO(low))
    assert kind == validation.MP4
    assert validation.video_duration(io.BytesIO(low), kind) == pytest.approx(24, abs=0.5)
    # About 300 kbit/s of video and 48 of sound, whatever the original's rate.
    assert Decimal(video.low_size * 8) / Decimal(video.duration) < 450_000


# --- stored files follow their rows ---------------------------------------------------------------


def test_files_are_removed_after_their_rows(
    mw: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    root = Path(settings.MEDIA_ROOT)
    video = Video.objects.get(activity=mw.video)
    asset = Asset.objects.get(activity=mw.file)
    paths = [root / video.file.name, root / asset.file.name]
    assert all(p.exists() for p in paths)
    replaced = root / asset.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_upload(
            actor=mw.w.officer_a,
            activity=mw.file,
            role=AssetRole.FILE,
            uploaded_file=_file("moi.pdf", media.pdf("moi")),
        )
    assert not replaced.exists()
    with django_capture_on_commit_callbacks(execute=True), system_scope():
        mw.lw.course.delete()  # the course, its activities, their materials
    assert not (root / video.file.name).exists()
    assert not any(p.is_file() for p in (root / "materials").rglob("*"))
