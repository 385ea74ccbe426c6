"""The overload curve (issue 15, point 4): offered load against goodput and p95, with and
without admission control (core/admission.py, docs/decisions/0027-admission-control.md).

One node as in production: gunicorn (2 workers x 4 threads) on PostgreSQL with the demo data,
behind HAProxy on free local ports, with a temporary configuration written here:

* **with**: the server's ``maxconn`` equal to its threads (8), a bounded queue
  (``timeout queue``), the ACL and priority lines of ``manage.py admission haproxy``, HAProxy's
  503 page (deploy/haproxy/503.http), ``option abortonclose``; the middleware on
  (``ADMISSION_CONTROL=1``, ``TRUSTED_PROXIES=127.0.0.1``);
* **without**: no ``maxconn`` (every request goes straight to gunicorn, which queues it
  itself), long timeouts, ``ADMISSION_CONTROL=0``.

An open-loop load generator (Python threads on keep-alive connections, as the other benches;
arrivals follow a Poisson process at the offered rate whatever the answers, as real users do)
sends a mix of signed-in teachers browsing (their courses, the course page, the home page),
a province officer's report page, video progress reports (ordinary writes) and test answers
(writes that complete someone's work) at rising rates. A person waits at most ``--patience``
seconds: a later answer counts as a time-out, not as goodput. Per rate and class: offered,
goodput (2xx within the patience per second), 503s, errors and time-outs, p50/p95 of the
successful requests.

Run by ``make bench`` on a throwaway database (bench/run.sh); alone:
    PG_URL=postgresql://postgres@127.0.0.1:5432 bash scripts/with-pg-db.sh bash -c \\
      ".venv/bin/python manage.py migrate --noinput -v0 && .venv/bin/python manage.py demo && \\
       .venv/bin/python manage.py collectstatic --noinput -v0 && \\
       .venv/bin/python bench/overload_bench.py --write docs/benchmarks.md"
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Importing the evaluation bench sets bench.settings and Django up: first.
import bench.evaluation_bench as eb  # isort: skip

from bench.common import machine, percentile, sample_answer, write_section
from opentemis.accounts.models import RoleAssignment, User
from opentemis.core.admission import haproxy_lines
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity, ActivityProgress, Course, Enrolment
from opentemis.quizzes.models import Attempt, Quiz

CLASSES = ("complete", "write", "browse", "report")
# The mix of arrivals: most people read, some answer tests and watch videos, a few officers
# open reports.
MIX = {"browse": 0.50, "complete": 0.20, "write": 0.20, "report": 0.10}
ERRORFILE = ROOT / "deploy" / "haproxy" / "503.http"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the people and what they send ------------------------------------------------------------


@dataclass
class World:
    course: int
    video: int
    quiz_activity: int
    officer_session: str
    report_path: str
    sessions: list[str]
    tokens: list[str]
    # (token, attempt id, questions) of each learner's open attempt
    attempts: list[tuple[str, int, list[dict[str, Any]]]] = field(default_factory=list)


def setup() -> World:
    """The demo course's learners, each with an account, a session and a token (the bench may
    write anything: the database is a throwaway), and the officer of the demo province."""
    with system_scope():
        course = Course.objects.get(code="GVPT06-DEMO")
        quiz = Quiz.objects.get(activity__course=course)
        video = Activity.objects.get(course=course, kind="video")
        # Every learner may take the test now (the demo asks for the video first).
        quiz.activity.prerequisites.clear()
        enrolments = list(Enrolment.objects.filter(course=course).select_related("person"))
        persons = [e.person for e in enrolments]
        users = eb._accounts([p.pk for p in persons])
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=users[p.pk], role="teacher", unit_id=p.unit_id) for p in persons],
            ignore_conflicts=True,
        )
        officer = User.objects.get(username="so")
        province = RoleAssignment.objects.get(user=officer, role="unit_officer").unit_id
        everyone = [*users.values(), officer]
        eb._warm_grants(everyone)
        sessions = eb._sessions(everyone)
        tokens = eb._tokens(list(users.values()))
    return World(
        course=course.pk,
        video=video.pk,
        quiz_activity=quiz.activity_id,
        officer_session=sessions.pop(officer.pk),
        report_path=f"/reports/unit/{province}/",
        sessions=list(sessions.values()),
        tokens=list(tokens.values()),
    )


def fresh_attempts(world: World, port: int) -> None:
    """A new open attempt for every learner (the earlier runs' removed), started over HTTP."""
    with system_scope():
        quiz = Quiz.objects.get(activity_id=world.quiz_activity)
        Attempt.objects.filter(quiz=quiz).delete()
        ActivityProgress.objects.filter(activity_id=world.quiz_activity).delete()
    world.attempts = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for token in world.tokens:
        conn.request(
            "POST",
            f"/api/v1/learn/quizzes/{world.quiz_activity}/attempts/",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        body = response.read()
        if response.status >= 300:
            raise RuntimeError(f"attempt start: {response.status} {body[:200]!r}")
        attempt = json.loads(body)
        world.attempts.append((token, attempt["id"], attempt["questions"]))
    conn.close()


def make_request(
    world: World, kind: str, rng: random.Random
) -> tuple[str, str, bytes | None, dict[str, str]]:
    if kind == "browse":
        session = rng.choice(world.sessions)
        path = rng.choice(["/learn/", f"/learn/courses/{world.course}/", "/"])
        return "GET", path, None, {"Cookie": f"sessionid={session}"}
    if kind == "report":
        return "GET", world.report_path, None, {"Cookie": f"sessionid={world.officer_session}"}
    if kind == "write":
        token = rng.choice(world.tokens)
        position = rng.uniform(0, 20)  # the demo video lasts 24 s
        body = json.dumps({"position": position, "intervals": [[0, position]]}).encode()
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        return "POST", f"/api/v1/learn/videos/{world.video}/progress/", body, headers
    token, attempt, questions = rng.choice(world.attempts)
    question = rng.choice(questions)
    body = json.dumps(
        {"position": question["position"], "response": sample_answer(question)}
    ).encode()
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    return "PUT", f"/api/v1/learn/quiz-attempts/{attempt}/answers/", body, headers


# --- HAProxy and gunicorn ---------------------------------------------------------------------


def haproxy_config(front: int, node: int, threads: int, admission: bool) -> str:
    if admission:
        backend = [
            "option abortonclose",  # a request whose person left is dropped from the queue
            f"errorfile 503 {ERRORFILE}",
            *haproxy_lines(),
            f"server node1 127.0.0.1:{node} maxconn {threads}",
        ]
        queue_timeout = "20s"
    else:
        backend = [f"server node1 127.0.0.1:{node}"]
        queue_timeout = "120s"
    body = "\n    ".join(backend)
    return f"""global
    maxconn 4000

defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout queue {queue_timeout}
    option http-keep-alive

frontend web
    bind 127.0.0.1:{front}
    default_backend nodes

backend nodes
    {body}
"""


class Node:
    """gunicorn behind HAProxy, both on free ports, with or without admission control."""

    def __init__(self, workers: int, threads: int, admission: bool, log: Path) -> None:
        self.workers, self.threads, self.admission = workers, threads, admission
        self.port, self.node_port = _free_port(), _free_port()
        self.log = log

    def __enter__(self) -> Node:
        os.environ["ADMISSION_CONTROL"] = "1" if self.admission else "0"
        os.environ["TRUSTED_PROXIES"] = "127.0.0.1"
        self.server = eb.Server(self.node_port, self.workers, self.threads, self.log)
        self.server.__enter__()
        try:
            return self._start_haproxy()
        except BaseException:
            self.server.__exit__()
            raise

    def _start_haproxy(self) -> Node:
        self.cfg = Path(tempfile.mkstemp(prefix="overload-haproxy-", suffix=".cfg")[1])
        self.cfg.write_text(
            haproxy_config(self.port, self.node_port, self.workers * self.threads, self.admission)
        )
        subprocess.run(["haproxy", "-c", "-q", "-f", str(self.cfg)], check=True)
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(self.cfg)])
        for _ in range(50):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.haproxy.terminate()
        raise RuntimeError("haproxy did not start")

    def __exit__(self, *exc: object) -> None:
        self.haproxy.terminate()
        self.haproxy.wait(timeout=10)
        self.cfg.unlink()
        self.server.__exit__()


# --- the open loop ----------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    status: int  # 0: time-out or connection error
    latency: float  # from the scheduled arrival


def _send(
    conn: http.client.HTTPConnection, req: tuple[str, str, bytes | None, dict[str, str]]
) -> int:
    method, path, body, headers = req
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def open_loop(
    port: int, world: World, rate: float, seconds: float, patience: float, clients: int, seed: int
) -> list[Outcome]:
    """Arrivals at ``rate`` per second (Poisson) for ``seconds``, served by ``clients``
    threads; a request still waiting in the client when its person's patience ran out is a
    time-out without being sent (the client's own queue is not the server's fault, but the
    person is gone all the same)."""
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    arrivals: queue.Queue[tuple[float, str, Any] | None] = queue.Queue()
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=patience)
        while (item := arrivals.get()) is not None:
            due, kind, req = item
            if time.perf_counter() - due > patience:
                outcome = Outcome(kind, 0, patience)
            else:
                try:
                    status = _send(conn, req)
                    latency = time.perf_counter() - due
                    outcome = Outcome(kind, status if latency <= patience else 0, latency)
                except (OSError, http.client.HTTPException):
                    conn.close()  # the person gave up; the next request opens a new connection
                    outcome = Outcome(kind, 0, time.perf_counter() - due)
            with lock:
                outcomes.append(outcome)
        conn.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in pool:
        t.start()
    start = time.perf_counter()
    due = start
    while True:
        due += rng.expovariate(rate)
        if due - start > seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        kind = rng.choices(kinds, weights)[0]
        arrivals.put((due, kind, make_request(world, kind, rng)))
    for _ in pool:
        arrivals.put(None)
    for t in pool:
        t.join(timeout=patience + 30)
    return outcomes


def summarise(outcomes: list[Outcome], seconds: float) -> dict[str, Any]:
    def one(rows: list[Outcome]) -> dict[str, Any]:
        ok = [o.latency * 1000 for o in rows if 200 <= o.status < 300]
        shed = [o.latency * 1000 for o in rows if o.status == 503]
        return {
            "offered": round(len(rows) / seconds, 1),
            "goodput": round(len(ok) / seconds, 1),
            "shed": sum(1 for o in rows if o.status == 503),
            "failed": sum(1 for o in rows if o.status != 503 and not 200 <= o.status < 300),
            "p50": round(percentile(ok, 50)) if ok else None,
            "p95": round(percentile(ok, 95)) if ok else None,
            "shed_p95": round(percentile(shed, 95)) if shed else None,
            "n": len(rows),
        }

    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.kind].append(o)
    statuses = Counter(o.status for o in outcomes)
    return {
        "all": one(outcomes),
        **{k: one(by_kind[k]) for k in CLASSES},
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def curve(args: argparse.Namespace, world: World, admission: bool) -> dict[str, Any]:
    log = eb.MEDIA_DIR / f"access-{int(admission)}.log"
    rows: dict[str, Any] = {}
    with Node(args.workers, args.threads, admission, log) as node:
        fresh_attempts(world, node.port)
        open_loop(node.port, world, 5, 5, args.patience, 20, args.seed)  # warm both workers
        load_before = os.getloadavg()
        # The rising rates, each after a pause (the queue drained); then, with no pause, the
        # first rate again right after the highest: does the node recover by itself?
        steps = [(str(rate), rate, args.pause) for rate in args.rates]
        steps.append((f"{args.rates[0]} right after", args.rates[0], 0.0))
        for label, rate, pause in steps:
            time.sleep(pause)
            outcomes = open_loop(
                node.port, world, rate, args.seconds, args.patience, args.clients, args.seed + rate
            )
            rows[label] = {**summarise(outcomes, args.seconds), "load": os.getloadavg()[0]}
            mode = "with" if admission else "without"
            print(mode, label, json.dumps(rows[label]), flush=True)
    return {"rates": rows, "load_before": load_before[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", type=int, nargs="+", default=[10, 20, 40, 80, 160])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pause", type=float, default=8.0)
    parser.add_argument("--patience", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--only", choices=["with", "without"])
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    os.environ["AXES_ENABLED"] = "0"
    world = setup()
    result: dict[str, Any] = {"machine": machine()}
    if args.only != "without":
        result["with"] = curve(args, world, admission=True)
    if args.only != "with":
        result["without"] = curve(args, world, admission=False)
    print(json.dumps(result, indent=2))
    if args.write and "with" in result and "without" in result:
        write_section(args.write, "overload-bench", report(args, result))


def _ms(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _class_cell(row: dict[str, Any]) -> str:
    rate = f"{row['goodput']}/{row['offered']}"
    return f"{rate} · {_ms(row['p95'])} · {row['shed']} · {row['failed']}"


def report(args: argparse.Namespace, r: dict[str, Any]) -> str:
    overall, per_class = [], []
    for mode in ("with", "without"):
        for rate, row in r[mode]["rates"].items():
            a = row["all"]
            overall.append(
                f"| {mode} | {rate} | {a['offered']} | **{a['goodput']}** | {a['shed']} "
                f"| {_ms(a['shed_p95'])} | {a['failed']} | {_ms(a['p50'])} | {_ms(a['p95'])} "
                f"| {row['load']:.1f} |"
            )
            cells = " | ".join(_class_cell(row[k]) for k in CLASSES)
            per_class.append(f"| {mode} | {rate} | {cells} |")
    mix = ", ".join(f"{k} {v:.0%}" for k, v in MIX.items())
    return f"""## Overload (issue 15)

`make bench` (alone: see the docstring of `bench/overload_bench.py`). {r["machine"]}.
**Measured beside other sessions' work** (tests and benches of other helpers on the same 2
cores): load average (1 min) before the runs {r["with"]["load_before"]:.1f} (with) and
{r["without"]["load_before"]:.1f} (without); the last column is the load at the end of each step.

One node: gunicorn {args.workers} workers x {args.threads} threads on PostgreSQL with the demo
data, behind HAProxy 2.6, all on this machine with the load generator. Open loop: Poisson
arrivals at the offered rate whatever the answers, {args.seconds:g} s per step, up to
{args.clients} client threads. Mix: {mix} (browse: a teacher's courses, a course page, the home
page; report: the officer's province report; write: video progress; complete: a test answer).
A person waits at most {args.patience:g} s: a later answer counts as failed.
**with**: HAProxy `maxconn {args.workers * args.threads}`, `timeout queue 20s`,
`option abortonclose`, the lines of `manage.py admission haproxy`, the middleware with its
default budgets (report 1 s, browse 2 s, write 8 s, complete never); **without**: no `maxconn`
(gunicorn queues), `ADMISSION_CONTROL=0`.

Goodput: answers 2xx within the patience, per second. p50/p95: of those, in ms, from the
scheduled arrival; "503 p95": how long a refused person waited for the refusal. The last step
("right after") runs the first rate again with no pause after the highest: recovery.

| mode | target req/s | arrivals/s | goodput/s | 503 | 503 p95 ms | failed | p50 ms | p95 | load |
|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(overall)}

Reading: below saturation both serve everything; HAProxy's queue costs a little latency
(with `maxconn` = threads a thread idles for a round trip between two requests). Past it,
without admission control every class waits in gunicorn's queue until most people have given
up: goodput falls and test answers are lost like the rest. With it, test answers and other
writes keep their latency, pages are served or refused at about their 2 s budget, reports are
refused first, and goodput stays near what the node can do. After the overload the node is back
to normal by itself (both are here: without, the time-outs had drained gunicorn's queue).

Per class: goodput/offered per s · p95 ms · 503s · failed.

| mode | target req/s | complete (test answers) | write (video progress) | browse | report |
|---|---|---|---|---|---|
{chr(10).join(per_class)}
"""


if __name__ == "__main__":
    main()
