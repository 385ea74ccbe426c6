"""Module packages (``learning.kinds``: ``exporter`` / ``importer``): how a page, a video or a
file travels from the course that prepared it to another one.

* A page: its HTML, with the links to its own images and attachments written as
  ``asset:<key>``, and those files by key; the importer stores the files again (checked like
  any upload), points the links at the new copies and saves the HTML (cleaned again).
* A video: its file, name and duration (the low-bitrate copy is made again where ffmpeg is).
* A file: its file and name.

Importers run without an actor (the package's import checked who imports); every file is
checked again, as if uploaded: a package is outside data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse

from opentemis.learning.models import Activity
from opentemis.materials import services
from opentemis.materials.models import Asset, AssetRole, Page, Video

_ASSET_URL = re.compile(r"/learn/material-file/(\d+)/")
_PLACEHOLDER = re.compile(r"asset:(a\d+)")


def _read(field: Any) -> bytes:
    with field.storage.open(field.name, "rb") as stored:
        return bytes(stored.read())


def export_page(activity: Activity) -> tuple[dict[str, Any], dict[str, bytes]]:
    page = Page.objects.filter(activity=activity).first()
    assets = list(Asset.objects.filter(activity=activity).order_by("id"))
    keys = {a.pk: f"a{n}" for n, a in enumerate(assets, 1)}

    def placeholder(match: re.Match[str]) -> str:
        key = keys.get(int(match.group(1)))
        return f"asset:{key}" if key else match.group(0)

    body = _ASSET_URL.sub(placeholder, page.body if page else "")
    data = {
        "body": body,
        "assets": [{"key": keys[a.pk], "role": a.role, "name": a.name} for a in assets],
    }
    return data, {keys[a.pk]: _read(a.file) for a in assets}


def import_page(activity: Activity, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    urls: dict[str, str] = {}
    for item in data.get("assets") or []:
        key, role = str(item.get("key", "")), str(item.get("role", ""))
        if key not in files or role not in (AssetRole.IMAGE, AssetRole.ATTACHMENT):
            continue
        asset = services.asset_upload(
            actor=None,
            activity=activity,
            role=role,
            uploaded_file=ContentFile(files[key], name=str(item.get("name") or key)),
        )
        urls[key] = reverse("materials_asset", args=[asset.pk])
    body = _PLACEHOLDER.sub(lambda m: urls.get(m.group(1), ""), str(data.get("body") or ""))
    services.page_save(actor=None, activity=activity, body=body)


def export_video(activity: Activity) -> tuple[dict[str, Any], dict[str, bytes]]:
    video = Video.objects.filter(activity=activity).first()
    if video is None:
        return {}, {}
    data = {"name": video.name, "duration": video.duration, "content_type": video.content_type}
    return data, {"video": _read(video.file)}


def import_video(activity: Activity, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    if "video" not in files:
        return
    services.video_upload(
        actor=None,
        activity=activity,
        uploaded_file=ContentFile(files["video"], name=str(data.get("name") or "video")),
        duration=data.get("duration"),
    )


def export_file(activity: Activity) -> tuple[dict[str, Any], dict[str, bytes]]:
    asset = Asset.objects.filter(activity=activity, role=AssetRole.FILE).order_by("id").last()
    if asset is None:
        return {}, {}
    return {"name": asset.name}, {"file": _read(asset.file)}


def import_file(activity: Activity, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    if "file" not in files:
        return
    services.asset_upload(
        actor=None,
        activity=activity,
        role=AssetRole.FILE,
        uploaded_file=ContentFile(files["file"], name=str(data.get("name") or "file")),
    )
