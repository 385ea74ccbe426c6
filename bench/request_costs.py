"""CPU cost per request type, split between the application and the database (issue 15, point 7).

Each request runs in this process through Django's full middleware stack (django.test.Client,
one request at a time, signed in as the person who makes it). Per request it reads:

* *app*: ``time.process_time()`` of this process around the request (the Django code, the
  template, psycopg's side of the protocol; the test client's own work is a small part);
* *db*: the CPU time of this connection's PostgreSQL backend (``SELECT pg_backend_pid()``),
  from ``/proc/<pid>/schedstat`` (nanoseconds; the script runs on the database's host). The
  write-ahead-log writer, the checkpointer and autovacuum are not counted.

Request types (the journeys of docs/capacity.md): sign-in with PBKDF2 (the production hasher)
and with argon2id at OWASP's m=19 MiB, t=2, p=1; a teacher's home, course page and BM1 form;
a self-evaluation autosave and submit; a test's start, answer and finish (REST API, as the
learning bench's rush); a video progress report (the player's form post); a school's and a
province's TEMIS report page; the progress page of a course (province officer).

Writes hit fresh objects (drafts made by the evaluation bench's setup, learners with no
attempt), so each request is the real first write and COMMIT. Medians and p90 per type, and
the mean, which is what capacity follows; the JSON (``--json``) feeds ``bench/capacity.py``.

Dataset: the demo on top of a synthetic province (commands in docs/capacity.md), or the
national one (read-mostly: only the bench's own rows are written). Run:

    DATABASE_URL=postgresql://…/<db> .venv/bin/python bench/request_costs.py \
        --n 40 --json docs/capacity-costs.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Sign-in as in production: the lockout (django-axes) on. Set before Django reads its settings.
os.environ["AXES_ENABLED"] = "1"
# Importing the evaluation bench sets bench.settings and Django up: first.
import bench.evaluation_bench as eb  # isort: skip

from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    make_password,
)
from django.db import connection
from django.test import Client, override_settings

from bench.common import machine, percentile, sample_answer
from bench.learning_bench import _hooks, learners
from bench.learning_dataset import national_courses
from opentemis.accounts.models import RoleAssignment, User
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity, Course, Enrolment
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.quizzes.models import Quiz
from opentemis.staff.models import EmploymentStatus, Person

PASSWORD = "Bench-Chi-Phi-2026!"


class OwaspArgon2Hasher(Argon2PasswordHasher):
    """argon2id with OWASP's minimum (m=19 MiB, t=2, p=1), the parameters the password helper
    of issue 15 adopts; Django's own defaults are m=100 MiB, p=8."""

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19456
    parallelism = 1


ARGON2_PATH = f"{__name__}.OwaspArgon2Hasher"


# --- measuring ---------------------------------------------------------------------------------


class Meter:
    """CPU of this process and of its PostgreSQL backend around one call."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.pid = self._backend_pid()
        self.samples: dict[str, dict[str, list[float]]] = {}

    @staticmethod
    def _backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])

    def _db_ns(self) -> int:
        with open(f"/proc/{self.pid}/schedstat") as fh:
            return int(fh.read().split()[0])

    def time(self, kind: str, call: Callable[[], Any], expected: int) -> Any:
        db0, app0, wall0 = self._db_ns(), time.process_time(), time.perf_counter()
        response = call()
        wall, app, db = time.perf_counter(), time.process_time(), self._db_ns()
        if response.status_code != expected:
            raise RuntimeError(
                f"{kind}: HTTP {response.status_code}, expected {expected}: "
                f"{response.content[:300]!r}"
            )
        if self._backend_pid() != self.pid:  # a new connection: its CPU was not followed
            raise RuntimeError(f"{kind}: the database connection changed during the request")
        got = self.samples.setdefault(kind, {"app": [], "db": [], "wall": []})
        got["app"].append((app - app0) * 1000)
        got["db"].append((db - db0) / 1e6)
        got["wall"].append((wall - wall0) * 1000)
        return response

    def drop_warmup(self, kind: str, warmup: int) -> None:
        for values in self.samples[kind].values():
            del values[:warmup]


def summarise(values: dict[str, list[float]]) -> dict[str, Any]:
    total = [a + d for a, d in zip(values["app"], values["db"], strict=True)]
    out: dict[str, Any] = {"n": len(total)}
    for name, series in (("app", values["app"]), ("db", values["db"]), ("total", total)):
        out[f"{name}_p50"] = round(percentile(series, 50), 2)
        out[f"{name}_p90"] = round(percentile(series, 90), 2)
        out[f"{name}_mean"] = round(statistics.fmean(series), 2)
    out["wall_p50"] = round(percentile(values["wall"], 50), 2)
    return out


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- the people and objects -----------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _warm(user: User, url: str) -> Client:
    """A signed-in client that has opened ``url`` (not timed). A test client's first request
    builds Django's middleware (WhiteNoise indexes every static file: about 40 ms), which a
    server does once per worker; and users reach a write through a page."""
    client = _client(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return client


def _demo_users() -> tuple[User, User, User]:
    teacher = User.objects.get(username="giaovien")
    principal = User.objects.get(username="hieutruong")
    officer = User.objects.get(username="so")
    return teacher, principal, officer


def _own_evaluation_page(client: Client) -> str:
    """Where "my evaluation" leads the teacher (the BM1 form of a draft, the record once
    submitted): the page measured."""
    url = "/evaluations/me/"
    for _ in range(3):
        response = client.get(url)
        if response.status_code != 302:
            return url
        url = response["Location"]
    raise RuntimeError(f"my evaluation: too many redirects, last {url}")


# --- the request types -----------------------------------------------------------------------


def sign_in(
    meter: Meter, users: list[User], kind: str, hasher: str | None, warmup: int, api: bool = False
) -> None:
    """``POST /login/`` (the form; ``api``: ``POST /api/v1/auth/token/``, as the cluster rush
    signs in) with the right password, each user once, from a browser with no cookies.

    One test client for all (its cookies cleared before each): a new client's first request
    builds Django's middleware again, and WhiteNoise then indexes every static file (about
    40 ms here), which a server does once per worker, not per sign-in."""
    settings_hashers = (
        [ARGON2_PATH, "django.contrib.auth.hashers.PBKDF2PasswordHasher"] if hasher else None
    )

    def run() -> None:
        encoded = make_password(PASSWORD)  # the first configured hasher
        User.objects.filter(pk__in=[u.pk for u in users]).update(password=encoded)
        client = Client(REMOTE_ADDR="10.1.2.3")
        client.get("/login/")  # the handler built: not timed
        for user in users:
            client.cookies.clear()
            if api:
                meter.time(
                    kind,
                    lambda c=client, u=user: c.post(
                        "/api/v1/auth/token/",
                        {"username": u.username, "password": PASSWORD},
                        content_type="application/json",
                    ),
                    200,
                )
                continue
            meter.time(
                kind,
                lambda c=client, u=user: c.post(
                    "/login/", {"username": u.username, "password": PASSWORD}
                ),
                302,
            )

    if settings_hashers:
        with override_settings(PASSWORD_HASHERS=settings_hashers):
            run()
    else:
        run()
    meter.drop_warmup(kind, warmup)


def page_views(meter: Meter, n: int, warmup: int, course: Course) -> None:
    teacher, principal, officer = _demo_users()
    # The demo teacher is enrolled in the bench course (everyone at work is).
    teacher_client = _client(teacher)
    mine = _own_evaluation_page(teacher_client)
    principal_client = _client(principal)
    officer_client = _client(officer)
    school = principal.person.unit_id if principal.person else None
    province = RoleAssignment.objects.get(user=officer, role="unit_officer").unit_id
    pages: list[tuple[str, Client, str]] = [
        # The bench URL conf's view that does nothing (session and user read): the yardstick
        # of the machine's speed during this run (about 1.5 ms on a quiet machine).
        ("trivial view (teacher)", teacher_client, "/bench/trivial"),
        ("home (teacher)", teacher_client, "/"),
        ("course page (teacher)", teacher_client, f"/learn/courses/{course.pk}/"),
        ("my evaluation (teacher)", teacher_client, mine),
        ("TEMIS report, school (principal)", principal_client, f"/reports/unit/{school}/"),
        ("TEMIS report, province (officer)", officer_client, f"/reports/unit/{province}/"),
        (
            "course progress, province (officer)",
            officer_client,
            f"/learn/courses/{course.pk}/progress/",
        ),
    ]
    for kind, client, url in pages:
        for _ in range(n + warmup):
            meter.time(kind, lambda c=client, u=url: c.get(u), 200)
        meter.drop_warmup(kind, warmup)
        print(kind, summarise(meter.samples[kind]), flush=True)
    # The cluster rush's report readers: the officer's unit through the REST API, by token.
    token = eb._tokens([officer])[officer.pk]
    kind = "TEMIS report, province, API (officer)"
    api = Client()
    for _ in range(n + warmup):
        meter.time(
            kind,
            lambda: api.get(
                f"/api/v1/reports/units/{province}/", HTTP_AUTHORIZATION=f"Token {token}"
            ),
            200,
        )
    meter.drop_warmup(kind, warmup)
    print(kind, summarise(meter.samples[kind]), flush=True)


def _drafts(needed: int, seed: int) -> list[tuple[int, str, str]]:
    """``needed`` complete BM1 drafts (all levels and texts, version 1) of teachers with no
    evaluation yet in the open cycle of the year (the demo's, or the evaluation bench's on the
    national dataset), each teacher signed in: [(evaluation id, session key, form body)]."""
    from opentemis.evaluations.models import Cycle, CycleStatus, Evaluation, EvaluationKind
    from opentemis.evaluations.models import Status as EvaluationStatus
    from opentemis.evaluations.services import rule_set_for
    from opentemis.standards.services import framework_apply_defaults, framework_for

    rng = random.Random(seed)
    with system_scope():
        year = SchoolYear.objects.get(is_current=True)
        framework_apply_defaults(school_year=year)
        framework = framework_for(school_year=year, position="GV", level="THCS")
        assert framework is not None, "no framework applies to GV/THCS"
        criteria = sorted(rule_set_for(framework).criteria)
        cycle = (
            Cycle.objects.filter(school_year=year, status=CycleStatus.OPEN).order_by("pk").first()
        )
        if cycle is None:
            cycle = eb._open_cycle(year, Unit.objects.get(depth=1))
        taken = Evaluation.objects.filter(cycle=cycle).values("person_id")
        pool = list(
            Person.objects.filter(
                employment_status=EmploymentStatus.WORKING,
                unit_path__startswith=cycle.unit.path,
                unit__levels__code__in=["TH", "THCS", "THPT"],
                positions__code="GV",
                user__isnull=True,
            )
            .exclude(positions__is_manager=True)
            .exclude(pk__in=taken)
            .only("id", "unit_id", "unit_path")
            .order_by("id")
            .distinct()
        )
        assert len(pool) >= needed, f"only {len(pool)} teachers without an evaluation"
        teachers = rng.sample(pool, needed)
        users = eb._accounts([p.pk for p in teachers])
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=users[p.pk], role="teacher", unit_id=p.unit_id) for p in teachers],
            ignore_conflicts=True,
        )
        eb._warm_grants(list(users.values()))
        sessions = eb._sessions(list(users.values()))
        rows = [
            Evaluation(
                cycle=cycle,
                person=person,
                framework=framework,
                kind=EvaluationKind.TEACHER,
                unit_id=person.unit_id,
                unit_path=person.unit_path,
                status=EvaluationStatus.DRAFT,
                self_levels=eb._levels(rng, len(criteria)),
                priority_criteria=[15],
                **eb.TEXTS,
            )
            for person in teachers
        ]
        Evaluation.objects.bulk_create(rows)
    submit = eb.Scenario("submit")
    return [
        (row.pk, sessions[users[person.pk].pk], eb._body(submit, criteria, row.self_levels))
        for person, row in zip(teachers, rows, strict=True)
    ]


def evaluation_writes(meter: Meter, n: int, warmup: int) -> None:
    """Fresh complete drafts: an autosave (the whole form, as drafts.js posts it) on one half,
    the submit on the other; each evaluation written once."""
    per = n + warmup
    drafts = _drafts(2 * per, seed=2031)
    client = Client()
    for label, part, submit in (
        ("save criterion (autosave)", drafts[:per], False),
        ("submit self-evaluation", drafts[per:], True),
    ):
        for pk, session, body in part:
            client.cookies["sessionid"] = session
            client.get(f"/evaluations/{pk}/self/")  # the teacher opened the form: not timed
            url = f"/evaluations/{pk}/self/" if submit else f"/evaluations/{pk}/autosave/"
            data = body if submit else body.replace("action=submit&", "")
            meter.time(
                label,
                lambda u=url, b=data: client.post(
                    u, data=b, content_type="application/x-www-form-urlencoded"
                ),
                302 if submit else 200,
            )
        meter.drop_warmup(label, warmup)
        print(label, summarise(meter.samples[label]), flush=True)


def quiz_and_video(
    meter: Meter, n: int, warmup: int, course: Course
) -> tuple[list[User], dict[str, Any]]:
    quiz = Quiz.objects.get(activity__course=course)
    video = Activity.objects.get(course=course, kind="video")
    with system_scope():
        everyone = learners(course, quiz, n + warmup + 8, seed=2032)
    # Eight learners only watch (none of them has taken the test: a pass changes what a
    # progress report then judges).
    people, viewers = everyone[: n + warmup], everyone[n + warmup :]
    users = {
        u.username: u for u in User.objects.filter(username__in=[p["username"] for p in everyone])
    }
    client = Client()
    for person in people:
        _warm(users[person["username"]], f"/learn/courses/{course.pk}/")
        auth = {"HTTP_AUTHORIZATION": f"Token {person['token']}"}
        start = meter.time(
            "test: start",
            lambda a=auth: client.post(
                f"/api/v1/learn/quizzes/{quiz.activity_id}/attempts/",
                content_type="application/json",
                **a,
            ),
            201,
        ).json()
        for question in start["questions"][:10]:
            answer = sample_answer(question)
            meter.time(
                "test: answer",
                lambda a=auth, q=question, r=answer, s=start: client.put(
                    f"/api/v1/learn/quiz-attempts/{s['id']}/answers/",
                    data=json.dumps({"position": q["position"], "response": r}),
                    content_type="application/json",
                    **a,
                ),
                200,
            )
        meter.time(
            "test: finish",
            lambda a=auth, s=start: client.post(
                f"/api/v1/learn/quiz-attempts/{s['id']}/submit/",
                content_type="application/json",
                **a,
            ),
            200,
        )
    for kind in ("test: start", "test: answer", "test: finish"):
        meter.drop_warmup(kind, warmup * (10 if kind == "test: answer" else 1))
        print(kind, summarise(meter.samples[kind]), flush=True)
    # Video progress: the player's form post, once a minute of playing, from signed-in
    # learners; eight learners watching, so that most reports update a learner's row.
    watching = [_warm(users[p["username"]], f"/learn/video/{video.pk}/") for p in viewers]
    viewers_n = len(watching)
    for i in range(n + warmup):
        position = 5.0 + i // viewers_n * 2
        meter.time(
            "video progress",
            lambda c=watching[i % viewers_n], p=position: c.post(
                f"/learn/video/{video.pk}/progress/",
                {"position": f"{p:.2f}", "intervals": json.dumps([[0, p]])},
            ),
            200,
        )
    meter.drop_warmup("video progress", warmup)
    print("video progress", summarise(meter.samples["video progress"]), flush=True)
    # The same through the REST API (JSON, token), as the cluster rush's watchers send it.
    kind = "video progress, API"
    for i in range(n + warmup):
        position = 17.0 + i // viewers_n * 0.1
        viewer = viewers[i % viewers_n]
        meter.time(
            kind,
            lambda v=viewer, p=position: client.post(
                f"/api/v1/learn/videos/{video.pk}/progress/",
                data=json.dumps({"position": p, "intervals": [[0, p]]}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {v['token']}",
            ),
            200,
        )
    meter.drop_warmup(kind, warmup)
    print(kind, summarise(meter.samples[kind]), flush=True)
    return [users[p["username"]] for p in people], {"quiz": quiz.pk, "video": video.pk}


# --- the dataset -----------------------------------------------------------------------------


def dataset_facts() -> dict[str, Any]:
    with system_scope():
        facts: dict[str, Any] = {
            "staff": Person.objects.count(),
            "schools": Unit.objects.filter(kind=UnitKind.SCHOOL).count(),
            "units": Unit.objects.count(),
            "enrolments": Enrolment.objects.count(),
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), pg_database_size(current_database())")
        name, size = cursor.fetchone()
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC"
        )
        tables = {relname: int(bytes_) for relname, bytes_ in cursor.fetchall()}
        cursor.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE schemaname = 'public'"
        )
        rows = {relname: int(count) for relname, count in cursor.fetchall()}
        # A table with few rows weighs its pages, not its rows: its mean row (pg_column_size)
        # and number of indexes estimate a row in bench/capacity.py.
        cursor.execute(
            "SELECT t.relname, count(i.indexrelid) FROM pg_stat_user_tables t "
            "LEFT JOIN pg_index i ON i.indrelid = t.relid WHERE t.schemaname = 'public' GROUP BY 1"
        )
        indexes = {relname: int(count) for relname, count in cursor.fetchall()}
        mean_row: dict[str, int] = {}
        for table in tables:
            if 0 < rows.get(table, 0) < 1000:
                cursor.execute(f'SELECT avg(pg_column_size(t.*)) FROM "{table}" t')
                mean_row[table] = int(cursor.fetchone()[0] or 0)
    facts.update({"database": name, "database_bytes": int(size)})
    facts["tables"] = {
        t: {
            "bytes": b,
            "rows": rows.get(t, 0),
            "indexes": indexes.get(t, 0),
            **({"mean_row": mean_row[t]} if t in mean_row else {}),
        }
        for t, b in tables.items()
        if b >= 64 * 1024
    }
    return facts


# The short names bench/capacity.py uses, by the start of each label.
KEYS = {
    "trivial view": "trivial",
    "TEMIS report, province, API": "report_province_api",
    "video progress, API": "video_progress_api",
    "sign-in, API token": "sign_in_api_argon2id",
    "home (teacher)": "home",
    "course page": "course_page",
    "my evaluation": "my_evaluation",
    "TEMIS report, school": "report_school",
    "TEMIS report, province": "report_province",
    "course progress, province": "progress_province",
    "save criterion": "evaluation_autosave",
    "submit self-evaluation": "evaluation_submit",
    "test: start": "test_start",
    "test: answer": "test_answer",
    "test: finish": "test_finish",
    "video progress": "video_progress",
    "sign-in (PBKDF2": "sign_in_pbkdf2",
    "sign-in (argon2id": "sign_in_argon2id",
}


def _key(kind: str) -> str:
    return next(key for start, key in KEYS.items() if kind.startswith(start))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="measured requests per type")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--sign-in", type=int, default=30, help="sign-ins per hasher")
    parser.add_argument("--json", type=Path, help="write the figures there")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "needs PostgreSQL (the backend's CPU is read)"

    load_before = _load()
    started = time.perf_counter()
    with system_scope():
        year = SchoolYear.objects.get(is_current=True)
        made = national_courses(year, _hooks())
        course = Course.objects.get(pk=made["courses"][0])
    meter = Meter()
    page_views(meter, args.n, args.warmup, course)
    evaluation_writes(meter, args.n, args.warmup)
    learner_users, objects = quiz_and_video(meter, args.n, args.warmup, course)
    signing = learner_users[: args.sign_in + args.warmup]
    pbkdf2 = f"sign-in (PBKDF2, {PBKDF2PasswordHasher.iterations:,} iterations)"
    sign_in(meter, signing, pbkdf2, None, args.warmup)
    print("sign-in pbkdf2", summarise(meter.samples[pbkdf2]), flush=True)
    argon = "sign-in (argon2id m=19 MiB, t=2, p=1)"
    sign_in(meter, signing, argon, ARGON2_PATH, args.warmup)
    print("sign-in argon2id", summarise(meter.samples[argon]), flush=True)
    api_argon = "sign-in, API token (argon2id m=19 MiB, t=2, p=1)"
    sign_in(meter, signing, api_argon, ARGON2_PATH, args.warmup, api=True)
    print("sign-in API argon2id", summarise(meter.samples[api_argon]), flush=True)

    result = {
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "python": platform.python_version(),
        "load_average_before": load_before,
        "load_average_after": _load(),
        "seconds": round(time.perf_counter() - started, 1),
        "method": (
            "in-process django.test.Client, one request at a time; app = process_time of the "
            "Django process, db = the PostgreSQL backend's CPU from /proc/<pid>/schedstat; ms"
        ),
        "command": " ".join(["bench/request_costs.py", *sys.argv[1:]]),
        "objects": objects,
        "dataset": dataset_facts(),
        "costs": {
            _key(kind): {"label": kind, **summarise(values)}
            for kind, values in meter.samples.items()
        },
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
