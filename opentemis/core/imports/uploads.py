"""Keeping a checked upload server-side between the preview and the confirmation.

The file is saved in the default storage under a random name and identified by its SHA-256:
the confirmation reads it back, checks the hash and runs the whole import again from those
bytes. Nothing of the data travels through the browser between the two steps. Every import's
pending files share one folder (:data:`PREFIX`), swept by ``opentemis.core.cleanup``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

PREFIX = "imports"
# An upload nobody confirmed is deleted the next time anyone uploads, after this long.
KEEP_FOR = dt.timedelta(hours=24)


@dataclass(frozen=True)
class StoredUpload:
    """Where a pending upload is kept, and how to know it is the one checked."""

    name: str  # the storage name (random)
    sha256: str
    original: str  # the user's file name, for the audit log

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> StoredUpload | None:
        try:
            upload = cls(
                name=str(data["name"]), sha256=str(data["sha256"]), original=data["original"]
            )
        except (KeyError, TypeError):
            return None
        return upload if upload.name.startswith(f"{PREFIX}/") else None


def _read(file: Any) -> bytes:
    file.seek(0)
    content = file.read(settings.IMPORT_MAX_BYTES + 1)
    file.seek(0)
    return bytes(content)


def upload_store(file: Any) -> StoredUpload:
    """Save ``file`` (already checked) under a random name; returns how to find it again."""
    _sweep()
    content = _read(file)
    name = default_storage.save(f"{PREFIX}/{secrets.token_hex(16)}.upload", ContentFile(content))
    return StoredUpload(
        name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        original=str(getattr(file, "name", "") or "")[-200:],
    )


def upload_read(upload: StoredUpload) -> bytes | None:
    """The stored bytes, or None if the file is gone or does not match its hash."""
    try:
        with default_storage.open(upload.name, "rb") as stream:
            content = stream.read(settings.IMPORT_MAX_BYTES + 1)
    except (FileNotFoundError, OSError):
        return None
    if hashlib.sha256(content).hexdigest() != upload.sha256:
        logger.warning("Stored upload %s does not match its hash", upload.name)
        return None
    return bytes(content)


def upload_discard(upload: StoredUpload) -> None:
    try:
        default_storage.delete(upload.name)
    except OSError:
        logger.info("Could not delete the stored upload %s", upload.name, exc_info=True)


def _sweep() -> None:
    """Delete uploads older than :data:`KEEP_FOR` (previews that were never confirmed)."""
    limit = timezone.now() - KEEP_FOR
    try:
        _dirs, files = default_storage.listdir(PREFIX)
        for file_name in files:
            name = f"{PREFIX}/{file_name}"
            if default_storage.get_modified_time(name) < limit:
                default_storage.delete(name)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
