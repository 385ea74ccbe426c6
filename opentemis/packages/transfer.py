"""How a module package (``learning.transfer``) carries a SCORM or H5P activity: the zip as it
was uploaded goes out as a file and is uploaded again, judged like any upload, on the
importing course's activity (``learning.kinds`` exporter/importer hooks)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opentemis.learning.models import Activity
from opentemis.packages import services
from opentemis.packages.models import Package

FILE = "package.zip"


def export_package(activity: Activity) -> tuple[dict[str, Any], dict[str, bytes]]:
    package = Package.objects.filter(activity=activity).first()
    if package is None:
        return {}, {}
    data = {
        "standard": package.standard,
        "title": package.title,
        "launch": package.launch,
        "sha256": package.sha256,
        "name": package.original_name,
    }
    return data, {FILE: services.source_bytes(package)}


def import_package(activity: Activity, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    content = files.get(FILE)
    if content is None:
        return  # exported before any package was uploaded
    if not isinstance(content, bytes | bytearray):
        raise ValidationError(_("The module package's SCORM/H5P file is damaged."))
    services.package_upload(
        actor=None,
        activity=activity,
        upload=io.BytesIO(content),
        size=len(content),
        name=str(data.get("name") or FILE),
    )
