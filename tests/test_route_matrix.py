"""The route-permission matrix: every route says who may use it, and the saying holds.

Every URL pattern (the URL resolver, the API and Django's admin included) and every operation
of the OpenAPI schema has a policy in its app's ``route_policies.py`` (the vocabulary:
``opentemis/core/route_policy.py``). A route without one, or a policy whose route is gone,
fails here with the file to edit. Then each policy is tried against one world, built once per
module (the three-actor world of conftest.py and the evaluation world, with an officer of
province B, the principal of the sibling school A2, a teacher of A1 outside the subject group,
and one object of each kind the policies name):

* ``test_anonymous``: the sign-in page (pages) or 401/403 (API) without a session, unless
  the route is public;
* ``test_lacking_permission``: a teacher (no permission; for the superuser's pages an officer
  too) gets the answer the policy states;
* ``test_outsider``: an object of school A1 is a 404, by GET and by POST (every operation of
  the API), for an officer of province B, the principal of school A2 and a colleague of A1
  without the right, and nothing is written;
* ``test_rightful``: the positive control, the actor the policy names gets the page (200, or
  a redirect that is not the sign-in page); a POST-only route or a write of the API sent
  empty is refused for its content (400, 409, 422, a message), never with 403/404/405;
* ``test_admin_is_staff_only``: Django's admin sends anyone but staff to its sign-in page.

Each test runs in its own savepoint inside the module's transaction: what a request writes is
undone before the next.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from conftest import build_world
from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.permissions import role_grants
from opentemis.accounts.roles import Role
from opentemis.core.route_policy import Access, Actor, Outsider, RoutePolicy
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import EvaluatorRule
from opentemis.evaluations.tests.conftest import build_eval_world
from opentemis.evidence.services import evidence_upload
from opentemis.evidence.tests import files
from opentemis.jobs.services import job_create, job_finish
from opentemis.notifications.models import Notice
from opentemis.standards.models import FrameworkApplication
from opentemis.training.models import ProgrammeContent
from opentemis.training.services import load_builtin_catalogues
from tests.factories import PersonFactory, make_user
from tests.module_db import ledger_things, module_transaction, plan_things
from tests.world_learning import KINDS as LEARNING_KINDS
from tests.world_learning import learning_things

# --- the routes and their declarations ---------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "name" or "namespace:name" ("admin:" for an unnamed admin route)
    path: str  # the pattern, for messages
    params: tuple[str, ...]  # its named parameters
    home: str  # the app whose route_policies.py should declare it

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 2 and parts[0] == "opentemis" and apps.is_installed(".".join(parts[:2])):
        return parts[1]
    return None


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = "", home: str = "core"
) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = ":".join(filter(None, [namespace, entry.namespace or ""]))
            urlconf = entry.urlconf_name
            module = urlconf if isinstance(urlconf, str) else getattr(urlconf, "__name__", "")
            yield from _walk(entry, prefix + str(entry.pattern), space, _app_of(module) or home)
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}:{entry.name or ''}" if namespace else entry.name or ""
            callback = getattr(entry.callback, "__module__", "")
            pattern = entry.pattern
            params = tuple(sorted(getattr(pattern, "converters", {}) or pattern.regex.groupindex))
            yield Route(name, prefix + str(pattern), params, _app_of(callback) or home)


ROUTES = list(_walk(get_resolver()))
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
METHODS = ("get", "post", "put", "patch", "delete")


def _route_of_operation(template: str) -> str:
    return resolve(re.sub(r"\{\w+\}", "1", template)).view_name


# (method, route name, operationId) of every operation of the schema.
OPERATIONS = [
    (method.upper(), _route_of_operation(template), operation["operationId"])
    for template, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in METHODS
]


def _declarations() -> tuple[dict[str, RoutePolicy], dict[str, str], list[str]]:
    """Every app's ROUTE_POLICIES merged, with the file of each key; keys declared twice."""
    policies: dict[str, RoutePolicy] = {}
    files: dict[str, str] = {}
    twice = []
    for config in apps.get_app_configs():
        if not config.name.startswith("opentemis."):
            continue
        module_name = f"{config.name}.route_policies"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        for key, policy in module.ROUTE_POLICIES.items():
            if key in policies:
                twice.append(f"{key}: in {files[key]} and {_file(config.label)}")
            policies[key] = policy
            files[key] = _file(config.label)
    return policies, files, twice


def _file(app: str) -> str:
    return f"opentemis/{app}/route_policies.py"


POLICIES, FILES, TWICE = _declarations()


def policy_for(name: str, method: str = "") -> RoutePolicy | None:
    """The policy of a route (of one of its API methods, when declared apart), or of its
    namespace (``"admin:*"``)."""
    if method and f"{method} {name}" in POLICIES:
        return POLICIES[f"{method} {name}"]
    if name in POLICIES:
        return POLICIES[name]
    return POLICIES.get(f"{name.partition(':')[0]}:*") if ":" in name else None


def test_every_route_declares_who_may_use_it() -> None:
    missing = [
        f"{r.name or '(unnamed)'} (/{r.path}): add it to {_file(r.home)}"
        for r in ROUTES
        if not r.name or policy_for(r.name) is None
    ]
    assert not missing, "routes without a policy (core/route_policy.py):\n" + "\n".join(missing)


def test_every_operation_of_the_api_declares_who_may_use_it() -> None:
    missing = [
        f"{method} {name} ({operation_id})"
        for method, name, operation_id in OPERATIONS
        if policy_for(name, method) is None
    ]
    assert not missing, f"API operations without a policy: {missing}"
    assert len(OPERATIONS) > 40


def test_every_policy_names_a_route_that_exists() -> None:
    names = {r.name for r in ROUTES}
    namespaces = {r.name.partition(":")[0] for r in ROUTES if ":" in r.name}
    operations = {f"{method} {name}" for method, name, _ in OPERATIONS}
    stale = []
    for key in POLICIES:
        if key.endswith(":*"):
            found = key[:-2] in namespaces
        elif " " in key:
            found = key in operations
        else:
            found = key in names
        if not found:
            stale.append(f"{key}: no such route, remove it from {FILES[key]}")
    assert not stale, "\n".join(stale)
    assert not TWICE, f"declared twice: {TWICE}"


def test_every_parameter_of_a_route_has_a_kind_in_its_policy() -> None:
    wrong = []
    for route in ROUTES:
        policy = policy_for(route.name)
        if route.is_admin or policy is None:
            continue
        if set(policy.args) != set(route.params):
            wrong.append(f"{route.name}: parameters {route.params}, policy {dict(policy.args)}")
        unknown = {*policy.args.values(), *policy.query.values()} - set(KINDS)
        if unknown:
            wrong.append(f"{route.name}: kinds {sorted(unknown)} are not in this test's world")
        if policy.access == Access.OBJECT and policy.scoped not in {*policy.args, *policy.query}:
            wrong.append(f"{route.name}: the object's parameter {policy.scoped!r} is not taken")
    assert not wrong, "\n".join(wrong)


# --- the world ---------------------------------------------------------------------------------

#: The kinds of value a route may take; each is one thing in the world, in school A1 of
#: province A where it belongs to an organisation.
KINDS = (
    "unit.school",
    "unit.province",
    "person",
    "account",
    "cycle",
    "subject_group",
    "evaluation.draft",
    "evaluation.submitted",
    "evaluation.finalised",
    "evaluation.manager",
    "evidence",
    "job",
    "notice",
    "framework",
    "school_year",
    "framework_application",
    "evaluator_rule",
    "catalogue",
    "catalogue.module",
    "content.local",
    "plan.draft",
    "plan_item",
    "plan.submitted",
    "plan.approved",
    "change_request",
    "report_format",
    "ledger_entry",
    "reset_uid",
    "reset_token",
    *LEARNING_KINDS,
)


@dataclass
class Thing:
    value: Any  # what goes in the URL
    relations: dict[Actor, Any] = field(default_factory=dict)  # who stands how to it


@dataclass
class Matrix:
    things: dict[str, Thing]
    defaults: dict[Actor, Any]  # the relations every thing has (its school's principal...)
    outsiders: dict[Outsider, Any]
    lacking: Any  # signed in, without any permission
    officer: Any
    clients: dict[int, Client] = field(default_factory=dict)

    def sign_in_everyone(self) -> None:
        """One client per person, signed in when the world is built: a session opened in a
        test would be undone with the test. The grants each account caches on its row at its
        first request are stored now too (an outsider's request must write nothing)."""
        self.clients[0] = Client()
        people = [*self.defaults.values(), *self.outsiders.values(), self.lacking, self.officer]
        people += [u for thing in self.things.values() for u in thing.relations.values()]
        for user in people:
            if user.pk not in self.clients:
                self.clients[user.pk] = Client()
                self.clients[user.pk].force_login(user)
                role_grants(User.objects.get(pk=user.pk))

    def client(self, user: Any) -> Client:
        return self.clients[user.pk if user is not None else 0]

    def actor(self, policy: RoutePolicy) -> Any:
        """Who stands in the policy's relation to its object (else the default one)."""
        assert policy.actor is not None
        kind = {**policy.args, **policy.query}.get(policy.scoped)
        relations = self.things[kind].relations if kind else {}
        return relations.get(policy.actor) or self.defaults[policy.actor]

    def url(self, route: Route, policy: RoutePolicy, *, query: bool = True) -> str:
        """The route's URL with the world's values (``query``: its query parameters too)."""
        kwargs = {param: self.things[kind].value for param, kind in policy.args.items()}
        url = reverse(route.name, kwargs=kwargs)
        values = {param: self.things[kind].value for param, kind in policy.query.items()}
        return f"{url}?{urlencode(values)}" if values and query else url


def build_matrix() -> Matrix:
    """The world (module docstring); called once per module, inside its transaction."""
    w = build_world()
    ev = build_eval_world(w)
    admin = make_user("root", superuser=True)
    auditor = make_user("auditor_a", role=Role.AUDITOR, unit=w.province_a)
    RoleAssignment.objects.filter(user=auditor).update(expires_at=timezone.now() + timedelta(30))
    officer_b = make_user("officer_b", role="unit_officer", unit=w.province_b)
    head_a2 = PersonFactory(unit=w.school_a2, full_name="Vũ Thị Hai", staff_code="HTA2")
    principal_a2 = make_user("principal_a2", role="principal", unit=w.school_a2, person=head_a2)
    outside_group = PersonFactory(unit=w.school_a1, full_name="Đinh Văn Khách", staff_code="GVA1K")
    bystander = make_user("bystander_a1", role="teacher", unit=w.school_a1, person=outside_group)
    peer = ev.colleague  # in teacher_a1's subject group
    draft = ev.start(w.teacher_a1)
    submitted = ev.submitted(ev.leader)
    finalised = ev.submitted(peer)
    manager = ev.submitted(w.principal_a1)
    with system_scope():
        services.opinion_give(actor=w.teacher_a1, evaluation=finalised, level="Tot", comment="")
        finalised = services.evaluation_finalise(
            actor=w.principal_a1,
            evaluation=finalised,
            version=finalised.version,
            levels=ev.levels("Kha"),
        )
        evidence = evidence_upload(
            actor=w.teacher_a1,
            owner=w.person_a1,
            uploaded_file=files.upload("ke-hoach.pdf", files.pdf()),
            title="Kế hoạch bài dạy",
        )
        job = job_create(actor=w.officer_a, kind="evaluations.print_school", unit=w.school_a1)
        job = job_finish(job=job, content=b"%PDF-1.4\n", name="in-ca-truong.pdf")
        application = FrameworkApplication.objects.filter(school_year=w.year).first()
        rule = EvaluatorRule.objects.first()
        catalogue = load_builtin_catalogues(school_year=w.year).catalogues[0][0]
        plans = plan_things(w)
        plans.update(ledger_things(w))
        plans.update(learning_things(w))
        content = ProgrammeContent.objects.create(
            school_year=w.year, programme="02", unit=w.province_a, code="SA-01", title="Địa phương"
        )
    notice = Notice.objects.create(
        recipient=w.teacher_a1, unit=w.school_a1, title="Nhắc nhở tự đánh giá", body="Hạn 15/5."
    )
    assert application is not None and rule is not None

    def evaluation(record: Any, owner: Any, relation: Actor, user: Any) -> Thing:
        return Thing(record.pk, {Actor.OWNER: owner, relation: user})

    things = {
        "unit.school": Thing(w.school_a1.pk),
        "unit.province": Thing(w.province_a.pk),
        "person": Thing(w.person_a1.pk, {Actor.OWNER: w.teacher_a1}),
        "account": Thing(w.teacher_a1.pk, {Actor.OWNER: w.teacher_a1}),
        "cycle": Thing(ev.cycle.pk),
        "subject_group": Thing(ev.group.pk, {Actor.OWNER: ev.leader}),
        "evaluation.draft": evaluation(draft, w.teacher_a1, Actor.GROUP_MEMBER, peer),
        "evaluation.submitted": evaluation(submitted, ev.leader, Actor.GROUP_MEMBER, w.teacher_a1),
        "evaluation.finalised": evaluation(finalised, peer, Actor.GROUP_MEMBER, w.teacher_a1),
        "evaluation.manager": evaluation(manager, w.principal_a1, Actor.STAFF_MEMBER, w.teacher_a1),
        "evidence": Thing(evidence.pk, {Actor.OWNER: w.teacher_a1}),
        "job": Thing(job.pk, {Actor.OWNER: w.officer_a}),
        "notice": Thing(notice.pk, {Actor.OWNER: w.teacher_a1}),
        "framework": Thing(draft.framework_id),
        "school_year": Thing(w.year.code),
        "framework_application": Thing(application.pk),
        "evaluator_rule": Thing(rule.pk),
        "catalogue": Thing(catalogue.pk),
        "catalogue.module": Thing(catalogue.modules.values_list("pk", flat=True)[0]),
        "content.local": Thing(content.pk),
        **{kind: Thing(pk, {Actor.OWNER: owner}) for kind, (pk, owner) in plans.items()},
        "report_format": Thing("xlsx"),
        "reset_uid": Thing("MQ"),
        "reset_token": Thing("invalid-token"),
    }
    assert set(things) == set(KINDS)
    matrix = Matrix(
        things=things,
        defaults={
            Actor.TEACHER: w.teacher_a1,
            Actor.PRINCIPAL: w.principal_a1,
            Actor.OFFICER: w.officer_a,
            Actor.SUPERUSER: admin,
            Actor.AUDITOR: auditor,
        },
        outsiders={
            Outsider.OTHER_PROVINCE: officer_b,
            Outsider.SIBLING_SCHOOL: principal_a2,
            Outsider.COLLEAGUE: bystander,
        },
        lacking=bystander,
        officer=w.officer_a,
    )
    matrix.sign_in_everyone()
    return matrix


@pytest.fixture(scope="module")
def matrix(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Matrix]:
    """The world, built once for the module in a transaction rolled back at its end (each
    test's ``db`` savepoint undoes what the test wrote)."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=str(media)), module_transaction(django_db_blocker):
        yield build_matrix()


@pytest.fixture
def world_matrix(matrix: Matrix, db: Any) -> Matrix:
    return matrix


# --- asking ------------------------------------------------------------------------------------

# Written by any request, whoever asks: the session's expiry slides.
ALWAYS_WRITTEN = re.compile(r'UPDATE "django_session" ')


@contextmanager
def nothing_written() -> Iterator[None]:
    with CaptureQueriesContext(connection) as queries:
        yield
    written = []
    for query in queries.captured_queries:
        sql = query["sql"].lstrip()
        if re.match(r"(INSERT|UPDATE|DELETE)\b", sql, re.IGNORECASE) and not ALWAYS_WRITTEN.match(
            sql
        ):
            written.append(sql[:160])
    assert not written, f"an outsider's request wrote: {written}"


def _is_login(response: Any) -> bool:
    """The sign-in page, asked to come back here (``login_required``'s answer)."""
    login = reverse(settings.LOGIN_URL)
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.split("?")[0] == login and "next=" in location


def _ask(client: Client, method: str, url: str, *, api: bool) -> Any:
    if api and method != "GET":
        return client.generic(method, url, "{}", content_type="application/json")
    return client.generic(method, url)


@dataclass(frozen=True)
class Case:
    """A page route (asked by GET and by POST), or one operation of the API."""

    route: Route
    policy: RoutePolicy
    methods: tuple[str, ...]

    @property
    def api(self) -> bool:
        return self.route.is_api

    def ask(self, client: Client, url: str) -> dict[str, int]:
        return {m: _ask(client, m, url, api=self.api).status_code for m in self.methods}


def _cases(*access: Access) -> list[Any]:
    cases = []
    for route in ROUTES:
        if route.is_admin and route.name not in POLICIES:
            continue  # "admin:*": asked below (those with a policy of their own are asked here)
        if route.is_api:
            for method, name, _ in OPERATIONS:
                policy = policy_for(name, method)
                if name == route.name and policy is not None and policy.access in access:
                    case = Case(route, policy, (method,))
                    cases.append(pytest.param(case, id=f"{method} {route.name}"))
            continue
        policy = policy_for(route.name)
        if policy is not None and policy.access in access:
            cases.append(pytest.param(Case(route, policy, ("GET", "POST")), id=route.name))
    return cases


NOT_PUBLIC = (Access.SIGNED_IN, Access.PERMISSION, Access.OBJECT)


# --- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _cases(*NOT_PUBLIC))
def test_anonymous(case: Case, world_matrix: Matrix) -> None:
    """Without a session: the sign-in page, or 401/403 from the API."""
    client = world_matrix.client(None)
    url = world_matrix.url(case.route, case.policy)
    if case.api:
        statuses = case.ask(client, url)
        assert set(statuses.values()) <= {401, 403}, statuses
        return
    answers = {m: client.generic(m, url) for m in case.methods}
    shown = {m: a.status_code for m, a in answers.items()}
    assert all(_is_login(a) or a.status_code == 405 for a in answers.values()), shown
    assert any(_is_login(a) for a in answers.values()), shown


@pytest.mark.parametrize("case", _cases(Access.PUBLIC))
def test_public(case: Case, world_matrix: Matrix) -> None:
    """A public route answers without a session, not with the sign-in page; it says why."""
    client = world_matrix.client(None)
    url = world_matrix.url(case.route, case.policy)
    answers = {m: _ask(client, m, url, api=case.api) for m in case.methods}
    assert all(a.status_code < 500 and not _is_login(a) for a in answers.values())
    assert any(a.status_code != 405 for a in answers.values())
    assert case.policy.reason


@pytest.mark.parametrize("case", _cases(Access.PERMISSION))
def test_lacking_permission(case: Case, world_matrix: Matrix) -> None:
    """A signed-in person without the permission gets the answer the policy states."""
    lacking = [world_matrix.lacking]
    if case.policy.perm == "superuser":
        lacking.append(world_matrix.officer)
    url = world_matrix.url(case.route, case.policy, query=False)
    for user in lacking:
        answers = case.ask(world_matrix.client(user), url)
        assert set(answers.values()) - {405} == {case.policy.denied}, (user.username, answers)


def _outsider_cases() -> list[Any]:
    cases = []
    for param in _cases(*NOT_PUBLIC):
        case = param.values[0]
        for outsider in case.policy.outsiders:
            cases.append(pytest.param(case, outsider, id=f"{param.id}-{outsider}"))
    return cases


@pytest.mark.parametrize(("case", "outsider"), _outsider_cases())
def test_outsider(case: Case, outsider: Outsider, world_matrix: Matrix) -> None:
    """School A1's object is a 404 for an outsider, whatever the method; nothing is written."""
    client = world_matrix.client(world_matrix.outsiders[outsider])
    url = world_matrix.url(case.route, case.policy)
    with nothing_written():
        answers = case.ask(client, url)
    refusals = {404}
    if case.policy.denied and outsider == Outsider.COLLEAGUE:
        refusals.add(case.policy.denied)  # lacking the permission anywhere: as without the unit
    assert set(answers.values()) - {405} <= refusals and set(answers.values()) != {405}, answers


@pytest.mark.parametrize("case", _cases(*NOT_PUBLIC))
def test_rightful(case: Case, world_matrix: Matrix) -> None:
    """The positive control: the actor the policy names is let in (a page: 200, or a
    redirect elsewhere than the sign-in page; a write sent empty: refused for its content)."""
    client = world_matrix.client(world_matrix.actor(case.policy))
    url = world_matrix.url(case.route, case.policy)
    method = case.methods[0]
    answer = _ask(client, method, url, api=case.api)
    if answer.status_code == 405 and not case.api:
        method = "POST"
        answer = _ask(client, method, url, api=False)
    if method == "GET":
        assert answer.status_code in {200, 302} and not _is_login(answer), answer.status_code
    else:
        assert answer.status_code not in {401, 403, 404, 405}, answer.status_code
        assert answer.status_code < 500 and not _is_login(answer), answer.status_code


# --- Django's admin ----------------------------------------------------------------------------


def _admin_url(route: Route) -> str:
    kwargs: dict[str, str] = {}
    for param in route.params:
        choices = re.search(rf"\(\?P<{param}>([\w|]+)\)", route.path)
        kwargs[param] = choices.group(1).split("|")[0] if choices else "1"
    return reverse(route.name, kwargs=kwargs)


def _admin_routes() -> list[Any]:
    return [
        pytest.param(r, id=r.name)
        for r in ROUTES
        if r.is_admin
        and r.name != "admin:"
        and getattr(policy_for(r.name), "access", None) == Access.STAFF_ONLY
    ]


@pytest.mark.parametrize("route", _admin_routes())
def test_admin_is_staff_only(route: Route, world_matrix: Matrix) -> None:
    """Anonymous, a teacher, an officer (no staff flag): the admin's sign-in page."""
    url = _admin_url(route)
    login = reverse("admin:login")
    for user in (None, world_matrix.lacking, world_matrix.officer):
        answer = world_matrix.client(user).get(url)
        location = answer.get("Location", "") if answer.status_code == 302 else ""
        assert location.startswith(f"{login}?next="), (getattr(user, "username", None), answer)


def test_the_matrix_covers_the_site() -> None:
    """The counts recorded in docs/architecture.md ("Route-permission matrix")."""
    pages = [r for r in ROUTES if not r.is_api and not r.is_admin]
    api = [r for r in ROUTES if r.is_api]
    objects = _cases(Access.OBJECT)
    assert len(pages) >= 90 and len(api) >= 30 and len(OPERATIONS) >= 40
    assert len(objects) >= 60
