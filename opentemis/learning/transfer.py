"""A whole module as a package (issue 13 item 2): the ministry prepares a course once and every
province loads it as its own.

The package is a zip: ``module.json`` (the format, the course's settings, its sections and
activities with their options and prerequisites, and each activity's own data given by its
kind's ``exporter``, ``learning.kinds``) and ``files/<activity key>/<name>`` for the files an
exporter gave (a video, a SCORM package, a page's images). Importing checks the zip as every
upload is checked (size, number of entries, expansion, names), creates a new course being
prepared in the importing unit, then lets each kind's ``importer`` rebuild its rows. All in one
transaction: a bad package leaves nothing behind.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.learning import kinds, services
from opentemis.learning.models import Activity, Course
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.training.models import Module

FORMAT = "opentemis-module"
VERSION = 1
MAX_PACKAGE = 500 * 1024 * 1024  # bytes, compressed
MAX_EXPANDED = 1024 * 1024 * 1024  # bytes, once unpacked
MAX_ENTRIES = 5000
MAX_RATIO = 200  # an entry expanding more than this is a zip bomb


def export_course(course: Course) -> bytes:
    """The course as a module package (bytes of a zip)."""
    activities = list(
        Activity.objects.filter(course=course)
        .select_related("section")
        .prefetch_related("prerequisites")
        .order_by("section__position", "position", "pk")
    )
    keys = {a.pk: f"a{n}" for n, a in enumerate(activities, start=1)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        sections = []
        for section in course.sections.all():
            lines = []
            for a in (a for a in activities if a.section_id == section.pk):
                found = kinds.get(a.kind)
                data: dict[str, Any] = {}
                files: dict[str, bytes] = {}
                if found and found.exporter:
                    data, files = found.exporter(a)
                for name, content in files.items():
                    archive.writestr(f"files/{keys[a.pk]}/{_safe_name(name)}", content)
                lines.append(
                    {
                        "key": keys[a.pk],
                        "kind": a.kind,
                        "title": a.title,
                        "required": a.required,
                        "pass_required": a.pass_required,
                        "options": a.options,
                        "after": [keys[p.pk] for p in a.prerequisites.all() if p.pk in keys],
                        "data": data,
                        "files": sorted(_safe_name(n) for n in files),
                    }
                )
            sections.append(
                {"title": section.title, "summary": section.summary, "activities": lines}
            )
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "course": {
                "code": course.code,
                "title": course.title,
                "summary": course.summary,
                "programme": course.programme,
                "hours": str(course.hours),
                "module": course.module.code if course.module else "",
                "completion_rule": course.completion_rule,
            },
            "sections": sections,
        }
        archive.writestr("module.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def _safe_name(name: str) -> str:
    clean = str(name).replace("\\", "/").split("/")[-1].strip()
    if not clean or clean in {".", ".."}:
        raise ValueError(f"bad file name {name!r}")
    return clean[:200]


def read_package(upload: IO[bytes]) -> tuple[dict[str, Any], dict[str, dict[str, bytes]]]:
    """The manifest and each activity's files from an uploaded package; a clear error for a
    package that is not one of ours or that could harm the server."""
    bad = ValidationError(_("This file is not a module package."))
    try:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    except (AttributeError, OSError):
        raise bad from None
    if size > MAX_PACKAGE:
        raise ValidationError(_("The package is too large."))
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise bad from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ValidationError(_("The package holds too many files."))
        if sum(i.file_size for i in infos) > MAX_EXPANDED:
            raise ValidationError(_("The package expands to too much data."))
        files: dict[str, dict[str, bytes]] = {}
        manifest: Any = None
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise ValidationError(_("The package expands to too much data."))
            parts = name.split("/")
            if name.startswith("/") or "\\" in name or ".." in parts:
                raise ValidationError(_("The package holds a file with a forbidden name."))
            if name == "module.json":
                try:
                    manifest = json.loads(archive.read(info).decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    raise bad from None
            elif len(parts) == 3 and parts[0] == "files":
                files.setdefault(parts[1], {})[parts[2]] = archive.read(info)
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("course"), dict)
        or not isinstance(manifest.get("sections"), list)
    ):
        raise bad
    if manifest.get("version") != VERSION:
        raise ValidationError(_("This package was made by another version of the format."))
    return manifest, files


@transaction.atomic
def import_course(
    *,
    actor: User | None,
    unit: Unit,
    school_year: SchoolYear,
    upload: IO[bytes],
    code: str | None = None,
) -> Course:
    """A new course being prepared in ``unit`` from a module package."""
    manifest, files = read_package(upload)
    meta: Mapping[str, Any] = manifest["course"]
    module = (
        Module.objects.filter(catalogue__school_year=school_year, code=meta.get("module"))
        .order_by("-catalogue__version")
        .first()
        if meta.get("module")
        else None
    )
    course = services.course_create(
        actor=actor,
        unit=unit,
        school_year=school_year,
        title=meta.get("title"),
        code=code or meta.get("code"),
        programme=meta.get("programme", "03"),
        hours=meta.get("hours"),
        module=module,
        summary=str(meta.get("summary") or ""),
        completion_rule=meta.get("completion_rule"),
    )
    created: dict[str, Activity] = {}
    pending: list[tuple[Activity, list[str]]] = []
    for raw_section in manifest["sections"]:
        if not isinstance(raw_section, dict):
            raise ValidationError(_("This file is not a module package."))
        section = services.section_add(
            actor=actor,
            course=course,
            title=raw_section.get("title"),
            summary=str(raw_section.get("summary") or ""),
        )
        for raw in raw_section.get("activities") or []:
            if not isinstance(raw, dict):
                raise ValidationError(_("This file is not a module package."))
            activity = services.activity_add(
                actor=actor,
                section=section,
                kind=str(raw.get("kind")),
                title=raw.get("title"),
                required=bool(raw.get("required", True)),
                pass_required=bool(raw.get("pass_required", False)),
                options=raw.get("options") if isinstance(raw.get("options"), dict) else {},
            )
            key = str(raw.get("key"))
            created[key] = activity
            pending.append((activity, [str(k) for k in raw.get("after") or []]))
            found = kinds.get(activity.kind)
            if found and found.importer:
                found.importer(activity, raw.get("data") or {}, files.get(key, {}))
    for activity, after in pending:
        if after:
            activity.prerequisites.set([created[k] for k in after if k in created])
    return course
