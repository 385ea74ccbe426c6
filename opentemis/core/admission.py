"""Admission control: a saturated node answers 503 quickly instead of queueing work to death.

Two layers share the priority classes defined here (docs/decisions/0027-admission-control.md):

* **HAProxy** holds the queue. Each server gets ``maxconn`` equal to its worker threads, so
  requests wait in HAProxy's queue, not in gunicorn's; the queue is bounded (``timeout queue``).
  ``set-priority-class`` puts writes that complete a person's work strictly first; the others
  share a class ordered by arrival shifted by ``set-priority-offset``: other writes as if they
  had come 2 s earlier, reports 1 s later. An offset rather than a class of their own, so that
  reports come last without starving: under strict priority a report waited behind a never
  ending stream of pages until its person gave up, instead of being answered 503 at once.
  It stamps ``X-Request-Start: t=<ms since epoch>`` when the request arrives. The ACL and
  priority lines come from :func:`haproxy_lines` (``manage.py admission haproxy``), never
  from a second list.
* **This middleware**, first in ``MIDDLEWARE`` (before sessions and the database, so shedding
  costs a header parse), reads the stamp (only from ``TRUSTED_PROXIES``), and answers 503 with
  ``Retry-After`` when the request waited longer than its class's budget: whoever asked has
  likely given up or will be better served by trying again than by a page arriving late, and
  the threads go to the work still worth doing. Only a request that waited longer than the
  smallest budget is classified at all (one URL resolution).

Classes, most urgent first: a write to a view marked :func:`completes_work` (submitting a
product, answering or submitting a test, submitting a self-evaluation or plan, finalising a
review), any other write, browsing, then reports and exports. ``/healthz`` and static files are
never shed: a load balancer that cannot reach the health check would take a busy node out and
push its load onto the others.

What the person typed is not lost by a shed post: the browser keeps every form's draft until
the server confirms it (static/js/drafts.js), which a 503 never does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.utils import translation
from django.utils.translation import gettext as _

from opentemis.core.client_ip import is_trusted_proxy
from opentemis.core.locale import chosen_language

#: Set on a view (function, class, or a viewset's action method) by :func:`completes_work`.
COMPLETES_WORK_ATTR = "completes_work"
#: The header the proxy stamps with the time the request arrived.
REQUEST_START_HEADER = "X-Request-Start"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# A stamp claiming a wait longer than this is a broken clock or header, not a queue.
_IMPLAUSIBLE_WAIT = 3600.0


class Admission(StrEnum):
    COMPLETE = "complete"
    WRITE = "write"
    BROWSE = "browse"
    REPORT = "report"
    EXEMPT = "exempt"


@dataclass(frozen=True)
class AdmissionClass:
    """One priority class: its wait budget (a setting, seconds; 0 = never shed) and its place
    in HAProxy's queue: ``set-priority-class`` (lower is served first), then within a class the
    arrival time shifted by ``set-priority-offset`` (milliseconds; lower is served first)."""

    budget_setting: str
    haproxy_class: int
    haproxy_offset_ms: int
    what: str


#: THE table of classes: the middleware and the generated HAProxy lines both read it.
CLASSES: dict[Admission, AdmissionClass] = {
    Admission.COMPLETE: AdmissionClass(
        "ADMISSION_BUDGET_COMPLETE", -1, 0, "a write to a view marked @completes_work"
    ),
    Admission.WRITE: AdmissionClass("ADMISSION_BUDGET_WRITE", 0, -2000, "any other write"),
    Admission.BROWSE: AdmissionClass("ADMISSION_BUDGET_BROWSE", 0, 0, "any other GET"),
    Admission.REPORT: AdmissionClass(
        "ADMISSION_BUDGET_REPORT", 0, 1000, "a GET under REPORT_PREFIXES or named *_export etc."
    ),
}
#: Reports and exports: everything under these paths, and the routes named with these endings
#: (printed forms, spreadsheets, downloads built on request) wherever they live.
REPORT_PREFIXES = ("/reports/", "/api/v1/reports/", "/evaluations/print/", "/bdtx/tong-hop/")
REPORT_NAME_SUFFIXES = ("_export", "_xlsx", "_pdf")
#: Never shed (see the module docstring).
EXEMPT_PATHS = ("/healthz",)

_View = TypeVar("_View")


def completes_work(view: _View) -> _View:
    """Marks a view whose unsafe requests complete a person's work: served first when the node
    is saturated. On a function view (above or below ``login_required``: ``functools.wraps``
    copies the mark), an API view class, or a viewset's action method."""
    setattr(view, COMPLETES_WORK_ATTR, True)
    return view


def _completes(callback: Callable[..., Any], method: str) -> bool:
    if getattr(callback, COMPLETES_WORK_ATTR, False):
        return True
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return False
    actions: dict[str, str] | None = getattr(callback, "actions", None)
    if actions:  # a viewset: the action this method runs
        action = getattr(cls, actions.get(method.lower(), ""), None)
        return bool(getattr(action, COMPLETES_WORK_ATTR, False))
    return bool(getattr(cls, COMPLETES_WORK_ATTR, False))


def _is_report(path: str, url_name: str | None) -> bool:
    return path.startswith(REPORT_PREFIXES) or (url_name or "").endswith(REPORT_NAME_SUFFIXES)


def classify(request: HttpRequest) -> Admission:
    """The request's class (the table above)."""
    path = request.path_info
    if path.startswith(EXEMPT_PATHS) or path.startswith(settings.STATIC_URL):
        return Admission.EXEMPT
    unsafe = request.method in UNSAFE_METHODS
    try:
        match = get_resolver().resolve(path)
    except Resolver404:
        return Admission.WRITE if unsafe else Admission.BROWSE
    if unsafe:
        return (
            Admission.COMPLETE if _completes(match.func, request.method or "") else Admission.WRITE
        )
    return Admission.REPORT if _is_report(path, match.url_name) else Admission.BROWSE


def budget(admission: Admission) -> float:
    """Seconds a request of this class may have waited; 0: never shed."""
    if admission is Admission.EXEMPT or not settings.ADMISSION_CONTROL:
        return 0.0
    return float(getattr(settings, CLASSES[admission].budget_setting))


def _smallest_budget() -> float:
    budgets = [b for b in (budget(a) for a in CLASSES) if b > 0]
    return min(budgets) if budgets else 0.0


def parse_request_start(value: str) -> float | None:
    """Epoch seconds from ``t=<ms>`` (HAProxy here), ``t=<µs>`` or ``t=<s.fraction>`` (other
    proxies' conventions, told apart by magnitude); None if unreadable."""
    value = value.strip().removeprefix("t=")
    try:
        stamp = float(value)
    except ValueError:
        return None
    if stamp > 1e14:  # microseconds
        return stamp / 1e6
    if stamp > 1e11:  # milliseconds
        return stamp / 1e3
    return stamp


def queue_wait(request: HttpRequest, now: float | None = None) -> float | None:
    """Seconds between the proxy receiving the request and now; None when unknown or when the
    header does not come from a trusted proxy (a client could claim any wait)."""
    header = request.META.get("HTTP_X_REQUEST_START")
    if not header or not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return None
    started = parse_request_start(header)
    if started is None:
        return None
    waited = (time.time() if now is None else now) - started
    if waited > _IMPLAUSIBLE_WAIT:
        return None
    return max(waited, 0.0)  # proxy and node clocks a little apart


class AdmissionMiddleware:
    """Sheds a request that waited past its class's budget (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.ADMISSION_CONTROL:
            waited = queue_wait(request)
            # Below the smallest budget nothing can be shed: no need to classify.
            if waited is not None and waited > _smallest_budget():
                admission = classify(request)
                limit = budget(admission)
                if limit and waited > limit:
                    return overloaded_response(request, admission, waited)
        return self.get_response(request)


def _wants_json(request: HttpRequest) -> bool:
    # HTMX: a JSON answer is not swapped into the page; drafts.js keeps the draft on a 503.
    return request.path_info.startswith("/api/") or request.headers.get("HX-Request") == "true"


def overloaded_response(request: HttpRequest, admission: Admission, waited: float) -> HttpResponse:
    """503 + ``Retry-After``: JSON for the API and HTMX, a light page (no database) otherwise."""
    seconds = settings.ADMISSION_RETRY_AFTER
    response: HttpResponse
    with translation.override(chosen_language(request)):
        if _wants_json(request):
            response = JsonResponse(
                {"detail": _busy_detail(seconds), "code": "overloaded", "retry_after": seconds},
                status=503,
            )
        else:
            context = {
                "path": request.get_full_path(),
                "method": request.method,
                "retry_after": seconds,
            }
            response = HttpResponse(render_to_string("errors/overloaded.html", context), status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    # Not one error line per shed request in Django's log (django.request logs every 5xx): under
    # overload that is thousands of lines a second, written by the threads we are saving.
    setattr(response, "_has_been_logged", True)  # noqa: B010 - Django's own marker
    # For the access log and the bench: which class was shed after how long.
    response["X-Admission"] = f"shed {admission.value} {waited:.2f}s"
    return response


def _busy_detail(seconds: int) -> str:
    return _(
        "The system is busy: this request was not processed, so nothing was saved by it. "
        "What you typed is kept; send it again in %(seconds)s seconds."
    ) % {"seconds": seconds}


# --- the HAProxy side, generated from the same table --------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern with its full path as a regular expression (anchored, leading slash)."""

    regex: str
    name: str | None
    callback: Callable[..., Any]


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[Route]:
    for pattern in patterns:
        part = pattern.pattern.regex.pattern.removeprefix("^")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + part)
        else:
            yield Route("^/" + prefix + part, pattern.name, pattern.callback)


def _haproxy_regex(regex: str) -> str:
    # PCRE understands Python's groups; named ones are dropped as HAProxy has no use for them.
    out = regex.replace("(?P<", "(?<").replace("\\Z", "$")
    while "(?<" in out:
        start = out.index("(?<")
        out = out[: start + 1] + out[out.index(">", start) + 1 :]
    if not out.endswith("$"):
        out += ".*"  # a prefix route (the admin's catch-all): as Django, match the rest
    return out


def routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def completing_routes() -> list[Route]:
    return [r for r in routes() if any(_completes(r.callback, m) for m in UNSAFE_METHODS)]


def report_routes() -> list[Route]:
    """Reports outside REPORT_PREFIXES (those are matched by prefix)."""
    return [
        r
        for r in routes()
        if (r.name or "").endswith(REPORT_NAME_SUFFIXES)
        and not any(r.regex.startswith("^" + p) for p in REPORT_PREFIXES)
    ]


def haproxy_lines() -> list[str]:
    """Lines for the HAProxy backend of the app servers: the arrival stamp, the classes as
    ACLs, and each class's place in the queue."""

    def quoted(items: list[str]) -> str:
        return " ".join(f"'{i}'" for i in items)

    lines = [
        "# Generated from opentemis/core/admission.py by `manage.py admission haproxy`.",
        f"http-request set-header {REQUEST_START_HEADER} t=%[date(0,ms)]",
        f"acl otm_write method {' '.join(UNSAFE_METHODS)}",
    ]
    for route in completing_routes():
        lines.append(f"acl otm_complete path_reg {quoted([_haproxy_regex(route.regex)])}")
    lines.append(f"acl otm_report path_beg {' '.join(REPORT_PREFIXES)}")
    for route in report_routes():
        lines.append(f"acl otm_report path_reg {quoted([_haproxy_regex(route.regex)])}")
    conditions = {
        Admission.COMPLETE: "otm_write otm_complete",
        Admission.WRITE: "otm_write !otm_complete",
        Admission.BROWSE: "!otm_write !otm_report",
        Admission.REPORT: "!otm_write otm_report",
    }
    for admission, condition in conditions.items():
        spec = CLASSES[admission]
        lines.append(f"http-request set-priority-class int({spec.haproxy_class}) if {condition}")
        lines.append(
            f"http-request set-priority-offset int({spec.haproxy_offset_ms}) if {condition}"
        )
    return lines
