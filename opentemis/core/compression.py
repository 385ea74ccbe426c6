"""Compression of dynamic responses (issue 9: the province report was 109 KB, 11 KB gzipped)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Text worth compressing. Downloads (PDF, xlsx, ZIP, images) are compressed already: gzipping
# them again costs CPU for nothing and drops their Content-Length, hence the browser's progress.
COMPRESSIBLE = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/xml",
        "application/vnd.oai.openapi",
        "application/vnd.oai.openapi+json",
        "image/svg+xml",
    }
)


def compressible(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind in COMPRESSIBLE or kind.endswith("+json")


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH padding), for text responses only."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
