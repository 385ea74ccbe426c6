"""Reads of the packages app: who reaches a package, what its files are served as."""

from __future__ import annotations

import posixpath
import unicodedata

from django.http import Http404

from opentemis.accounts.models import User
from opentemis.core.params import MAX_ID
from opentemis.learning import access
from opentemis.learning.models import Activity, Enrolment
from opentemis.packages.models import Package, Runtime

#: What a package's files are served as, by extension; anything else is saved, not shown.
CONTENT_TYPES = {
    "html": "text/html",
    "htm": "text/html",
    "js": "text/javascript",
    "mjs": "text/javascript",
    "css": "text/css",
    "json": "application/json",
    "xml": "application/xml",
    "xsd": "application/xml",
    "txt": "text/plain",
    "vtt": "text/vtt",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "ico": "image/x-icon",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "pdf": "application/pdf",
}
HTML_TYPES = frozenset({"text/html"})


def content_type_for(name: str) -> str:
    extension = posixpath.splitext(name)[1].lower().lstrip(".")
    return CONTENT_TYPES.get(extension, "application/octet-stream")


def learner_package(actor: User, pk: int) -> tuple[Activity, Enrolment, Package | None]:
    """The SCORM or H5P activity ``pk``, the actor's enrolment and its package (None: not
    uploaded yet); 404 if they are not enrolled or it is another kind."""
    activity, enrolment = access.learner_activity(actor, pk)
    if activity.kind not in ("scorm", "h5p"):
        raise Http404
    return activity, enrolment, Package.objects.filter(activity=activity).first()


def managed_package(actor: User, pk: int) -> tuple[Activity, Package | None]:
    """The SCORM or H5P activity ``pk`` and its package if ``actor`` manages its course."""
    activity = access.managed_activity(actor, pk)
    if activity.kind not in ("scorm", "h5p"):
        raise Http404
    return activity, Package.objects.filter(activity=activity).first()


def readable_package(actor: User, pk: int) -> Package:
    """The package of activity ``pk`` for its files: an enrolled learner or an officer who
    manages the course (previewing it); 404 for anyone else, or before an upload."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    package = Package.objects.filter(activity_id=pk).select_related("activity__course").first()
    if package is None:
        raise Http404
    course = package.activity.course
    if access.own_enrolment(actor, course.pk) is None and not access.manages_course(actor, course):
        raise Http404
    return package


def package_file(package: Package, path: str) -> str:
    """The stored name of ``path`` in the package (404 for a name it does not hold)."""
    name = unicodedata.normalize("NFC", path)
    if len(name) > 1000 or name not in package.files:
        raise Http404
    return name


def runtime_of(enrolment: Enrolment, package: Package) -> Runtime | None:
    return Runtime.objects.filter(enrolment=enrolment, package=package).first()
