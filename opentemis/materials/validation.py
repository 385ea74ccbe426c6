"""What a material's upload may be, judged by its bytes (as ``evidence.validation`` does for
evidence): never by its name or the type the browser claims.

* Images of a page: JPEG, PNG or WebP (magic bytes).
* Attachments of a page and the file of a file activity: what evidence accepts (PDF, images,
  Office and OpenDocument without macros), through ``evidence.validation.sniff``.
* Videos: MP4 (an ISO ``ftyp`` box of an MP4 brand) or WebM (an EBML header whose DocType is
  ``webm``); their duration is read from the container (``mvhd`` of MP4, ``Info/Duration`` of
  WebM) without decoding anything.

Sizes: ``MATERIALS_FILE_MAX_BYTES`` (images, attachments, files; 20 MB by default) and
``MATERIALS_VIDEO_MAX_BYTES`` (500 MB by default). Every refusal is a ``ValidationError`` with a
message for the officer.
"""

from __future__ import annotations

import struct
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from opentemis.core.text import nfc
from opentemis.evidence import validation as evidence_validation
from opentemis.evidence.validation import JPEG, PNG, WEBP, FileKind

NAME_MAX = 255
IMAGE_KINDS = (JPEG, PNG, WEBP)
MP4 = FileKind("mp4", "video/mp4", "MP4")
WEBM = FileKind("webm", "video/webm", "WebM")
VIDEO_KINDS = (MP4, WEBM)
#: Hints for the file inputs' ``accept`` (the check is here).
ACCEPT_IMAGE = ".jpg,.jpeg,.png,.webp"
ACCEPT_VIDEO = ".mp4,.webm"
ACCEPT_FILE = evidence_validation.ACCEPT

# How far the container parsers look: boxes walked in an MP4, bytes read of a WebM's start.
_MAX_BOXES = 2000
_WEBM_HEAD = 256 * 1024


def file_max_bytes() -> int:
    return int(getattr(settings, "MATERIALS_FILE_MAX_BYTES", 20 * 1024 * 1024))


def video_max_bytes() -> int:
    return int(getattr(settings, "MATERIALS_VIDEO_MAX_BYTES", 500 * 1024 * 1024))


def check_size(size: int | None, limit: int) -> None:
    """Refuse an empty file or one over ``limit`` bytes."""
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; files here may be at most %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(limit)},
            code="too_large",
        )


def clean_name(name: str | None, fallback: str) -> str:
    """A file name to show and to save as: the last path part, NFC, no control characters,
    at most :data:`NAME_MAX` characters, keeping its extension."""
    base = PurePath(str(name or "").replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = nfc(base).strip(" .")
    if not base:
        return fallback
    if len(base) > NAME_MAX:
        suffix = PurePath(base).suffix[:16]
        base = base[: NAME_MAX - len(suffix)] + suffix
    return base


def sniff_image(fileobj: IO[bytes] | Any) -> FileKind:
    """JPEG, PNG or WebP by magic bytes, else ``ValidationError``."""
    kind = _guess(fileobj)
    for image in IMAGE_KINDS:
        if kind == image.content_type:
            return image
    raise ValidationError(
        _("This is not an image that can be shown. Upload a JPG, PNG or WebP image."),
        code="unsupported",
    )


def sniff_document(fileobj: IO[bytes] | Any, name: str) -> FileKind:
    """What evidence accepts (PDF, images, office documents without macros)."""
    return evidence_validation.sniff(fileobj, name)


def sniff_video(fileobj: IO[bytes] | Any) -> FileKind:
    """MP4 or WebM by their container's header, else ``ValidationError``."""
    fileobj.seek(0)
    head = fileobj.read(64)
    fileobj.seek(0)
    if len(head) >= 12 and head[4:8] == b"ftyp" and _guess(fileobj) == "video/mp4":
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return WEBM
    raise ValidationError(
        _("This is not an MP4 or WebM video. Save the video as MP4 (H.264) and upload it again."),
        code="unsupported",
    )


def _guess(fileobj: IO[bytes] | Any) -> str:
    fileobj.seek(0)
    head = fileobj.read(8192)
    fileobj.seek(0)
    guess = filetype.guess(head)
    return str(guess.mime) if guess is not None else ""


# --- durations -----------------------------------------------------------------------------


def video_duration(fileobj: IO[bytes] | Any, kind: FileKind) -> float | None:
    """The video's length in seconds from its container, or ``None`` if it does not say."""
    try:
        if kind == MP4:
            return _mp4_duration(fileobj)
        return _webm_duration(fileobj)
    except (struct.error, ValueError, OSError):
        return None
    finally:
        fileobj.seek(0)


def _mp4_duration(fileobj: IO[bytes] | Any) -> float | None:
    """``moov/mvhd``: timescale and duration (ISO/IEC 14496-12 §8.2.2)."""
    fileobj.seek(0, 2)
    end = fileobj.tell()
    moov = _find_box(fileobj, 0, end, b"moov")
    if moov is None:
        return None
    mvhd = _find_box(fileobj, moov[0], moov[1], b"mvhd")
    if mvhd is None:
        return None
    fileobj.seek(mvhd[0])
    version = fileobj.read(4)[0]
    if version == 1:
        fileobj.seek(16, 1)
        timescale, duration = struct.unpack(">IQ", fileobj.read(12))
    else:
        fileobj.seek(8, 1)
        timescale, duration = struct.unpack(">II", fileobj.read(8))
    if not timescale or not duration or duration in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return float(duration) / float(timescale)


def _find_box(
    fileobj: IO[bytes] | Any, start: int, end: int, name: bytes
) -> tuple[int, int] | None:
    """(start of its content, its end) of the first box ``name`` between ``start`` and ``end``."""
    at = start
    for _i in range(_MAX_BOXES):
        if at + 8 > end:
            return None
        fileobj.seek(at)
        size, kind = struct.unpack(">I4s", fileobj.read(8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", fileobj.read(8))
            header = 16
        elif size == 0:
            size = end - at
        if size < header:
            return None
        if kind == name:
            return at + header, min(at + size, end)
        at += size
    return None


def _vint(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``at``: (value, bytes used)."""
    first = data[at]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or at + length > len(data):
        raise ValueError("bad vint")
    value = first if keep_marker else first & (mask - 1)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


_SEGMENT, _INFO, _SCALE, _DURATION = 0x18538067, 0x1549A966, 0x2AD7B1, 0x4489
_UNKNOWN = {(1 << (7 * n)) - 1 for n in range(1, 9)}


def _webm_duration(fileobj: IO[bytes] | Any) -> float | None:
    """``Segment/Info/Duration`` times ``TimestampScale`` (ns), from the file's first bytes."""
    fileobj.seek(0)
    data = fileobj.read(_WEBM_HEAD)
    at = 0
    info: tuple[int, int] | None = None
    while at < len(data) and info is None:
        element, used = _vint(data, at, keep_marker=True)
        size, size_used = _vint(data, at + used, keep_marker=False)
        body = at + used + size_used
        if element == _SEGMENT:
            at = body  # step inside (its size is often "unknown")
            continue
        if element == _INFO:
            info = (body, body + size)
            break
        if size in _UNKNOWN:
            return None
        at = body + size
    if info is None:
        return None
    scale, duration = 1_000_000, None
    at = info[0]
    while at < min(info[1], len(data)):
        element, used = _vint(data, at, keep_marker=True)
        size, size_used = _vint(data, at + used, keep_marker=False)
        value = data[at + used + size_used : at + used + size_used + size]
        if element == _SCALE and 1 <= size <= 8:
            scale = int.from_bytes(value, "big")
        elif element == _DURATION and size in (4, 8):
            duration = struct.unpack(">f" if size == 4 else ">d", value)[0]
        at += used + size_used + size
    if duration is None or not duration > 0 or duration != duration:
        return None
    return float(duration) * scale / 1e9


@dataclass(frozen=True)
class Checked:
    """An accepted upload: its kind, the name to keep and its size."""

    kind: FileKind
    name: str
    size: int
