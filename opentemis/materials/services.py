"""Writes of the materials app (issue 13 item 2): keyword-only, atomic, audited where an
officer acts.

* Building (officers who manage the course, ``learning.access``): a page's text
  (:func:`page_save`, sanitised), its images and attachments and a file activity's file
  (:func:`asset_upload`, checked by content), a video (:func:`video_upload`: MP4 or WebM, its
  duration read from the container; a low-bitrate copy is then made in the background when
  ffmpeg is installed, ``transcode.py``).
* Learning (the learner's own enrolment): a page seen or a file downloaded is done
  (:func:`page_viewed`, :func:`file_downloaded`); a video's progress (:func:`video_progress`)
  keeps the union of the intervals watched and the position, and is done when the watched
  share reaches the activity's minimum (``watching.py``). All report through
  ``learning.services.progress_record``.

Files replaced or deleted are removed from storage after the commit (never before: a rolled
back change keeps its file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.learning.access import manages_course
from opentemis.learning.models import Activity, ActivityProgress, Enrolment, ProgressState
from opentemis.learning.services import NotAllowed, progress_record
from opentemis.materials import sanitize, transcode, validation, watching
from opentemis.materials.models import Asset, AssetRole, Page, Rendition, Video
from opentemis.materials.validation import Checked


def _require_manager(actor: User | None, activity: Activity) -> None:
    if actor is not None and not manages_course(actor, activity.course):
        raise NotAllowed(_("You may not change this course."))


def _require_kind(activity: Activity, *kinds: str) -> None:
    if activity.kind not in kinds:
        raise ValueError(f"activity {activity.pk} is a {activity.kind}, not {kinds}")


def _delete_later(*names: str | None, storage: Any) -> None:
    kept = tuple(n for n in names if n)
    if kept:
        transaction.on_commit(lambda: [storage.delete(n) for n in kept])


def _measure(uploaded_file: File[bytes], limit: int) -> int:
    """The file's real size, read chunk by chunk (the declared one may lie), refused over
    ``limit`` as soon as it passes it."""
    validation.check_size(uploaded_file.size, limit)
    size = 0
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            validation.check_size(size, limit)
    uploaded_file.seek(0)
    validation.check_size(size, limit)
    return size


# --- pages -----------------------------------------------------------------------------------


@transaction.atomic
def page_save(*, actor: User | None, activity: Activity, body: Any) -> Page:
    """Set a page's text (its HTML cleaned, ``sanitize.py``)."""
    _require_kind(activity, "page")
    _require_manager(actor, activity)
    if len(str(body or "")) > sanitize.MAX_CHARS:
        raise ValidationError(
            _("The text is too long (at most %(n)s characters).") % {"n": sanitize.MAX_CHARS}
        )
    page, _created = Page.objects.select_for_update().get_or_create(activity=activity)
    page.body = sanitize.clean_html(str(body or ""))
    page.save()
    audit(
        actor=actor,
        action="materials.page_save",
        obj=activity,
        unit_id=activity.course.unit_id,
        changes={"characters": len(page.body)},
    )
    return page


def check_upload(uploaded_file: File[bytes], role: str) -> Checked:
    """An image, an attachment or a file to download, checked by size and content."""
    name = validation.clean_name(uploaded_file.name, _("file"))
    size = _measure(uploaded_file, validation.file_max_bytes())
    if role == AssetRole.IMAGE:
        kind = validation.sniff_image(uploaded_file)
    else:
        kind = validation.sniff_document(uploaded_file, name)
    return Checked(kind=kind, name=name, size=size)


@transaction.atomic
def asset_upload(
    *, actor: User | None, activity: Activity, role: str, uploaded_file: File[bytes]
) -> Asset:
    """Store an image or attachment of a page, or the file of a file activity (replacing the
    one it had)."""
    if role not in AssetRole.values:
        raise ValidationError(_("Unknown kind of file."))
    _require_kind(activity, "file" if role == AssetRole.FILE else "page")
    _require_manager(actor, activity)
    checked = check_upload(uploaded_file, role)
    asset = _asset_store(activity, role, uploaded_file, checked)
    audit(
        actor=actor,
        action="materials.asset_upload",
        obj=activity,
        unit_id=activity.course.unit_id,
        changes={"name": asset.name, "size": asset.size},
    )
    return asset


def _asset_store(activity: Activity, role: str, content: File[bytes], checked: Checked) -> Asset:
    old: list[Asset] = []
    if role == AssetRole.FILE:
        old = list(Asset.objects.select_for_update().filter(activity=activity, role=role))
    asset = Asset(
        activity=activity,
        role=role,
        name=checked.name,
        content_type=checked.kind.content_type,
        size=checked.size,
    )
    asset.file.save(checked.name, content, save=False)
    asset.save()
    for previous in old:
        previous.delete()  # its file goes after the commit (signals.py)
    return asset


@transaction.atomic
def asset_delete(*, actor: User | None, asset: Asset) -> None:
    activity = asset.activity
    _require_manager(actor, activity)
    audit(
        actor=actor,
        action="materials.asset_delete",
        obj=activity,
        unit_id=activity.course.unit_id,
        changes={"name": asset.name},
    )
    asset.delete()  # its file goes after the commit (signals.py)


# --- videos ----------------------------------------------------------------------------------


def check_video(uploaded_file: File[bytes], duration: Any = None) -> tuple[Checked, float]:
    """An MP4 or WebM within the size limit, and its duration: the container's, else the one
    the officer typed (a WebM recorded in a browser often says none)."""
    name = validation.clean_name(uploaded_file.name, "video")
    size = _measure(uploaded_file, validation.video_max_bytes())
    kind = validation.sniff_video(uploaded_file)
    seconds = validation.video_duration(uploaded_file, kind)
    if seconds is None and duration not in (None, ""):
        try:
            seconds = float(str(duration).replace(",", "."))
        except ValueError:
            seconds = None
        if seconds is not None and not 0 < seconds <= 24 * 3600:
            seconds = None
        if seconds is None:
            raise ValidationError(
                _("The duration must be a number of seconds (at most 24 hours)."),
                code="duration",
            )
    if seconds is None or not 0 < seconds <= 24 * 3600:
        raise ValidationError(
            _("The video does not say how long it is. Enter its duration in seconds."),
            code="duration",
        )
    return Checked(kind=kind, name=name, size=size), round(seconds, 3)


@transaction.atomic
def video_upload(
    *,
    actor: User | None,
    activity: Activity,
    uploaded_file: File[bytes],
    duration: Any = None,
) -> Video:
    """Store the activity's video (replacing the one it had, and its low-bitrate copy), then
    ask for a low-bitrate copy when a transcoder is installed."""
    _require_kind(activity, "video")
    _require_manager(actor, activity)
    checked, seconds = check_video(uploaded_file, duration)
    video = Video.objects.select_for_update().filter(activity=activity).first()
    if video is None:
        video = Video(activity=activity)
    else:
        _delete_later(video.file.name, video.low.name, storage=video.file.storage)
    video.file.save(checked.name, uploaded_file, save=False)
    video.name = checked.name
    video.content_type = checked.kind.content_type
    video.size = checked.size
    video.duration = seconds
    video.low = ""
    video.low_size = 0
    video.low_state = Rendition.QUEUED if transcode.available() else Rendition.NONE
    video.save()
    if video.low_state == Rendition.QUEUED:
        pk = video.pk
        transaction.on_commit(lambda: transcode.enqueue(pk))
    audit(
        actor=actor,
        action="materials.video_upload",
        obj=activity,
        unit_id=activity.course.unit_id,
        changes={"size": video.size, "duration": seconds},
    )
    return video


# --- learners ----------------------------------------------------------------------------------


def page_viewed(*, enrolment: Enrolment, activity: Activity) -> ActivityProgress:
    """A learner opened the page: it is done."""
    _require_kind(activity, "page")
    return progress_record(enrolment=enrolment, activity=activity, state=ProgressState.COMPLETE)


def file_downloaded(*, enrolment: Enrolment, activity: Activity) -> ActivityProgress:
    """A learner downloaded the file: it is done."""
    _require_kind(activity, "file")
    return progress_record(enrolment=enrolment, activity=activity, state=ProgressState.COMPLETE)


@dataclass(frozen=True)
class Watched:
    """What a learner's video progress says now."""

    position: float
    share: float  # 0..1
    state: str  # "" (not started), "started" or "complete"
    duration: float

    @property
    def percent(self) -> int:
        return int(self.share * 100 + 1e-9)

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "watched": round(self.share, 4),
            "percent": self.percent,
            "state": self.state,
            "duration": self.duration,
        }


def video_watched(*, enrolment: Enrolment, activity: Activity, video: Video) -> Watched:
    """The learner's position and watched share (nothing yet: 0)."""
    row = ActivityProgress.objects.filter(enrolment=enrolment, activity=activity).first()
    if row is None:
        return Watched(position=0.0, share=0.0, state="", duration=video.duration)
    data = row.data or {}
    position = data.get("position", 0.0)
    return Watched(
        position=float(position) if isinstance(position, int | float) else 0.0,
        share=watching.share(watching.stored_intervals(data), video.duration),
        state=row.state,
        duration=video.duration,
    )


def video_progress(
    *,
    enrolment: Enrolment,
    activity: Activity,
    video: Video,
    position: Any,
    intervals: Any,
) -> Watched:
    """A player's report: the position (where to resume) and the intervals it played. The
    intervals are added to those kept (their union), so the same report twice changes nothing;
    the activity is done once the watched share reaches its minimum (``watching.min_watch``).
    Nonsense (negative, past the end, not numbers) is refused whole."""
    _require_kind(activity, "video")
    where, reported = watching.clean_report(position, intervals, video.duration)
    with transaction.atomic():
        row = (
            ActivityProgress.objects.select_for_update()
            .filter(enrolment=enrolment, activity=activity)
            .first()
        )
        kept = watching.stored_intervals(row.data) if row is not None else []
        merged = watching.merge(kept + reported)
        if len(merged) > watching.MAX_INTERVALS:
            # Absurdly scattered viewing: keep the longest parts (the share only goes down).
            merged = watching.merge(
                sorted(merged, key=lambda i: i[1] - i[0])[-watching.MAX_INTERVALS :]
            )
        share = watching.share(merged, video.duration)
        state = (
            ProgressState.COMPLETE
            if watching.is_done(share, activity.options)
            else ProgressState.STARTED
        )
        data = {
            "position": round(where, 2),
            "intervals": [[round(s, 2), round(e, 2)] for s, e in merged],
            "watched": round(share, 4),
            "duration": video.duration,
        }
        unchanged = (
            row is not None
            and row.data.get("intervals") == data["intervals"]
            and row.data.get("position") == data["position"]
            and (row.state == state or row.state == ProgressState.COMPLETE)
        )
        if unchanged and row is not None:
            # A repeated report: nothing to write (cheap, and the enrolment is not re-judged).
            return Watched(where, share, row.state, video.duration)
        saved = progress_record(enrolment=enrolment, activity=activity, state=state, data=data)
    return Watched(where, share, saved.state, video.duration)
