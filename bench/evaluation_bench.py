"""Evaluation workflow on the national dataset: the teacher's submit, the principal's finalise.

Run by `make bench` after the staff bench (DATABASE_URL points at the national dataset).

Setup (idempotent, a few seconds): one open cycle over the national root for the current school
year; teachers picked at random from many primary and secondary schools across the provinces,
with their schools' principals; accounts for them (unusable passwords, sessions written in bulk,
so nobody logs in); and a fresh batch of evaluations every run: complete drafts (all 15 levels
and the BM1 texts filled) for the submit test, submitted evaluations for the finalise test. Every
request hits a different evaluation, as a submit or a finalise happens only once.

Measured, for each scenario (the page form POSTs; and the REST API's submit and finalise with
token authentication, when those routes exist):

* server time, in-process: django.test.Client through the full middleware stack, one request at
  a time (the same method as the staff bench), the share spent in SQL statements, and the
  queries of one request (CaptureQueriesContext);
* under load over HTTP: gunicorn (2 workers x 4 threads, as the staff bench) on 127.0.0.1 and
  50 client threads with keep-alive connections. Client-observed latency includes the wait for
  a free server thread; the server's own time per request is read from gunicorn's access log
  (``%(D)s``, from the parsed request to the last byte written); CPU per request of the gunicorn
  workers and their PostgreSQL backends comes from /proc. Throughput is compared with the
  trivial view's, measured on the same server just before each scenario (the machine is
  shared with other work, so the two halves of a ratio are measured as close together as can
  be);
* the upload of a 5 MB PDF evidence file (page and API) into a temporary MEDIA_ROOT.

Run it alone: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench
.venv/bin/python bench/evaluation_bench.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The site plus the trivial view this benchmark compares with (bench/urls.py); set, not
# defaulted: `make` exports the site's own settings. gunicorn inherits it.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("AXES_ENABLED", "0")
# Uploaded evidence goes to a throwaway MEDIA_ROOT (removed at the end), on the same disk as the
# real one (var/). Set before Django reads its settings; gunicorn inherits it.
MEDIA_DIR = Path(tempfile.mkdtemp(prefix="bench-media-", dir=ROOT / "var"))
atexit.register(shutil.rmtree, MEDIA_DIR, ignore_errors=True)
os.environ["MEDIA_ROOT"] = str(MEDIA_DIR)
import django

django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bench.common import machine, summary_ms, write_section
from opentemis.accounts.models import AuditEvent, RoleAssignment, User
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Cycle, CycleStatus, Evaluation, EvaluationKind, Status
from opentemis.evidence.models import Evidence, StoredFile
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.standards.services import (
    framework_apply_defaults,
    framework_for,
    load_builtin_frameworks,
)

PREFIX = "bench_eval_"  # usernames of the accounts this bench creates
SESSION_PREFIX = "bencheval"  # session keys of this bench (deleted and rewritten every run)
CSRF = "benchcsrf" + "x" * 23  # a 32-character CSRF secret, sent as cookie and header
LEVELS = ["Dat", "Kha", "Tot"]
TEXTS = {
    "strengths": "Nhiệt tình, có trách nhiệm; tích cực đổi mới phương pháp dạy học.",
    "improvements": "Ứng dụng công nghệ thông tin và chuyển đổi số trong dạy học.",
    "plan_goals": "Nâng cao năng lực ứng dụng CNTT và kiểm tra, đánh giá theo năng lực.",
    "plan_content": "Mô đun 3 và mô đun 9 (BDTX).",
    "plan_timing": "Tháng 6 - tháng 12",
    "plan_conditions": "Được nhà trường tạo điều kiện tham gia bồi dưỡng.",
}
SEQ_WARM = 10
LOAD_WARM = 100
PER_SCHOOL = 3
# Above this many cores used by other work during a run, its req/s say more about the neighbours
# than about the code: the trivial run is repeated, and a ratio is judged by CPU per request.
NOISE_CORES = 0.25
LOAD_HEADER = (
    "| run | requests | req/s | server p50 ms | server p95 ms | client p50 ms | client p95 ms "
    "| CPU ms | client cores | other cores |\n|---|---|---|---|---|---|---|---|---|---|"
)


@dataclass(frozen=True)
class Scenario:
    """An action (submit or finalise) through the pages (session) or the REST API (token)."""

    action: str
    api: bool = False

    @property
    def name(self) -> str:
        return f"{self.action} ({'API' if self.api else 'page'})"

    @property
    def expected(self) -> int:
        return 200 if self.api else 302

    def path(self, evaluation_id: int) -> str:
        if self.api:
            return f"/api/v1/evaluations/{evaluation_id}/{self.action}/"
        page = "self" if self.action == "submit" else "review"
        return f"/evaluations/{evaluation_id}/{page}/"

    @property
    def pattern(self) -> str:
        """The path as a regex, to pick its lines out of gunicorn's access log."""
        return re.escape(self.path(0)).replace("/0/", r"/\d+/")


PAGE = (Scenario("submit"), Scenario("finalise"))
API = (Scenario("submit", api=True), Scenario("finalise", api=True))


@dataclass
class Job:
    """One request: ``body`` POSTed for one evaluation with a session key or an API token."""

    scenario: Scenario
    evaluation_id: int
    credential: str
    body: str

    @property
    def path(self) -> str:
        return self.scenario.path(self.evaluation_id)


@dataclass
class Batch:
    cycle: Cycle
    jobs: dict[Scenario, list[Job]]
    teachers: int
    principals: int
    schools: int
    provinces: int
    uploader: User
    uploader_session: str
    uploader_token: str
    setup_seconds: float


# --- setup --------------------------------------------------------------------------------


def _levels(rng: random.Random, n: int) -> dict[str, str]:
    base = rng.choices(LEVELS, (0.15, 0.5, 0.35))[0]
    levels = {str(i): base for i in range(1, n + 1)}
    for i in rng.sample(range(1, n + 1), k=rng.randint(0, 4)):
        levels[str(i)] = rng.choice(LEVELS)
    return levels


def _open_cycle(year: SchoolYear, root: Unit) -> Cycle:
    admin, created = User.objects.get_or_create(
        username=f"{PREFIX}admin", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        admin.set_unusable_password()
        admin.save(update_fields=["password"])
    cycle = Cycle.objects.filter(school_year=year, unit=root).first()
    if cycle is None:
        today = timezone.localdate()
        cycle = services.cycle_open(
            actor=admin,
            unit=root,
            school_year=year,
            name=f"Bench: đánh giá chuẩn nghề nghiệp {year.code}",
            self_due=today + dt.timedelta(days=30),
            opinions_due=today + dt.timedelta(days=37),
            review_due=today + dt.timedelta(days=44),
        )
    elif cycle.status != CycleStatus.OPEN:
        Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN, finished_at=None)
        cycle.refresh_from_db()
    return cycle


def _pick(rng: random.Random, needed: int) -> tuple[list[Person], dict[int, int]]:
    """``needed`` teachers (GV, no manager position) of primary and secondary schools that have
    a principal, at most PER_SCHOOL per school, and {school id: principal person id}."""
    usable = Person.objects.filter(employment_status=EmploymentStatus.WORKING).filter(
        user__isnull=True
    ) | Person.objects.filter(
        employment_status=EmploymentStatus.WORKING, user__username__startswith=PREFIX
    )
    schools = sorted(
        set(
            Unit.objects.filter(kind="school", levels__code__in=["TH", "THCS", "THPT"]).values_list(
                "id", flat=True
            )
        )
    )
    rng.shuffle(schools)
    teachers: list[Person] = []
    principals: dict[int, int] = {}
    for start in range(0, len(schools), 400):
        chunk = schools[start : start + 400]
        heads: dict[int, int] = {}
        for person_id, unit_id in (
            usable.filter(unit_id__in=chunk, positions__code="HT")
            .order_by("id")
            .values_list("id", "unit_id")
        ):
            heads.setdefault(unit_id, person_id)
        by_school: dict[int, list[Person]] = {}
        for person in (
            usable.filter(unit_id__in=list(heads), positions__code="GV")
            .exclude(positions__is_manager=True)
            .only("id", "unit_id", "unit_path", "staff_code")
            .order_by("id")
        ):
            by_school.setdefault(person.unit_id, []).append(person)
        for unit_id in chunk:
            for person in by_school.get(unit_id, [])[:PER_SCHOOL]:
                teachers.append(person)
                principals[unit_id] = heads[unit_id]
                if len(teachers) == needed:
                    return teachers, principals
    raise SystemExit(f"only {len(teachers)} teachers found, {needed} needed")


def _accounts(person_ids: list[int]) -> dict[int, User]:
    """A bench account per person (created once, reused by later runs): {person id: user}."""
    existing = {u.person_id: u for u in User.objects.filter(person_id__in=person_ids)}
    missing = [pid for pid in person_ids if pid not in existing]
    User.objects.bulk_create(
        [
            User(username=f"{PREFIX}{pid}", person_id=pid, password=make_password(None))
            for pid in missing
        ],
        batch_size=1000,
    )
    if missing:
        existing.update({u.person_id: u for u in User.objects.filter(person_id__in=missing)})
    return existing


def _warm_grants(users: list[User]) -> None:
    """Role grants stored on the users' rows, as their earlier page views left them.

    Nobody submits from a cold start: the teacher opened the form (and autosaved) before, the
    principal opened the review page. Those requests stored the user's grants on the row
    (``accounts.permissions.role_grants``); this does the same in bulk, so the measured writes
    read no RoleAssignment, as in real use.
    """
    ids = [u.pk for u in users]
    grants: dict[int, list[list[str]]] = {pk: [] for pk in ids}
    for user_id, role, path in RoleAssignment.objects.filter(
        user_id__in=ids, is_active=True
    ).values_list("user_id", "role", "unit__path"):
        grants[user_id].append([role, path])
    rows = list(User.objects.filter(pk__in=ids).only("pk", "roles_version"))
    for row in rows:
        row.grants_cache = {"v": row.roles_version, "g": grants[row.pk]}
    User.objects.bulk_update(rows, ["grants_cache"], batch_size=1000)


def _sessions(users: list[User]) -> dict[int, str]:
    """A fresh logged-in session per user, written in bulk: {user id: session key}."""
    Session.objects.filter(session_key__startswith=SESSION_PREFIX).delete()
    store = SessionStore()
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    expires = timezone.now() + dt.timedelta(days=1)
    keys: dict[int, str] = {}
    rows = []
    for user in users:
        key = SESSION_PREFIX + secrets.token_hex(12)
        keys[user.pk] = key
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def _tokens(users: list[User]) -> dict[int, str]:
    """An API token per user (kept between runs): {user id: key}."""
    have = dict(Token.objects.filter(user__in=users).values_list("user_id", "key"))
    new = [Token(key=Token.generate_key(), user=u) for u in users if u.pk not in have]
    Token.objects.bulk_create(new, batch_size=1000)
    have.update({t.user_id: t.key for t in new})
    return have


def _body(scenario: Scenario, criteria: list[int], levels: dict[str, str]) -> str:
    """What the page form (or an API client) sends: every field, as a browser does."""
    if scenario.action == "submit" and scenario.api:
        data = {"version": 1, "levels": levels, "notes": {}, "priority_criteria": [15], **TEXTS}
        return json.dumps(data, ensure_ascii=False)
    if scenario.action == "submit":
        form = [("action", "submit"), ("version", "1")]
        form += [(f"level_{n}", levels[str(n)]) for n in criteria]
        form += [(f"note_{n}", "") for n in criteria]
        form += [*TEXTS.items(), ("priority", "15")]
        return urlencode(form)
    note = "Đồng ý với kết quả tự đánh giá."
    if scenario.api:
        return json.dumps({"version": 1, "levels": levels, "comments": {}, "note": note})
    form = [("action", "finalise"), ("version", "1")]
    form += [(f"level_{n}", levels[str(n)]) for n in criteria]
    form += [(f"comment_{n}", "") for n in criteria]
    form += [("review_note", note)]
    return urlencode(form)


def setup(per_scenario: int, scenarios: tuple[Scenario, ...], seed: int) -> Batch:
    """A fresh batch: ``per_scenario`` evaluations (one teacher each) for every scenario."""
    started = time.perf_counter()
    rng = random.Random(seed)
    with system_scope():
        load_builtin_frameworks()
        year = SchoolYear.objects.get(is_current=True)
        root = Unit.objects.get(depth=1)
        framework_apply_defaults(school_year=year)
        framework = framework_for(school_year=year, position="GV", level="THCS")
        assert framework is not None, "no framework applies to GV/THCS"
        criteria = sorted(services.rule_set_for(framework).criteria)
        cycle = _open_cycle(year, root)
        # A fresh batch every run: this cycle holds only the bench's evaluations.
        Evaluation.objects.filter(cycle=cycle).delete()
        AuditEvent.objects.filter(actor__username__startswith=PREFIX).delete()

        teachers, principal_of = _pick(rng, per_scenario * len(scenarios))
        uploader_person = teachers[0]
        users = _accounts([p.pk for p in teachers] + sorted(set(principal_of.values())))
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=users[p.pk], role="teacher", unit_id=p.unit_id) for p in teachers]
            + [
                RoleAssignment(user=users[pid], role="principal", unit_id=school)
                for school, pid in principal_of.items()
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        _warm_grants(list(users.values()))
        sessions = _sessions(list(users.values()))
        uploader = users[uploader_person.pk]
        if any(s.api for s in scenarios):
            tokens = _tokens(list(users.values()))
        else:
            tokens = _tokens([uploader])
        Evidence.objects.filter(owner=uploader_person).delete()

        now = timezone.now()
        rows: list[Evaluation] = []
        for i, person in enumerate(teachers):
            levels = _levels(rng, len(criteria))
            evaluation = Evaluation(
                cycle=cycle,
                person=person,
                framework=framework,
                kind=EvaluationKind.TEACHER,
                unit_id=person.unit_id,
                unit_path=person.unit_path,
                status=Status.DRAFT,
                self_levels=levels,
                priority_criteria=[15],
                **TEXTS,
            )
            if scenarios[i // per_scenario].action == "finalise":  # waiting for the principal
                evaluation.status = Status.SUBMITTED
                evaluation.self_rating = services.rate_levels(framework, levels).level.code
                evaluation.submitted_at = now - dt.timedelta(hours=rng.randint(1, 100))
            rows.append(evaluation)
        Evaluation.objects.bulk_create(rows, batch_size=1000)

    jobs: dict[Scenario, list[Job]] = {s: [] for s in scenarios}
    for i, (person, evaluation) in enumerate(zip(teachers, rows, strict=True)):
        scenario = scenarios[i // per_scenario]
        levels = evaluation.self_levels
        if scenario.action == "submit":
            actor = users[person.pk]
        else:
            actor = users[principal_of[person.unit_id]]
            # The principal mostly agrees with the person, sometimes one level lower.
            levels = {
                k: ("Dat" if v == "Kha" and rng.random() < 0.05 else v) for k, v in levels.items()
            }
        credential = tokens[actor.pk] if scenario.api else sessions[actor.pk]
        body = _body(scenario, criteria, levels)
        jobs[scenario].append(Job(scenario, evaluation.pk, credential, body))
    return Batch(
        cycle=cycle,
        jobs=jobs,
        teachers=len(teachers),
        principals=len(set(principal_of.values())),
        schools=len({p.unit_id for p in teachers}),
        provinces=len({p.unit_path[:8] for p in teachers}),
        uploader=uploader,
        uploader_session=sessions[uploader.pk],
        uploader_token=tokens[uploader.pk],
        setup_seconds=time.perf_counter() - started,
    )


# --- in-process server time -----------------------------------------------------------------


SUCCEEDED: Counter = Counter()  # successful requests per action, checked against the database


def _post(client: Client, job: Job) -> Any:
    if job.scenario.api:
        response = client.post(
            job.path,
            data=job.body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {job.credential}",
        )
    else:
        client.cookies["sessionid"] = job.credential
        response = client.post(
            job.path, data=job.body, content_type="application/x-www-form-urlencoded"
        )
    if response.status_code != job.scenario.expected:
        raise RuntimeError(
            f"{job.scenario.name} {job.path}: HTTP {response.status_code} "
            f"{response.content[:300]!r}"
        )
    SUCCEEDED[job.scenario.action] += 1
    return response


def _label(sql: str) -> str:
    """A short name for a query: verb and main table."""
    verb = sql.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"([a-z_]+)"', sql)
    return f"{verb} {match.group(1) if match else '?'}"


def server_time(jobs: list[Job], n: int) -> dict[str, Any]:
    """p50/p95 of ``n`` sequential requests, the time their SQL statements took (execute,
    round trip included; BEGIN/COMMIT not seen), and the queries of one (warm) request."""
    client = Client()
    for job in jobs[: SEQ_WARM - 1]:
        _post(client, job)
    with CaptureQueriesContext(connection) as ctx:
        _post(client, jobs[SEQ_WARM - 1])
    queries = [_label(q["sql"]) for q in ctx.captured_queries]
    by_label: Counter = Counter()
    sql_now = [0.0]

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            sql_now[0] += spent
            by_label[_label(sql)] += spent

    samples, sql_samples = [], []
    with connection.execute_wrapper(timer):
        for job in jobs[SEQ_WARM : SEQ_WARM + n]:
            sql_now[0] = 0.0
            started = time.perf_counter()
            _post(client, job)
            samples.append(time.perf_counter() - started)
            sql_samples.append(sql_now[0])
    return {
        **summary_ms(samples),
        "sql_mean": round(statistics.fmean(sql_samples) * 1000, 1),
        "sql_by_statement": {
            label: round(spent / n * 1000, 2) for label, spent in by_label.most_common()
        },
        "queries": queries,
    }


def trivial_in_process(session: str, n: int) -> dict[str, Any]:
    """The baseline: middleware, session and user lookups, no view work."""
    client = Client()
    client.cookies["sessionid"] = session
    samples = []
    for i in range(n + SEQ_WARM):
        started = time.perf_counter()
        response = client.get("/bench/trivial")
        if i >= SEQ_WARM:
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get("/bench/trivial")
    return {**summary_ms(samples), "queries": len(ctx.captured_queries)}


# --- HTTP load ------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]


@dataclass
class LoadResult:
    done: int
    seconds: float
    latencies: list[float]
    statuses: Counter

    @property
    def rps(self) -> float:
        return self.done / self.seconds


def _http_request(job: Job) -> Request:
    if job.scenario.api:
        headers = {
            "Authorization": f"Token {job.credential}",
            "Content-Type": "application/json",
        }
    else:
        headers = {
            "Cookie": f"sessionid={job.credential}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        }
    return Request("POST", job.path, job.body.encode(), headers)


def _load(
    port: int, requests: Iterator[Request], threads: int, seconds: float | None = None
) -> LoadResult:
    """``threads`` clients, each on one keep-alive connection, send ``requests`` until they run
    out (or ``seconds`` pass)."""
    lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(threads)]
    statuses: list[Counter] = [Counter() for _ in range(threads)]
    stop = time.perf_counter() + seconds if seconds else float("inf")
    errors: list[BaseException] = []

    def next_request() -> Request | None:
        with lock:
            return next(requests, None)

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while time.perf_counter() < stop:
                req = next_request()
                if req is None:
                    break
                started = time.perf_counter()
                conn.request(req.method, req.path, body=req.body, headers=req.headers)
                response = conn.getresponse()
                response.read()
                latencies[i].append(time.perf_counter() - started)
                statuses[i][response.status] += 1
        except BaseException as exc:  # reported below, after the other threads finish
            errors.append(exc)
        finally:
            conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} client errors, first: {errors[0]!r}")
    flat = [x for per in latencies for x in per]
    total: Counter = Counter()
    for c in statuses:
        total.update(c)
    return LoadResult(len(flat), elapsed, flat, total)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _ppid(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else -1


def _cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores, from /proc/stat)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(spent - before.get(pid, 0.0) for pid, spent in after.items())


class Server:
    """gunicorn on 127.0.0.1 with an access log of path, status and server time (µs)."""

    def __init__(self, port: int, workers: int, threads: int, log: Path) -> None:
        self.port, self.log = port, log
        self.args = [
            sys.executable,
            "-m",
            "gunicorn",
            "opentemis.wsgi",
            "--pythonpath",  # bench.settings and bench.urls, wherever the script is run from
            str(ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        ]

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(self.args, env={**os.environ})
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        time.sleep(1)  # the second worker
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def cpu(self) -> dict[int, float]:
        """CPU seconds used so far by each gunicorn worker and each PostgreSQL backend serving
        this database (other than this script's own connection)."""
        pids = [
            int(d) for d in os.listdir("/proc") if d.isdigit() and _ppid(int(d)) == self.proc.pid
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            pids += [row[0] for row in cursor.fetchall()]
        return {pid: _cpu_seconds(pid) for pid in pids}

    def mark(self) -> int:
        time.sleep(0.5)  # let the workers write their last lines
        return self.log.stat().st_size if self.log.exists() else 0

    def server_ms(self, since: int, pattern: str) -> dict[str, float]:
        """Server time of the requests logged after offset ``since`` whose path matches."""
        time.sleep(0.5)
        with self.log.open("rb") as fh:
            fh.seek(since)
            lines = fh.read().decode().splitlines()
        samples = []
        for line in lines:
            parts = line.split()
            if len(parts) == 4 and re.fullmatch(pattern, parts[1]):
                samples.append(int(parts[3]) / 1e6)
        return summary_ms(samples)


def _measure(
    server: Server,
    requests: Iterator[Request],
    threads: int,
    pattern: str,
    seconds: float | None = None,
) -> tuple[LoadResult, dict[str, Any]]:
    mark = server.mark()
    cpu_before, own_before, busy_before = server.cpu(), _cpu_seconds(os.getpid()), _machine_busy()
    result = _load(server.port, requests, threads, seconds)
    cpu = _cpu_used(cpu_before, server.cpu())
    own = _cpu_seconds(os.getpid()) - own_before
    others = _machine_busy() - busy_before - cpu - own
    return result, {
        "requests": result.done,
        "seconds": round(result.seconds, 1),
        "rps": round(result.rps, 1),
        "client_ms": summary_ms(result.latencies),
        "server_ms": server.server_ms(mark, pattern),
        "cpu_ms": round(cpu / result.done * 1000, 2),
        # Cores kept busy meanwhile by the load generator (this process) and by everything
        # else on the machine (other users' work, PostgreSQL's background processes).
        "client_cores": round(own / result.seconds, 2),
        "other_cores": round(max(others, 0.0) / result.seconds, 2),
    }


def _under_load(server: Server, jobs: list[Job], threads: int) -> dict[str, Any]:
    """The scenario's requests (after LOAD_WARM warm-up ones) from ``threads`` clients."""
    scenario = jobs[0].scenario
    warm = _load(server.port, iter([_http_request(j) for j in jobs[:LOAD_WARM]]), threads)
    requests = iter([_http_request(j) for j in jobs[LOAD_WARM:]])
    result, figures = _measure(server, requests, threads, scenario.pattern)
    SUCCEEDED[scenario.action] += (
        warm.statuses[scenario.expected] + result.statuses[scenario.expected]
    )
    if set(warm.statuses) | set(result.statuses) != {scenario.expected}:
        raise RuntimeError(f"{scenario.name}: HTTP statuses {result.statuses + warm.statuses}")
    return figures


def _trivial(server: Server, threads: int, seconds: float, session: str) -> dict[str, Any]:
    def forever() -> Iterator[Request]:
        request = Request("GET", "/bench/trivial", None, {"Cookie": f"sessionid={session}"})
        while True:
            yield request

    _load(server.port, forever(), threads, 1)
    result, figures = _measure(server, forever(), threads, r"/bench/trivial", seconds)
    if set(result.statuses) != {200}:
        raise RuntimeError(f"trivial view: HTTP statuses {result.statuses}")
    return figures


# --- evidence upload ------------------------------------------------------------------------


def _pdf(size: int) -> bytes:
    """A PDF-looking file of exactly ``size`` bytes, different every time (no dedup)."""
    head, tail = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def _multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----bench" + secrets.token_hex(8)
    parts = []
    for key, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{key}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def uploads(server: Server, batch: Batch, runs: int, size: int) -> dict[str, Any]:
    """Wall time of uploading a fresh 5 MB PDF, through the page and through the API."""
    out: dict[str, Any] = {}
    for variant in ("page", "api"):
        walls = []
        mark = server.mark()
        for i in range(runs):
            if variant == "page":
                body, ctype = _multipart(
                    {"up-title": f"Bench page {i}"}, "up-file", f"bench{i}.pdf", _pdf(size)
                )
                path = "/evidence/upload/"
                headers = {
                    "Cookie": f"sessionid={batch.uploader_session}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                }
                expected = 302
            else:
                body, ctype = _multipart(
                    {"title": f"Bench API {i}"}, "file", f"bench{i}.pdf", _pdf(size)
                )
                path = "/api/v1/evidence/"
                headers = {"Authorization": f"Token {batch.uploader_token}"}
                expected = 201
            headers |= {"Content-Type": ctype, "Content-Length": str(len(body))}
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            walls.append(time.perf_counter() - started)
            conn.close()
            if response.status != expected:
                raise RuntimeError(f"upload via {variant}: HTTP {response.status}")
        pattern = r"/evidence/upload/" if variant == "page" else r"/api/v1/evidence/"
        out[variant] = {
            "runs": runs,
            "median_ms": round(statistics.median(walls) * 1000, 1),
            "min_ms": round(min(walls) * 1000, 1),
            "max_ms": round(max(walls) * 1000, 1),
            "server_ms": server.server_ms(mark, pattern),
        }
    return out


# --- main -----------------------------------------------------------------------------------


def _api_routes() -> bool:
    """Whether the evaluation API's submit and finalise exist (it was being written)."""
    try:
        for action in ("submit", "finalise"):
            resolve(Scenario(action, api=True).path(1))
    except Resolver404:
        return False
    return True


def _verify(batch: Batch) -> dict[str, int]:
    """Every successful request changed its evaluation: count the statuses in the database."""
    with system_scope():
        counts = Counter(
            Evaluation.objects.filter(cycle=batch.cycle).values_list("status", flat=True)
        )
    finalise_total = sum(len(j) for s, j in batch.jobs.items() if s.action == "finalise")
    expected_submitted = SUCCEEDED["submit"] + finalise_total - SUCCEEDED["finalise"]
    if counts[Status.FINALISED] != SUCCEEDED["finalise"] or (
        counts[Status.SUBMITTED] != expected_submitted
    ):
        raise RuntimeError(f"database has {dict(counts)}, requests succeeded: {SUCCEEDED}")
    return dict(counts)


def _cleanup_uploads(batch: Batch) -> None:
    with system_scope():
        items = Evidence.objects.filter(owner_id=batch.uploader.person_id)
        stored = list(items.values_list("stored_file_id", flat=True))
        items.delete()
        StoredFile.objects.filter(pk__in=stored, items__isnull=True).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seq", type=int, default=200, help="sequential requests per scenario")
    parser.add_argument("--load", type=int, default=2000, help="requests per scenario under load")
    parser.add_argument("--clients", type=int, default=50, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--trivial-seconds", type=float, default=8.0)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--upload-mb", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--port", type=int, default=18766)
    parser.add_argument("--no-api", action="store_true", help="pages only, even if the API exists")
    parser.add_argument("--write", type=Path, help="update this markdown file")
    args = parser.parse_args()

    scenarios = PAGE + (API if _api_routes() and not args.no_api else ())
    per_scenario = SEQ_WARM + args.seq + LOAD_WARM + args.load
    batch = None
    try:
        batch = setup(per_scenario, scenarios, args.seed)
        print(
            f"setup {batch.setup_seconds:.1f} s: {batch.teachers} teachers, "
            f"{batch.principals} principals, {batch.schools} schools, {batch.provinces} provinces",
            flush=True,
        )
        with system_scope():
            staff_total = Person.objects.count()
            school_total = Unit.objects.filter(kind="school").count()

        seq: dict[str, dict[str, Any]] = {}
        errors: dict[str, str] = {}
        trivial_seq = trivial_in_process(batch.uploader_session, args.seq)
        print("in-process trivial", trivial_seq, flush=True)
        for scenario in scenarios:
            try:
                seq[scenario.name] = server_time(batch.jobs[scenario], args.seq)
            except RuntimeError as exc:
                if not scenario.api:
                    raise
                errors[scenario.name] = str(exc)  # the API is new: report, go on with the rest
            print("in-process", scenario.name, seq.get(scenario.name), flush=True)

        log = MEDIA_DIR / "access.log"
        loads: dict[str, dict[str, Any]] = {}
        with Server(args.port, args.workers, args.threads, log) as server:
            trivials = []
            for scenario in scenarios:
                if scenario.name in errors:
                    continue
                # The trivial view just before each scenario: the machine is shared, so what
                # else runs on it changes between the two halves of a ratio as little as can be.
                for _attempt in range(3):
                    trivial = _trivial(
                        server, args.clients, args.trivial_seconds, batch.uploader_session
                    )
                    if trivial["other_cores"] <= NOISE_CORES:
                        break
                trivials.append(trivial)
                print("trivial", trivial, flush=True)
                rest = batch.jobs[scenario][SEQ_WARM + args.seq :]
                try:
                    loads[scenario.name] = _under_load(server, rest, args.clients)
                    loads[scenario.name]["trivial"] = trivial
                except RuntimeError as exc:
                    if not scenario.api:
                        raise
                    errors[scenario.name] = str(exc)
                print(scenario.name, loads.get(scenario.name), flush=True)
            upload = uploads(server, batch, args.uploads, int(args.upload_mb * 1024 * 1024))
            print("upload", upload, flush=True)
        counts = _verify(batch)
    finally:
        if batch is not None:
            _cleanup_uploads(batch)
        shutil.rmtree(MEDIA_DIR, ignore_errors=True)

    result = {
        "staff_total": staff_total,
        "school_total": school_total,
        "teachers": batch.teachers,
        "principals": batch.principals,
        "schools": batch.schools,
        "provinces": batch.provinces,
        "setup_seconds": round(batch.setup_seconds, 1),
        "in_process_ms": seq,
        "trivial_in_process_ms": trivial_seq,
        "trivial_runs": trivials,
        "load": loads,
        "ratio": {name: round(x["rps"] / x["trivial"]["rps"], 3) for name, x in loads.items()},
        "cpu_ratio": {
            name: round(x["trivial"]["cpu_ms"] / x["cpu_ms"], 3) for name, x in loads.items()
        },
        "upload": upload,
        "statuses_after": counts,
        "errors": errors,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    if args.write:
        write_section(args.write, "evaluation-bench", _report(args, result))


def _queries(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{n}× {label}" if n > 1 else label for label, n in counts.items())


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _report(args: argparse.Namespace, r: dict[str, Any]) -> str:
    seq, load, up = r["in_process_ms"], r["load"], r["upload"]
    tseq = r["trivial_in_process_ms"]
    rows_seq = (
        f"| trivial view | {tseq['n']} | {tseq['p50']} | {tseq['p95']} | {tseq['mean']} | | "
        f"{tseq['queries']} |\n"
    )
    rows_seq += "\n".join(
        f"| {name} | {s['n']} | {s['p50']} | {s['p95']} | {s['mean']} | {s['sql_mean']} | "
        f"{len(s['queries'])} |"
        for name, s in seq.items()
    )
    queries = "\n".join(
        f"- {name}: {_queries(s['queries'])}. Slowest statements (mean ms per request): "
        + ", ".join(f"{label} {ms}" for label, ms in list(s["sql_by_statement"].items())[:3])
        + "."
        for name, s in seq.items()
    )
    runs = []
    for name, x in load.items():
        runs += [("trivial view", x["trivial"]), (f"**{name}**", x)]
    rows_load = "\n".join(
        f"| {name} | {x['requests']:,} | {x['rps']} | {x['server_ms']['p50']} | "
        f"{x['server_ms']['p95']} | {x['client_ms']['p50']} | {x['client_ms']['p95']} | "
        f"{x['cpu_ms']} | {x['client_cores']} | {x['other_cores']} |"
        for name, x in runs
    )
    in_flight = args.workers * args.threads
    little = ", ".join(
        f"{name} {in_flight / x['rps'] * 1000:.0f} ms" for name, x in load.items() if x["rps"]
    )
    target_rows = []
    for name, x in load.items():
        target_rows.append(
            f"| {name} | p95 server time < 200 ms, alone (in-process) | {seq[name]['p95']} ms | "
            f"{_verdict(seq[name]['p95'] < 200)} |"
        )
        target_rows.append(
            f"| {name} | p95 server time < 200 ms, under load (gunicorn) | "
            f"{x['server_ms']['p95']} ms | {_verdict(x['server_ms']['p95'] < 200)} |"
        )
        others = max(x["other_cores"], x["trivial"]["other_cores"])
        disturbed = others > NOISE_CORES
        judged = r["cpu_ratio"][name] if disturbed else r["ratio"][name]
        note = (
            f"; disturbed (other work used up to {others} cores), judged by CPU per request"
            if disturbed
            else ""
        )
        target_rows.append(
            f"| {name} | throughput ≥ 25 % of the trivial view's | {x['rps']} / "
            f"{x['trivial']['rps']} req/s = **{r['ratio'][name]:.1%}** (CPU per request: "
            f"{x['trivial']['cpu_ms']} / {x['cpu_ms']} ms = {r['cpu_ratio'][name]:.1%}{note}) | "
            f"{_verdict(judged >= 0.25)} |"
        )
    targets = "\n".join(target_rows)
    rows_up = "\n".join(
        f"| {label} | **{x['median_ms']}** | {x['min_ms']} | {x['max_ms']} | "
        f"{x['server_ms']['p50']} |"
        for label, x in (
            ("page `POST /evidence/upload/`", up["page"]),
            ("API `POST /api/v1/evidence/`", up["api"]),
        )
    )
    errors = "".join(f"\n\n{name} was not measured: {msg}" for name, msg in r["errors"].items())
    api = any("API" in name for name in seq) or r["errors"]
    requests = (
        "The page requests are the forms' real POSTs: `/evaluations/<pk>/self/` with "
        "`action=submit`, the 15 levels and the BM1 texts (the teacher), and "
        "`/evaluations/<pk>/review/` with `action=finalise` and the 15 review levels (the "
        "principal, `principal` role on the school); both answer a redirect (302), not followed."
    )
    if api:
        requests += (
            " The API requests are `POST /api/v1/evaluations/<pk>/submit/` and `/finalise/` "
            "with token authentication and the same data as JSON (with `version`); they answer "
            "200 with the whole record as the caller now sees it."
        )
    mb = args.upload_mb
    command = (
        f"bench/evaluation_bench.py --seq {args.seq} --load {args.load} --clients {args.clients}"
    )
    return f"""## Evaluation workflow (issue 3)

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {machine()}.
Command: `make bench` (runs `{command}` against
`DATABASE_URL=postgresql://…/opentemis_bench` holding `opentemis synth --size national`:
{r["staff_total"]:,} staff, {r["school_total"]:,} schools).
One open cycle over the whole country. {r["teachers"]:,} teachers (GV) of {r["schools"]:,}
primary and secondary schools in {r["provinces"]} provinces, and the {r["principals"]:,}
principals of those schools, get a fresh batch of evaluations every run (setup
{r["setup_seconds"]:g} s): complete drafts (15 levels and the BM1 texts) for the submits,
submitted self-evaluations for the finalisations. Every request hits a different evaluation
({SEQ_WARM + args.seq + LOAD_WARM + args.load:,} per scenario). {requests}

Server time, in-process (django.test.Client through the full middleware stack, one request at
a time, after {SEQ_WARM} warm-up requests):

| scenario | requests | p50 ms | p95 ms | mean ms | of which SQL, mean ms | SQL queries |
|---|---|---|---|---|---|---|
{rows_seq}

"Of which SQL" is the time spent executing statements (round trips included, COMMIT not
seen); the rest is Python: middleware, session and user (the trivial view's time), the ORM, the
view or API serializers and the service. Queries of one request (CaptureQueriesContext, BEGIN
and COMMIT of the service's transaction included):

{queries}

Under load over HTTP: gunicorn {args.workers} workers × {args.threads} threads on 127.0.0.1,
{args.clients} concurrent clients (threads with keep-alive connections) on the same 2 cores as
gunicorn and PostgreSQL, after {LOAD_WARM} warm-up requests per scenario. *Server* time is
gunicorn's own time per request (access log `%(D)s`, from the parsed request to the last byte
written: it excludes the wait for a free server thread, but includes waiting for the CPU that
the other threads, PostgreSQL and the clients share). *Client* time is what a client waited,
queue included ({args.clients} clients for {args.workers * args.threads} server threads). *CPU*
is the CPU time of the gunicorn workers and of the PostgreSQL backends serving them, per request
(from `/proc`): it depends much less than req/s on what else the shared machine runs. *Client
cores* and *other cores*: the CPU the load generator used meanwhile, and what everything else
on the machine used (other work, PostgreSQL's background processes), of the 2 cores. The
trivial view (`/bench/trivial`, with a session cookie, as in the staff bench) ran for
{args.trivial_seconds:g} s just before each scenario on the same server (again, up to 3 times,
while other work used more than {NOISE_CORES} cores), and each ratio uses the run just before
it. A ratio whose runs were disturbed by other work is judged by CPU per request instead.

{LOAD_HEADER}
{rows_load}

By Little's law, {in_flight} server threads busy at that throughput hold each request for
{in_flight} / throughput on average: {little}. The server time under load is set by the
throughput (the CPU cost of a request on these 2 cores), not by a slow statement.

| scenario | target | measured | |
|---|---|---|---|
{targets}{errors}

Upload of a {mb:g} MB PDF evidence file (`%PDF-1.4` header, random filler so that every file
is new, `%%EOF`), one at a time over HTTP on the same server when idle, {up["page"]["runs"]} runs
each. Wall time as the client sees it: sending {mb:g} MB over loopback, multipart parsing into a
temporary file, content check, SHA-256, storage write (local FileSystemStorage, a temporary
`MEDIA_ROOT` under `var/`, removed afterwards; on the same disk as the upload's temporary file,
so the file is moved into place) and the database rows:

| endpoint | median ms | min ms | max ms | server p50 ms |
|---|---|---|---|---|
{rows_up}
"""


if __name__ == "__main__":
    main()
