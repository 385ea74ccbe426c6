"""The one exception to ``core.http.file_response``'s sandbox: a package's HTML pages.

A SCORM page is a program: it must run its script and find the run-time API on its parent
window (``window.parent.API`` for SCORM 1.2, ``API_1484_11`` for 2004), which a browser allows
only between pages of the same origin. So the player's iframe carries
``sandbox="allow-scripts allow-same-origin allow-forms"`` and the page is served with a policy
that lets it run and load from this site only, and be framed only by this site:

* ``X-Content-Type-Options: nosniff``; ``X-Frame-Options: SAMEORIGIN`` and
  ``frame-ancestors 'self'``: only the player (or another package page) frames it;
* ``Content-Security-Policy`` (:data:`PACKAGE_POLICY`): script, styles, images, media and fonts
  from this site (and inline, since packages are written so), no plug-in, nothing from
  elsewhere (no request leaves for another site), forms posted only here;
* ``Cache-Control: private, no-cache``.

What this does not do, and why it is accepted: a page of the same origin with script can reach
its parent and call this site as the learner. That is the nature of SCORM, so only officers who
manage the course (``learning.manage``) upload packages, as in Moodle, where adding a SCORM
package is a trusted capability. docs/architecture.md, "Files the server sends", has the
trade-off and the way out (a separate origin for package files with a postMessage bridge).
"""

from __future__ import annotations

from django.http import HttpResponse

PACKAGE_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "media-src 'self' data: blob:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "frame-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'self'"
)


def package_page_response(content: bytes) -> HttpResponse:
    """A package's HTML page, with the headers above."""
    response = HttpResponse(content, content_type="text/html")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PACKAGE_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-cache"
    response["Referrer-Policy"] = "same-origin"
    return response
