"""How a stored material file (a video above all) reaches the browser, after the view checked
who asks. Streaming must not hold a Python worker in production, so there are three ways:

1. **Remote storage (S3)**: a redirect to a presigned URL valid for
   ``MATERIALS_PRESIGNED_SECONDS`` (300 by default; a video's, long enough to play it),
   carrying the type and the disposition to answer with; S3 serves the ranges itself.
2. **Local storage behind nginx** (``MEDIA_ACCEL_REDIRECT`` set, e.g. ``/_protected/``): an
   empty answer with ``X-Accel-Redirect: /_protected/<stored name>``; nginx sends the file from
   an ``internal`` location, ranges included (docs/operations.md has the snippet, which adds the
   security headers nginx does not carry over).
3. **Neither** (the embedded default, no proxy): Django answers, honouring one ``Range``:
   206 with ``Content-Range`` (at most ``MAX_CHUNK`` bytes per answer: the player asks for the
   rest), 416 with ``Content-Range: bytes */size`` when unsatisfiable, 200 with the whole file
   streamed otherwise.

Every answer goes through ``core.http.file_response`` (nosniff, sandbox CSP) or carries the
same headers (the redirect).
"""

from __future__ import annotations

import re
from typing import Any, cast
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from opentemis.core.http import SANDBOX_POLICY, file_response

#: The most bytes one ranged answer carries when Django serves the file itself.
MAX_CHUNK = 2 * 1024 * 1024
CACHE = "private, max-age=3600"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
UNSATISFIABLE = (-1, -1)


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) of a single ``Range: bytes=…``, capped at
    :data:`MAX_CHUNK`; ``None`` to answer with the whole file (no header, or one we do not
    handle: several ranges, another unit, bad syntax, which RFC 9110 says to ignore);
    :data:`UNSATISFIABLE` when the range lies past the end."""
    match = _RANGE.match((header or "").strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        start, end = max(0, size - suffix), size - 1
    else:
        start = int(first)
        end = int(last) if last else size - 1
        if last and end < start:
            return None  # invalid: ignored
        if start >= size:
            return UNSATISFIABLE
        end = min(end, size - 1)
    return start, min(end, start + MAX_CHUNK - 1)


def is_remote(storage: Any) -> bool:
    """Whether files live elsewhere than this machine's disk (S3): served by a redirect."""
    return not isinstance(storage, FileSystemStorage)


def _secure(response: HttpResponse, cache: str) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = cache
    return response


def serve(
    request: HttpRequest,
    field: FieldFile,
    *,
    content_type: str,
    filename: str,
    inline: bool = False,
    size: int | None = None,
    expire: int | None = None,
) -> HttpResponse:
    """The stored file ``field`` to whoever the view let in (see the module's docstring).
    ``expire``: how long a presigned URL works, if longer than the setting (a video: long
    enough to play it, since the browser keeps asking the redirected URL for ranges)."""
    storage = field.storage
    name = field.name or ""
    if is_remote(storage):
        expire = max(int(getattr(settings, "MATERIALS_PRESIGNED_SECONDS", 300)), expire or 0)
        disposition = content_disposition_header(not inline, filename) or "attachment"
        url = cast(Any, storage).url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
                "ResponseCacheControl": CACHE,
            },
            expire=expire,
        )
        return _secure(HttpResponseRedirect(url), "no-store")
    accel = str(getattr(settings, "MEDIA_ACCEL_REDIRECT", "") or "")
    if accel:
        response = file_response(
            b"", filename=filename, content_type=content_type, inline=inline, cache=CACHE
        )
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
        return response
    total = size if size is not None else storage.size(name)
    wanted = parse_range(request.headers.get("Range", ""), total)
    if wanted == UNSATISFIABLE:
        response = file_response(b"", filename=filename, content_type=content_type, cache=CACHE)
        response.status_code = 416
        response["Content-Range"] = f"bytes */{total}"
        return response
    if wanted is not None:
        start, end = wanted
        with storage.open(name, "rb") as stored:
            stored.seek(start)
            chunk = stored.read(end - start + 1)
        response = file_response(
            chunk, filename=filename, content_type=content_type, inline=inline, cache=CACHE
        )
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{start + len(chunk) - 1}/{total}"
    else:
        response = file_response(
            storage.open(name, "rb"),
            filename=filename,
            content_type=content_type,
            inline=inline,
            cache=CACHE,
        )
    response["Accept-Ranges"] = "bytes"
    return response
