"""Course materials (issue 13 item 2; decision 0019): a page of rich text, a video, a file to
download. Each is one-to-one with a ``learning.Activity`` of kind "page", "video" or "file";
a page's images and attachments and a file activity's file are :class:`Asset` rows.

Files go to the default storage (a local folder by default, S3 in production) under names that
say nothing about the course or the person (``materials/<activity>/<random>``). Nothing here
belongs to a learner: what a learner did is ``learning.ActivityProgress`` (its ``data`` holds a
video's position and watched intervals), so these models are read through ``learning.access``
and carry no unit path.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.learning.models import Activity


def _asset_path(instance: Asset, filename: str) -> str:
    return f"materials/{instance.activity_id}/{secrets.token_hex(12)}"


def _video_path(instance: Video, filename: str) -> str:
    return f"materials/{instance.activity_id}/v-{secrets.token_hex(12)}"


class Page(models.Model):
    """Rich text (HTML sanitised on save: ``sanitize.clean_html``)."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="page")
    body = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"page of {self.activity_id}"


class AssetRole(models.TextChoices):
    IMAGE = "image", _("Image")
    ATTACHMENT = "attachment", _("Attachment")
    FILE = "file", _("File to download")


class Asset(models.Model):
    """An uploaded file of an activity: an image or attachment of a page, or the file of a
    file activity (one per activity: the latest upload replaces it)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="assets")
    role = models.CharField(max_length=10, choices=AssetRole.choices)
    file = models.FileField(upload_to=_asset_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "role", "id"]

    def __str__(self) -> str:
        return self.name


class Rendition(models.TextChoices):
    """The low-bitrate copy for slow connections (``transcode.py``)."""

    NONE = "", _("None")
    QUEUED = "queued", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Video(models.Model):
    """An uploaded video (mp4 or webm) and, when a transcoder is available, a low-bitrate copy.
    ``duration`` (seconds) bounds the positions a learner reports."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="video")
    file = models.FileField(upload_to=_video_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    duration = models.FloatField(_("duration (seconds)"))
    low = models.FileField(upload_to=_video_path, max_length=200, blank=True)
    low_size = models.PositiveBigIntegerField(default=0)
    low_state = models.CharField(max_length=6, choices=Rendition.choices, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"video of {self.activity_id}"
