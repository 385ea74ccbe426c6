"""A low-bitrate copy of a video for slow connections ("chất lượng thấp"), made in the
background when ``ffmpeg`` is installed (found on ``PATH`` with ``shutil.which``).

The copy is an MP4 of at most 360 lines at about 300 kbit/s (H.264, mono AAC at 48 kbit/s,
``+faststart`` so it plays while loading): a 10-minute lecture is about 25 MB instead of the
hundreds of the original. Without ffmpeg nothing is made, and the builder page says so; the
setting ``MATERIALS_TRANSCODE = False`` turns it off. The work runs as a Django task
(``tasks.low_rendition``, the database queue of ``manage.py db_worker``); the source is copied to
a temporary file first, so it works the same with S3.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File

from opentemis.materials.models import Rendition, Video

HEIGHT = 360
VIDEO_BITRATE = "300k"
AUDIO_BITRATE = "48k"


def binary() -> str | None:
    """The ffmpeg to run, or ``None`` when there is none (or transcoding is turned off)."""
    if not getattr(settings, "MATERIALS_TRANSCODE", True):
        return None
    return shutil.which("ffmpeg")


def available() -> bool:
    return binary() is not None


def command(ffmpeg: str, source: str, target: str) -> list[str]:
    """The ffmpeg command making the low-bitrate copy of ``source`` at ``target``. The
    height is at most 360 (never enlarged), the width keeps the ratio (even, as H.264 needs)."""
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        source,
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-vf",
        f"scale=-2:'min({HEIGHT},ih)'",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-profile:v",
        "main",
        "-pix_fmt",
        "yuv420p",
        "-b:v",
        VIDEO_BITRATE,
        "-maxrate",
        "350k",
        "-bufsize",
        "700k",
        "-c:a",
        "aac",
        "-ac",
        "1",
        "-b:a",
        AUDIO_BITRATE,
        "-movflags",
        "+faststart",
        target,
    ]


def enqueue(video_id: int) -> None:
    """Ask the background worker for the copy of video ``video_id``."""
    # Local: tasks.py imports this module at load time.
    from opentemis.materials.tasks import low_rendition

    low_rendition.enqueue(video_id)


def make_low(video_id: int) -> str:
    """Make and store the copy of video ``video_id``; returns its state ("done", "failed",
    or "" when there is no ffmpeg or the video is gone)."""
    video = Video.objects.filter(pk=video_id).first()
    ffmpeg = binary()
    if video is None or not video.file:
        return ""
    if ffmpeg is None:
        Video.objects.filter(pk=video_id).update(low_state=Rendition.NONE)
        return ""
    source_name = video.file.name or ""
    timeout = float(getattr(settings, "MATERIALS_TRANSCODE_TIMEOUT", 3 * 3600))
    with tempfile.TemporaryDirectory(prefix="opentemis-video-") as folder:
        source = Path(folder) / "source"
        target = Path(folder) / "low.mp4"
        with video.file.storage.open(source_name, "rb") as stored, source.open("wb") as copy:
            shutil.copyfileobj(stored, copy, 1024 * 1024)
        try:
            subprocess.run(  # noqa: S603 - a fixed argument list, no shell
                command(ffmpeg, str(source), str(target)),
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
            Video.objects.filter(pk=video_id, file=source_name).update(low_state=Rendition.FAILED)
            return Rendition.FAILED
        with target.open("rb") as made:
            name = video.file.storage.save(f"materials/{video.activity_id}/low.mp4", File(made))
        size = target.stat().st_size
    # The officer may have replaced the video meanwhile: keep the copy only if it is still its.
    updated = Video.objects.filter(pk=video_id, file=source_name).update(
        low=name, low_size=size, low_state=Rendition.DONE
    )
    if not updated:
        video.file.storage.delete(name)
        return ""
    return Rendition.DONE
