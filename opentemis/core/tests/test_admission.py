"""Admission control (core/admission.py): a request that waited in the proxy's queue past its
class's budget is answered 503 before any work; writes that complete someone's work are
admitted when browsing is shed; the proxy's lines come from the same table."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings

from opentemis.core import admission
from opentemis.core.admission import Admission, classify, haproxy_lines, parse_request_start

NOW = 1_800_000_000.0  # the frozen clock of these tests (epoch seconds)
BUDGETS = {
    "ADMISSION_BUDGET_COMPLETE": 25.0,
    "ADMISSION_BUDGET_WRITE": 8.0,
    "ADMISSION_BUDGET_BROWSE": 2.0,
    "ADMISSION_BUDGET_REPORT": 1.0,
}
PROXY = {"TRUSTED_PROXIES": ["127.0.0.1"], "ADMISSION_CONTROL": True, "ADMISSION_RETRY_AFTER": 7}

# One route of each class, as the browser or a program sends it.
REPORT = ("get", "/reports/")
BROWSE = ("get", "/learn/")
WRITE = ("post", "/learn/video/1/progress/")  # video progress: beats are sent again anyway
COMPLETE = ("post", "/learn/quiz/attempts/1/submit/")
API_COMPLETE = ("post", "/api/v1/learn/quiz-attempts/1/submit/")


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admission.time, "time", lambda: NOW)


def stamp(waited: float) -> str:
    """The header HAProxy writes (``t=%[date(0,ms)]``) for a request that waited ``waited``."""
    return f"t={round((NOW - waited) * 1000)}"


def ask(route: tuple[str, str], waited: float | None, **extra: Any) -> Any:
    method, path = route
    headers = {} if waited is None else {"HTTP_X_REQUEST_START": stamp(waited)}
    return getattr(Client(), method)(path, **headers, **extra)


@pytest.mark.django_db
@override_settings(**PROXY, **BUDGETS)
@pytest.mark.parametrize(
    ("route", "budget"),
    [(REPORT, 1.0), (BROWSE, 2.0), (WRITE, 8.0), (COMPLETE, 25.0), (API_COMPLETE, 25.0)],
    ids=["report", "browse", "write", "complete", "complete-api"],
)
def test_each_class_is_shed_past_its_budget_and_not_before(route, budget):
    assert ask(route, budget - 0.05).status_code != 503
    assert ask(route, budget).status_code != 503
    shed = ask(route, budget + 0.05)
    assert shed.status_code == 503
    assert shed["Retry-After"] == "7"


@pytest.mark.django_db
@override_settings(**PROXY)
def test_completing_writes_are_admitted_when_browsing_is_shed_at_the_same_wait():
    # The defaults: completing writes are never shed, browsing after 2 s, other writes after 8 s.
    assert ask(BROWSE, 5).status_code == 503
    assert ask(REPORT, 5).status_code == 503
    assert ask(WRITE, 5).status_code != 503
    assert ask(COMPLETE, 5).status_code != 503
    assert ask(WRITE, 60).status_code == 503
    assert ask(COMPLETE, 600).status_code != 503
    assert ask(API_COMPLETE, 600).status_code != 503


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [[], ["10.0.0.0/8"]], ids=["no-proxy", "other-proxy"])
def test_a_wait_claimed_by_an_untrusted_peer_is_ignored(proxies):
    with override_settings(**{**PROXY, "TRUSTED_PROXIES": proxies}):
        assert ask(BROWSE, 100).status_code != 503
    with override_settings(**{**PROXY, "TRUSTED_PROXIES": ["127.0.0.0/8"]}):
        assert ask(BROWSE, 100).status_code == 503  # the same request, from a trusted proxy


@pytest.mark.django_db
@override_settings(**{**PROXY, "ADMISSION_CONTROL": False})
def test_switched_off_nothing_is_shed():
    assert ask(REPORT, 100).status_code != 503
    assert ask(BROWSE, 100).status_code != 503


@pytest.mark.django_db
@override_settings(**PROXY)
def test_requests_without_the_stamp_or_exempt_are_never_shed():
    assert ask(BROWSE, None).status_code != 503
    assert ask(("get", "/healthz"), 100).status_code != 503
    assert ask(("get", "/static/js/drafts.js"), 100).status_code != 503


@pytest.mark.django_db
@override_settings(**PROXY)
def test_a_shed_page_is_a_light_vietnamese_page_read_without_the_database(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        page = ask(BROWSE, 5)
        post = ask(WRITE, 60, data={"position": "3"})
    assert page.status_code == post.status_code == 503
    assert page["Content-Type"].startswith("text/html")
    assert page["Retry-After"] == "7"
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "Hệ thống đang bận" in html  # "The system is busy"
    assert 'href="/learn/"' in html  # try again: the same page
    assert "history.back()" in post.content.decode()  # a post: back to the form, still typed


@pytest.mark.django_db
@override_settings(**PROXY)
@pytest.mark.parametrize(
    ("route", "extra"),
    [(("get", "/api/v1/staff/"), {}), (BROWSE, {"HTTP_HX_REQUEST": "true"})],
    ids=["api", "htmx"],
)
def test_the_api_and_htmx_get_json(route, extra):
    response = ask(route, 5, **extra)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "7"
    body = response.json()
    assert body["code"] == "overloaded"
    assert body["retry_after"] == 7
    assert body["detail"]


def test_the_stamp_is_read_in_milliseconds_microseconds_or_seconds():
    assert parse_request_start("t=1800000000123") == pytest.approx(1_800_000_000.123)
    assert parse_request_start("t=1800000000123456") == pytest.approx(1_800_000_000.123456)
    assert parse_request_start("1800000000.5") == pytest.approx(1_800_000_000.5)
    assert parse_request_start("t=soon") is None


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("post", "/learn/quiz/attempts/3/save/", Admission.COMPLETE),
        ("post", "/learn/products/3/submit/", Admission.COMPLETE),
        ("post", "/evaluations/3/self/", Admission.COMPLETE),
        ("post", "/evaluations/3/autosave/", Admission.WRITE),  # the draft, kept by the browser
        ("get", "/evaluations/3/self/", Admission.BROWSE),  # the same view, read
        ("post", "/api/v1/evaluations/3/submit/", Admission.COMPLETE),  # a viewset's action
        ("patch", "/api/v1/evaluations/3/self/", Admission.WRITE),  # the same viewset, a draft
        ("post", "/api/v1/evaluations/3/finalise/", Admission.COMPLETE),
        ("put", "/api/v1/learn/quiz-attempts/3/answers/", Admission.COMPLETE),  # an API class
        ("get", "/reports/export/3/xlsx/", Admission.REPORT),
        ("get", "/staff/export.xlsx", Admission.REPORT),  # by its name, outside /reports/
        ("get", "/evaluations/print/3/bm1.pdf", Admission.REPORT),
        ("get", "/no/such/page/", Admission.BROWSE),
        ("post", "/no/such/page/", Admission.WRITE),
        ("get", "/healthz", Admission.EXEMPT),
    ],
)
def test_classes_follow_the_views_marks_and_the_report_table(method, path, expected):
    assert classify(getattr(RequestFactory(), method)(path)) is expected


def _acl_regexes(lines: list[str], acl: str) -> list[re.Pattern[str]]:
    found = [re.findall(r"'([^']+)'", line) for line in lines if line.startswith(f"acl {acl} ")]
    return [re.compile(rx) for regexes in found for rx in regexes]


def _acl_prefixes(lines: list[str], acl: str) -> list[str]:
    prefix = f"acl {acl} path_beg "
    return [p for line in lines if line.startswith(prefix) for p in line[len(prefix) :].split()]


def test_the_haproxy_lines_name_the_completing_and_report_paths():
    out = io.StringIO()
    call_command("admission", "haproxy", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == haproxy_lines()
    assert "http-request set-header X-Request-Start t=%[date(0,ms)]" in lines
    complete = _acl_regexes(lines, "otm_complete")

    def completes(path: str) -> bool:
        return any(rx.search(path) for rx in complete)

    assert completes("/learn/quiz/attempts/12/submit/")
    assert completes("/api/v1/learn/quiz-attempts/12/answers/")
    assert completes("/api/v1/evaluations/12/finalise/")
    assert not completes("/learn/quiz/attempts/12/")  # the attempt's page
    assert not completes("/api/v1/evaluations/12/self/")  # a draft
    assert not completes("/learn/quiz/attempts/12/submit/extra/")
    reports = _acl_regexes(lines, "otm_report")
    assert any(rx.search("/staff/export.xlsx") for rx in reports)
    assert not any(rx.search("/staff/export-xlsx") for rx in reports)  # the dot is a dot
    assert "/reports/" in _acl_prefixes(lines, "otm_report")
    # Completing writes first, reports last: HAProxy serves the lowest class first, then
    # within a class the lowest arrival time + offset.
    keys: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        if m := re.match(r"http-request set-priority-(class|offset) int\((-?\d+)\) if (.+)$", line):
            keys[m.group(3)][m.group(1) == "offset"] = int(m.group(2))
    assert (
        keys["otm_write otm_complete"]
        < keys["otm_write !otm_complete"]
        < keys["!otm_write !otm_report"]
        < keys["!otm_write otm_report"]
    )
    assert keys["otm_write otm_complete"][0] < keys["otm_write !otm_complete"][0]  # strictly
