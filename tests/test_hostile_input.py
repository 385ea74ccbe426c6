"""No hostile value gives a 5xx, on any route: pages, HTMX partials, files, the API, the admin.

What no form sends is sent to every parameter of every route: a NUL byte, a value over the
guard's length limit, a long one just under it (5,000 digits in a form: longer than any column,
and more digits than ``int()`` reads), a number that is not an ASCII integer where an id may be
expected ("²": ``str.isdigit()`` says yes, ``int()`` raises), and an integer past every column's
range (2**63). The answer may be anything but a server error, and the last resort of
``core/params.py`` (a 400 for a value the database refused) must not have been needed in our
code: the view should have refused the value itself.

The routes and parameters are found, not listed, so that a new route is covered as it lands:

* pages: the URL resolver, with path arguments from the crawl's world
  (tests/test_vietnamese_crawl.py; a route without arguments fails here naming it). Each page
  is read: its forms (fields with the values the page gave them, buttons, HTMX attributes)
  and its links' query parameters are what is sent back, one field hostile at a time, the
  others as the page filled them in, so that the request gets past the view's first checks.
  Every route is also asked with every parameter name seen anywhere on the site at once, by
  GET and by POST; its integer path arguments out of range, its text ones hostile;
* the API: the OpenAPI schema (drf-spectacular): every operation, each query parameter and
  each request-body field (in a list or an object where the schema says so);
* Django's admin: each list and add page, with its filter links' parameters.

Sampled to stay quick: of a numbered family of fields (``level_1`` … ``level_18``) the first
and the last; a field the page filled with words (a name, a date) only the long value; what
the guard refuses only once per route and method (every name at once). Run as the
administrator (every form shows) and as a teacher with a self-evaluation in progress (the
levels and the evidence of each criterion). On PostgreSQL too (``make test-pg``), which
refuses NUL bytes and out-of-range numbers that SQLite stores.
"""

from __future__ import annotations

import re
import traceback
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, URLPattern, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from drf_spectacular.generators import SchemaGenerator

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.plans.models import PlanItem
from tests import test_vietnamese_crawl
from tests.module_db import ledger_things, plan_things
from tests.test_vietnamese_crawl import Crawl, _walk
from tests.world_learning import learning_api_ids

crawl = test_vietnamese_crawl.crawl  # the crawl's world (a fixture), shared

NUL = "1\x00"
NOT_AN_INTEGER = "²"  # "²".isdigit() is True; int("²") raises ValueError
OUT_OF_RANGE = 2**63  # one past the largest BIGINT
LONG = "9" * 5_000  # digits: int() refuses more than 4,300; longer than any varchar column


def hostile(method: str) -> list[str]:
    """Values that reach the view: not an integer, out of range, long (for a query parameter:
    as long as the guard lets through)."""
    long = "9" * settings.INPUT_MAX_QUERY_VALUE if method == "GET" else LONG
    return [NOT_AN_INTEGER, str(OUT_OF_RANGE), long]


def over_limit(method: str) -> str:
    """A value the guard refuses for its length."""
    limit = settings.INPUT_MAX_QUERY_VALUE if method == "GET" else settings.INPUT_MAX_FORM_VALUE
    return "9" * (limit + 1)


# Parameters every route is asked with, whether its pages show them or not.
GENERIC = ["q", "page", "unit", "year", "pk", "id", "next", "cycle", "status", "kind"]

# Routes not asked at all.
SKIP: dict[str, str] = {}


# --- forms and links of a page ---------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # as the page fills them in
    names: list[str] = field(default_factory=list)  # every name, buttons included

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, urlsplit(self.action).path, tuple(sorted(set(self.names))))


class Forms(HTMLParser):
    """The forms of a page (and HTMX elements outside forms), and its links' query names."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.link_params: dict[str, set[str]] = defaultdict(set)
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, chosen
        self._textarea: list[Any] | None = None

    def _target(self, attr: dict[str, str | None], default_method: str) -> tuple[str, str]:
        for hx in ("hx-post", "hx-put", "hx-patch", "hx-delete", "hx-get"):
            if attr.get(hx) is not None:
                return hx[3:].upper(), urljoin(self.url, attr[hx] or self.url)
        method = (attr.get("method") or default_method).upper()
        return method, urljoin(self.url, attr.get("action") or self.url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        name = attr.get("name")
        if tag == "option" and self._select is not None:
            value = attr.get("value") or ""
            self._select[1].append(value)
            if "selected" in attr:
                self._select[2].append(value)
            return
        if tag == "a" and "?" in (attr.get("href") or ""):
            href = urlsplit(urljoin(self.url, attr["href"] or ""))
            self.link_params[href.path].update(k for k, _ in parse_qsl(href.query, True))
        elif tag == "form":
            self._form = Form(*self._target(attr, "GET"))
            self.forms.append(self._form)
        elif self._form is None and any(a.startswith("hx-") and a[3:] in HX for a in attr):
            # An HTMX element outside a form sends its own name and value.
            form = Form(*self._target(attr, "GET"))
            if name:
                form.fields.append((name, attr.get("value") or ""))
                form.names.append(name)
            self.forms.append(form)
        if self._form is None or not name:
            return
        kind = (attr.get("type") or "text").lower()
        if tag == "input" and kind == "file":
            return
        self._form.names.append(name)
        if tag == "button" or (tag == "input" and kind in {"submit", "button", "image", "reset"}):
            return
        if tag == "input" and (kind not in {"checkbox", "radio"} or "checked" in attr):
            self._form.fields.append((name, attr.get("value") or ""))
        elif tag == "select":
            self._select = (name, [], [])
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form:
            name, options, chosen = self._select
            for value in chosen or options[:1]:
                self._form.fields.append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form:
            self._form.fields.append((self._textarea[0], self._textarea[1]))
            self._textarea = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


HX = {"get", "post", "put", "patch", "delete"}


def read_page(url: str, html: str) -> Forms:
    parser = Forms(url)
    parser.feed(html)
    return parser


# --- the routes --------------------------------------------------------------------------------


@dataclass
class Route:
    name: str
    pattern: URLPattern
    urls: list[str]


def page_routes(world: Crawl) -> list[Route]:
    """Every route but the API's (the schema's part) and Django's admin, with its URLs."""
    routes = []
    for route, entry in _walk(get_resolver()):
        if route.startswith(("admin/", "api/")) or not entry.name or entry.name in SKIP:
            continue
        args = entry.pattern.converters
        kwargs = world.kwargs.get(entry.name, []) if args else [{}]
        assert kwargs, f"give route {entry.name} arguments in the crawl's world ({__file__})"
        routes.append(Route(entry.name, entry, [reverse(entry.name, kwargs=k) for k in kwargs]))
    return routes


def hostile_paths(route: Route, kwargs: dict[str, Any]) -> Iterator[str]:
    """The route's URL with each argument hostile in turn: integers out of range, text NUL."""
    converters = route.pattern.pattern.converters
    for name in kwargs:
        if isinstance(converters[name], IntConverter):
            yield reverse(route.name, kwargs={**kwargs, name: OUT_OF_RANGE})
        elif converters[name].regex == "[^/]+":
            for value in (NUL, LONG, NOT_AN_INTEGER):
                yield reverse(route.name, kwargs={**kwargs, name: value})


@pytest.fixture
def hostile_world(crawl: Crawl, ev: Any) -> Crawl:
    """The crawl's world, with arguments for the routes the crawl does not read (files,
    POST-only routes) and a self-evaluation in progress for the colleague of teacher_a1."""
    from opentemis.evidence.services import evidence_add_link
    from opentemis.jobs.models import Job

    with system_scope():
        draft = ev.start(ev.colleague)
        # Finishing is asked of a cycle of its own: the one the pages show stays open.
        spare = services.cycle_open(
            actor=crawl.roles["admin"],
            unit=ev.w.province_b,
            school_year=ev.cycle.school_year,
            name="Đợt dự phòng",
            self_due=ev.cycle.self_due,
            opinions_due=ev.cycle.opinions_due,
            review_due=ev.cycle.review_due,
        )
        link = evidence_add_link(
            actor=ev.colleague, owner=ev.colleague.person, url="https://example.edu.vn/tiet-day"
        )
        job = Job.objects.first()
        plans = plan_things(ev.w)
        plans.update(ledger_things(ev.w))
    evaluation = crawl.kwargs["evaluation_detail"][0]
    unit = {"unit_pk": ev.w.school_a1.pk}
    plan = crawl.kwargs["plan_review"][0]
    with system_scope():
        item = {"pk": PlanItem.objects.filter(plan_id=plan["pk"]).values_list("pk", flat=True)[0]}
    crawl.kwargs.update(
        {
            "cycle_finish": [{"pk": spare.pk}],
            "evaluation_autosave": [{"pk": draft.pk}],
            "evaluation_preview": [{"pk": draft.pk}],
            "evaluation_evidence": [{"pk": draft.pk}],
            "evaluation_self": [{"pk": draft.pk}, *crawl.kwargs["evaluation_self"]],
            "evidence_download": [{"pk": link.pk}],
            "job_download": [{"pk": job.pk}],
            "job_retry": [{"pk": job.pk}],
            # The API's (api_ids): teacher_a1's draft plan, a change request waiting.
            "api:bdtx-plan": [{"pk": plans["plan.draft"][0]}],
            "api:bdtx-change-request": [{"pk": plans["change_request"][0]}],
            # The ledger's (api_ids): teacher_a1's entry, an item of their draft.
            "api:bdtx-ledger-entry": [{"pk": plans["ledger_entry"][0]}],
            "api:bdtx-item": [{"pk": plans["plan_item"][0]}],
            "framework_xlsx": crawl.kwargs["framework_detail"],
            "training_catalogue_lock": crawl.kwargs["training_catalogue"],
            "training_catalogue_new_version": crawl.kwargs["training_catalogue"],
            "training_catalogue_export": crawl.kwargs["training_catalogue"],
            **{
                name: crawl.kwargs["bdtx_ledger"]
                for name in ("bdtx_ledger_add", "bdtx_ledger_dispute")
            },
            **{
                name: crawl.kwargs["bdtx_school"]
                for name in (
                    "bdtx_school_confirm",
                    "bdtx_school_reject",
                    "bdtx_school_record",
                    "bdtx_school_assess",
                    "bdtx_school_compute",
                    "bdtx_school_results_confirm",
                )
            },
            **{
                name: crawl.kwargs["plans_school"]
                for name in ("plans_school_activity", "plans_school_report")
            },
            "bdtx_school_results_export": [
                {**crawl.kwargs["bdtx_school"][0], "fmt": "xlsx"},
                {**crawl.kwargs["bdtx_school"][0], "fmt": "pdf"},
            ],
            "report_export": [{"unit_pk": ev.w.province_a.pk, "fmt": "xlsx"}],
            **{
                name: [plan]
                for name in (
                    "plan_save",
                    "plan_item_add",
                    "plan_change_request",
                    "plan_approve",
                    "plan_return",
                    "plan_change_decide",
                )
            },
            **{name: [item] for name in ("plan_item_update", "plan_item_remove")},
            "paper_template": [unit],
            "print_bm4_pdf": [unit],
            "print_bm4_xlsx": [unit],
            "print_bm2_pdf": [{"person_pk": ev.w.person_a1.pk}],
            "print_bm2_xlsx": [{"person_pk": ev.w.person_a1.pk}],
            "print_bm3_pdf": [{"group_pk": ev.group.pk}],
            "print_bm3_xlsx": [{"group_pk": ev.group.pk}],
            **{
                f"print_{name}_{fmt}": [evaluation]
                for name in ("bm1", "poll", "result")
                for fmt in ("pdf", "xlsx")
            },
        }
    )
    crawl.kwargs.update(crawl.hostile)
    crawl.roles["teacher"] = ev.colleague
    return crawl


class Asker:
    """A signed-in client that records every 5xx (and stays signed in: forms may sign out)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.client = Client(raise_request_exception=False)
        self.client.force_login(user)
        self.failures: list[str] = []
        self.count = 0

    def __call__(self, method: str, url: str, data: Any = None, **extra: Any) -> Any:
        self.count += 1
        response = getattr(self.client, method.lower())(url, data, **extra)
        if response.status_code >= 500:
            self.failures.append(f"{method} {url[:100]} {_shown(data)}: {_where(response)}")
        net = getattr(response, "input_net", "")
        if "/opentemis/" in net:  # the last resort answered: the view should have checked
            where = net.split("/opentemis/")[-1]
            self.failures.append(f"{method} {url[:100]} {_shown(data)}: unchecked, at {where}")
        if method != "GET" and "_auth_user_id" not in self.client.session:
            self.client.force_login(self.user)
        return response


def _shown(data: Any) -> str:
    """The hostile part of a request's data, short."""
    if not isinstance(data, dict) or not data:
        return repr(data)[:60] if data else ""
    values = {repr(v)[:24] for v in data.values()}
    if len(data) > 3 and len(values) == 1:
        return f"(every name = {values.pop()})"
    return ", ".join(f"{k}={repr(v)[:24]}" for k, v in data.items() if v not in ([""], ""))[:200]


def _where(response: Any) -> str:
    """The exception of a 500 and the last line of our code it passed through."""
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return str(response.status_code)
    frames = traceback.extract_tb(exc_info[2])
    ours = [f for f in frames if "/opentemis/" in f.filename] or frames
    where = f"{ours[-1].filename.split('/opentemis/')[-1]}:{ours[-1].lineno}"
    return f"{response.status_code} {exc_info[0].__name__} at {where}"


def _rotated(names: list[str], values: list[str]) -> dict[str, str]:
    """Every name at once, each with one of ``values`` in turn."""
    return {name: values[i % len(values)] for i, name in enumerate(names)}


def _sampled(names: list[str]) -> list[str]:
    """The names of a form, each once, but of a numbered family (``level_1`` … ``level_18``)
    only the first and the last: the same code reads them all."""
    families: dict[str, list[str]] = defaultdict(list)
    for name in dict.fromkeys(names):
        if name != "csrfmiddlewaretoken":
            families[re.sub(r"\d+$", "#", name)].append(name)
    return [n for family in families.values() for n in dict.fromkeys([family[0], family[-1]])]


def _field_values(method: str, form: Form, name: str) -> list[str]:
    """What to send in one field: a field the page filled with words (a name, a date, a
    level) is no number, so only the long value; any other field all of them."""
    given = [v for k, v in form.fields if k == name and v]
    if given and not any(v.isdigit() for v in given):
        return [hostile(method)[-1]]
    return hostile(method)


@dataclass
class Site:
    """What the pages show: forms (one of each) and the query parameters of each path."""

    forms: dict[tuple[str, str, tuple[str, ...]], Form] = field(default_factory=dict)
    query_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def read(self, url: str, html: str) -> None:
        page = read_page(url, html)
        for form in page.forms:
            if urlsplit(form.action).path.startswith("/api/"):
                continue
            self.forms.setdefault(form.key(), form)
            if form.method == "GET":
                self.query_names[urlsplit(form.action).path].update(form.names)
        for path, names in page.link_params.items():
            self.query_names[path].update(names)

    def every_name(self) -> list[str]:
        names = {n for names in self.query_names.values() for n in names}
        names |= {n for form in self.forms.values() for n in form.names}
        return sorted(names | set(GENERIC))


def ask_pages(ask: Asker, world: Crawl, *, guard: bool) -> Site:
    """Ask every page route (module docstring); ``guard``: also the values the guard refuses
    and the hostile path arguments (the same for every person, so asked as one)."""
    routes = page_routes(world)
    site = Site()
    for route in routes:
        for url in route.urls:
            response = ask("GET", url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                site.read(url, response.content.decode())
    every_name = site.every_name()
    # Every route: every name at once, by GET and by POST.
    for route in routes:
        for url, kwargs in zip(route.urls, world.kwargs.get(route.name, [{}]), strict=False):
            for method in ("GET", "POST"):
                ask(method, url, _rotated(every_name, hostile(method)))
                if guard:
                    ask(method, url, {**dict.fromkeys(every_name, NUL), "q": over_limit(method)})
            if guard:
                for path in hostile_paths(route, kwargs):
                    ask("GET", path)
    # The parameters of each page's links and GET forms, one at a time.
    for path, names in site.query_names.items():
        try:
            resolve(path)
        except Resolver404:
            continue
        for name in sorted(names):
            for value in hostile("GET"):
                ask("GET", path, {name: value})
    # Each form, one field hostile at a time, the others as the page filled them in.
    for form in site.forms.values():
        for name in _sampled(form.names):
            for value in _field_values(form.method, form, name):
                data: dict[str, Any] = defaultdict(list)
                for key, given in form.fields:
                    if key != name:
                        data[key].append(given)
                data[name] = [value]
                ask(form.method, form.action, dict(data))
    return site


def ask_admin(ask: Asker) -> int:
    """Django's admin: each list and add page, with its links' parameters and the generic ones."""
    pages = 0
    for route, entry in _walk(get_resolver()):
        if not route.startswith("admin/") or entry.pattern.converters or not entry.name:
            continue
        if "(" in route or entry.name in {"logout", "login"}:
            continue
        pages += 1
        url = reverse(f"admin:{entry.name}")
        response = ask("GET", url)
        names = set(GENERIC)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            page = read_page(url, response.content.decode())
            names |= page.link_params.get(url, set())
        ask("GET", url, _rotated(sorted(names), hostile("GET")))
        ask("GET", url, dict.fromkeys(names, NUL))
    return pages


# --- the API -----------------------------------------------------------------------------------


def api_schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve_ref(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _shaped(kind: str | None, value: Any) -> Any:
    """``value`` in the shape the schema gives a field: alone, in a list, or in an object."""
    if kind == "array":
        return [value]
    if kind == "object":
        return {str(value): value, "1": value}
    return value


def api_ids(world: Crawl) -> dict[str, Any]:
    """An id for each ``{id}`` of the schema's paths, by the path before it."""
    first = {name: world.kwargs[name][0] for name in world.kwargs}
    return {
        "/api/v1/units/": first["unit_detail"]["pk"],
        "/api/v1/staff/": first["staff_detail"]["pk"],
        "/api/v1/reports/units/": first["report_unit"]["pk"],
        "/api/v1/cycles/": first["cycle_detail"]["pk"],
        "/api/v1/evaluations/": first["evaluation_self"]["pk"],
        "/api/v1/evidence/": first["evidence_download"]["pk"],
        "/api/v1/training/catalogues/": first["training_catalogue"]["pk"],
        "/api/v1/bdtx/plans/": first["api:bdtx-plan"]["pk"],
        "/api/v1/bdtx/change-requests/": first["api:bdtx-change-request"]["pk"],
        "/api/v1/bdtx/people/": first["bdtx_ledger"]["person"],
        "/api/v1/bdtx/units/": first["bdtx_school"]["unit"],
        "/api/v1/bdtx/ledger/": first["api:bdtx-ledger-entry"]["pk"],
        "/api/v1/bdtx/items/": first["api:bdtx-item"]["pk"],
        **learning_api_ids(world.learning),
    }


def ask_api(ask: Asker, world: Crawl) -> int:
    """Every operation of the schema: each query parameter and body field hostile in turn,
    ids out of range, and what the guard refuses (every parameter, every field at once)."""
    schema = api_schema()
    ids = api_ids(world)
    operations = 0
    for template, methods in schema["paths"].items():
        path, hostile_path = template, None
        if "{" in template:
            head = template.split("{", 1)[0]
            assert head in ids, f"give {template} an id in api_ids() ({__file__})"
            path = template.replace("{id}", str(ids[head]))
            hostile_path = template.replace("{id}", str(OUT_OF_RANGE))
        for method, operation in methods.items():
            operations += 1
            if hostile_path:
                ask(method, hostile_path)
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for name in query:
                for value in hostile("GET"):
                    ask(method, f"{path}?{urlencode({name: value})}")
            for value in (NUL, over_limit("GET")):
                ask(method, f"{path}?{urlencode(dict.fromkeys(query or GENERIC, value))}")
            content = operation.get("requestBody", {}).get("content", {})
            if method == "get" or not content:
                continue
            as_json = "application/json" in content
            body = _resolve_ref(schema, next(iter(content.values()))["schema"])
            fields = {n: s.get("type") for n, s in body.get("properties", {}).items()}
            for name, kind in fields.items():
                for value in [NOT_AN_INTEGER, OUT_OF_RANGE, LONG]:
                    _send(ask, method, path, {name: _shaped(kind, value)}, as_json)
            for value in (NUL, over_limit("POST")):
                _send(ask, method, path, {n: _shaped(k, value) for n, k in fields.items()}, as_json)
    return operations


def _send(ask: Asker, method: str, path: str, data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        ask(method, path, data, content_type="application/json")
        return
    flat = {
        k: v[0] if isinstance(v, list) else v for k, v in data.items() if not isinstance(v, dict)
    }
    if method == "post":
        ask(method, path, flat)  # multipart
    else:
        ask(method, path, urlencode(flat), content_type="application/x-www-form-urlencoded")


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_no_server_error_on_hostile_input_to_pages(role: str, hostile_world: Crawl) -> None:
    ask = Asker(hostile_world.roles[role])
    site = ask_pages(ask, hostile_world, guard=role == "admin")
    # The walk found the forms it is meant to: the unit move, the staff record (admin); the
    # evidence of a criterion and its levels (teacher).
    posted = {
        (urlsplit(f.action).path.split("/")[1], n) for f in site.forms.values() for n in f.names
    }
    expected = {
        "admin": {("units", "target"), ("staff", "positions"), ("reports", "units")},
        "teacher": {("evaluations", "criterion"), ("evaluations", "level_15")},
    }
    assert expected[role] <= posted
    assert ask.count > 300
    assert ask.failures == [], "\n".join(ask.failures)


def test_no_server_error_on_hostile_input_to_the_admin(hostile_world: Crawl) -> None:
    ask = Asker(hostile_world.roles["admin"])
    assert ask_admin(ask) > 20
    assert ask.failures == [], "\n".join(ask.failures)


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_no_server_error_on_hostile_input_to_the_api(role: str, hostile_world: Crawl) -> None:
    ask = Asker(hostile_world.roles[role])
    assert ask_api(ask, hostile_world) > 30
    assert ask.failures == [], "\n".join(ask.failures)
