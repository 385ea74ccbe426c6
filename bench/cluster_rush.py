"""The deadline rush through the load balancer of the scale-out topology (issue 15).

Needs a running cluster (``make cluster`` or ``python deploy/cluster.py up``). Setup, in this
process against the cluster's primary (the nodes' own environment, ``Cluster.env``): a national
course with a test and a video (``bench/learning_dataset.py``, the learning bench's), every
teacher of the dataset enrolled, an account, a token and a known password each.

The rush: client threads, each a teacher after another through the load balancer — sign in
(a share of them; the others hold a token from earlier in the day), start the test, 10 answer
saves, submit — with video-progress clients and report readers beside them. A client whose
request fails at the network or gets 502/503/504 waits (``Retry-After``, at most 1 s) and
sends the same request again, as the pages' drafts script does; a request that still fails
after 3 tries is an error seen by the user.

Modes:
* ``scale``: the rush with 1, 2 and 3 nodes in service (the others put in maintenance on the
  load balancer): throughput and scaling efficiency;
* ``faults``: one rush during which one app node is killed (SIGKILL), a task worker is killed
  in the middle of a job, the replica is stopped and Redis restarted; then, in SQL: every
  acknowledged answer and submit stored exactly once, every job finished, and how long the
  load balancer kept sending to the dead node.

    .venv/bin/python bench/cluster_rush.py scale --seconds 30 --write docs/benchmarks.md
    .venv/bin/python bench/cluster_rush.py faults --seconds 40 --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "deploy"))

from cluster import DEFAULT_DIR, Cluster  # deploy/cluster.py

from bench.common import machine, sample_answer, summary_ms, write_section

PASSWORD = "Cum-May-Chu-2026!"
RETRIES = 3
# Statuses a client answers by sending the same request again (the node died, the load
# balancer had no room, the node shed it).
RETRY_STATUSES = {502, 503, 504}


def _busy(body: bytes) -> bool:
    """A 503 of admission control: the node's JSON (``"code": "overloaded"``) or page, or
    HAProxy's queue-timeout page (deploy/haproxy/503.http): "the system is busy"."""
    return b'"overloaded"' in body or "Hệ thống đang bận".encode() in body


def _django(cluster: Cluster) -> None:
    """Django in this process, with the nodes' environment (writes go to the primary)."""
    for key, value in cluster.env(1).items():
        os.environ[key] = value
    os.environ["DJANGO_SETTINGS_MODULE"] = "opentemis.settings"
    import django

    django.setup()


# --- setup ------------------------------------------------------------------------------------


def setup(cluster: Cluster, limit: int) -> dict[str, Any]:
    """The course, its test and video, and the learners (made once; attempts cleared)."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from bench.learning_dataset import national_courses
    from opentemis.accounts.models import RoleAssignment, User
    from opentemis.core.scoping import system_scope
    from opentemis.learning.models import Activity, ActivityProgress, Enrolment
    from opentemis.materials.demo import demo_video
    from opentemis.orgs.models import SchoolYear
    from opentemis.quizzes.demo import demo_bank
    from opentemis.quizzes.models import Attempt, Quiz

    with system_scope():
        year = SchoolYear.objects.filter(is_current=True).first()
        assert year is not None, "the cluster has no data: deploy/cluster.py up --data demo"
        hooks = {
            "quiz": lambda a: demo_bank(module=a.course.module, activity=a),
            "video": lambda a: demo_video(activity=a),
        }
        courses = national_courses(year, hooks)["courses"]
        course_id = courses[0]["id"] if isinstance(courses[0], dict) else courses[0]
        quiz_activity = Activity.objects.get(course_id=course_id, kind="quiz")
        video_activity = Activity.objects.get(course_id=course_id, kind="video")
        quiz = Quiz.objects.get(activity=quiz_activity)
        enrolments = list(
            Enrolment.objects.filter(course_id=course_id)
            .select_related("person")
            .order_by("id")[:limit]
        )
        people = [e.person for e in enrolments]
        existing = {u.person_id: u for u in User.objects.filter(person__in=people)}
        User.objects.bulk_create(
            [
                User(username=f"cum_{p.pk}", person=p, password="!")
                for p in people
                if p.pk not in existing
            ],
            batch_size=1000,
        )
        users = {u.person_id: u for u in User.objects.filter(person__in=people)}
        User.objects.filter(pk__in=[u.pk for u in users.values()]).update(
            password=make_password(PASSWORD), must_change_password=False
        )
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=users[p.pk], role="teacher", unit_id=p.unit_id) for p in people],
            ignore_conflicts=True,
            batch_size=1000,
        )
        have = dict(Token.objects.filter(user__in=users.values()).values_list("user_id", "key"))
        new = [Token(key=Token.generate_key(), user=u) for u in users.values() if u.pk not in have]
        Token.objects.bulk_create(new, batch_size=1000)
        have.update({t.user_id: t.key for t in new})
        reset(quiz)
        ActivityProgress.objects.filter(activity=video_activity).delete()
        # Report readers: the unit officers (the demo's Sở officer), each on their own unit.
        officers = [
            (ra.user, ra.unit_id)
            for ra in RoleAssignment.objects.filter(role="unit_officer", is_active=True)
            .select_related("user")
            .order_by("pk")[:5]
        ]
        for user, _unit in officers:
            if user.pk not in have:
                have[user.pk] = Token.objects.get_or_create(
                    user=user, defaults={"key": Token.generate_key()}
                )[0].key
        return {
            "quiz_activity": quiz_activity.pk,
            "video_activity": video_activity.pk,
            "quiz": quiz.pk,
            "readers": [(have[u.pk], unit) for u, unit in officers],
            "people": [
                {
                    "username": users[e.person_id].username,
                    "token": have[users[e.person_id].pk],
                    "enrolment": e.pk,
                }
                for e in enrolments
            ],
            "attempts_cleared": Attempt.objects.filter(quiz=quiz).count() == 0,
        }


def reset(quiz: Any) -> None:
    from opentemis.learning.models import ActivityProgress
    from opentemis.quizzes.models import Attempt

    Attempt.objects.filter(quiz=quiz).delete()
    ActivityProgress.objects.filter(activity=quiz.activity).delete()


# --- the clients --------------------------------------------------------------------------------


class Rush:
    STEPS = ("sign-in", "start", "save", "submit", "video", "report")

    def __init__(self, port: int, data: dict[str, Any], sign_in_share: float) -> None:
        self.port, self.data, self.sign_in_share = port, data, sign_in_share
        self.people = iter(data["people"])
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.latency: dict[str, list[float]] = {s: [] for s in self.STEPS}
        self.statuses: Counter[str] = Counter()
        self.retried = 0  # requests that succeeded on a second or third try
        self.failed: list[str] = []  # requests that failed after every try: users saw an error
        # Requests refused as "busy" by admission control on every try (the person is told to
        # come back in a few seconds; decision 0027): overload handled, not a fault.
        self.refused: list[str] = []
        self.shed = 0  # answers "busy" from admission control, retried or not
        self.acknowledged: dict[str, Any] = {"answers": [], "submits": [], "video": []}
        self.attempts = 0
        self.timeline: list[tuple[float, str, int]] = []  # (time, step, status) for the faults
        self.started = time.perf_counter()

    def _next(self) -> dict[str, Any] | None:
        with self.lock:
            return next(self.people, None)

    def ask(
        self, step: str, method: str, path: str, body: Any = None, token: str | None = None
    ) -> Any:
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        if token:
            headers["Authorization"] = f"Token {token}"
        payload = json.dumps(body) if body is not None else None
        last = ""
        for attempt in range(RETRIES):
            conn = self._conn()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                status, data, last = 0, b"", repr(exc)
            elapsed = time.perf_counter() - started
            with self.lock:
                self.statuses[f"{step} {status}"] += 1
                self.timeline.append((time.perf_counter() - self.started, step, status))
            if status == 503 and _busy(data):
                # Refused by admission control (the node was saturated, this request's class
                # waited past its budget): by design, not a fault. Counted apart.
                with self.lock:
                    self.shed += 1
            if status and status not in RETRY_STATUSES:
                with self.lock:
                    self.latency[step].append(elapsed)
                    if attempt:
                        self.retried += 1
                if status >= 400:
                    raise RuntimeError(f"{step} {path}: {status} {data[:200]!r}")
                return json.loads(data) if data else None
            last = last if not status else f"{status}"
            self._drop()
            time.sleep(0.5 + random.random() * 0.5)
        with self.lock:
            if last == "503" and _busy(data):
                self.refused.append(f"{step} {path}")
            else:
                self.failed.append(f"{step} {path}: {last}")
        raise RuntimeError(f"{step} {path}: failed after {RETRIES} tries ({last})")

    # One keep-alive connection per client thread, reopened after a failure.
    _local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def learner(self, index: int) -> None:
        rng = random.Random(index)
        quiz = self.data["quiz_activity"]
        while not self.stop.is_set() and (person := self._next()) is not None:
            try:
                token = person["token"]
                if rng.random() < self.sign_in_share:
                    token = self.ask(
                        "sign-in",
                        "POST",
                        "/api/v1/auth/token/",
                        {"username": person["username"], "password": PASSWORD},
                    )["token"]
                attempt = self.ask(
                    "start", "POST", f"/api/v1/learn/quizzes/{quiz}/attempts/", token=token
                )
                for question in attempt["questions"][:10]:
                    response = sample_answer(question)
                    self.ask(
                        "save",
                        "PUT",
                        f"/api/v1/learn/quiz-attempts/{attempt['id']}/answers/",
                        {"position": question["position"], "response": response},
                        token=token,
                    )
                    with self.lock:
                        self.acknowledged["answers"].append(
                            (attempt["id"], question["position"], json.dumps(response))
                        )
                self.ask(
                    "submit",
                    "POST",
                    f"/api/v1/learn/quiz-attempts/{attempt['id']}/submit/",
                    token=token,
                )
                with self.lock:
                    self.acknowledged["submits"].append((person["enrolment"], attempt["id"]))
                    self.attempts += 1
            except RuntimeError:
                continue  # counted in `failed` (or a 4xx, in statuses); the next learner
        self._drop()

    def watcher(self, index: int) -> None:
        """A teacher watching the video: a progress report every ~2 s (the player: each minute)."""
        people = self.data["people"]
        video = self.data["video_activity"]
        n = 0
        while not self.stop.is_set():
            person = people[(index * 7919 + n) % len(people)]
            n += 1
            position = float(5 + (n % 4) * 5)
            try:
                self.ask(
                    "video",
                    "POST",
                    f"/api/v1/learn/videos/{video}/progress/",
                    {"position": position, "intervals": [[0, position]]},
                    token=person["token"],
                )
                with self.lock:
                    self.acknowledged["video"].append(person["enrolment"])
            except RuntimeError:
                pass
            self.stop.wait(2.0)
        self._drop()

    def reader(self, index: int) -> None:
        """An officer reading their unit's TEMIS report every 2 s (the replica's work)."""
        token, unit = self.data["readers"][index % len(self.data["readers"])]
        while not self.stop.is_set():
            with contextlib.suppress(RuntimeError):
                self.ask("report", "GET", f"/api/v1/reports/units/{unit}/", token=token)
            self.stop.wait(2.0)
        self._drop()


def run_rush(
    cluster: Cluster,
    data: dict[str, Any],
    seconds: float,
    clients: int,
    watchers: int,
    sign_in_share: float,
    events: list[tuple[float, str, Any]] | None = None,
    readers: int = 2,
) -> tuple[Rush, dict[str, Any]]:
    rush = Rush(cluster.port("lb"), data, sign_in_share)
    threads = [threading.Thread(target=rush.learner, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=rush.watcher, args=(i,)) for i in range(watchers)]
    if data["readers"]:
        threads += [threading.Thread(target=rush.reader, args=(i,)) for i in range(readers)]
    cpu_before = _cpu_seconds()
    rush.started = time.perf_counter()
    for t in threads:
        t.start()
    fired: list[dict[str, Any]] = []
    for at, name, action in sorted(events or [], key=lambda e: e[0]):
        delay = at - (time.perf_counter() - rush.started)
        if delay > 0:
            time.sleep(delay)
        info = action() or {}
        fired.append({"at": round(time.perf_counter() - rush.started, 1), "event": name, **info})
    remaining = seconds - (time.perf_counter() - rush.started)
    if remaining > 0:
        time.sleep(remaining)
    rush.stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - rush.started
    requests = sum(len(v) for v in rush.latency.values())
    result = {
        "seconds": round(elapsed, 1),
        "attempts": rush.attempts,
        "attempts_per_s": round(rush.attempts / elapsed, 2),
        "requests_per_s": round(requests / elapsed, 1),
        "steps": {s: summary_ms(v) for s, v in rush.latency.items() if v},
        "retried_ok": rush.retried,
        "failed": len(rush.failed),
        "failed_examples": rush.failed[:5],
        "refused_busy": len(rush.refused),
        "refused_examples": rush.refused[:3],
        "shed_answers": rush.shed,
        "statuses": dict(sorted(rush.statuses.items())),
        "machine_cpu_s": round(_cpu_seconds() - cpu_before, 1),
        "events": fired,
    }
    return rush, result


def _cpu_seconds() -> float:
    """CPU time of the whole machine (user + system, all cores) from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = os.sysconf("SC_CLK_TCK")
    user, nice, system = (int(x) for x in fields[:3])
    return (user + nice + system) / ticks


# --- the load balancer's view -----------------------------------------------------------------


def lb_command(cluster: Cluster, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(cluster.dir / "haproxy.sock"))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def server_states(cluster: Cluster) -> dict[str, str]:
    """{node name: UP/DOWN/MAINT...} from HAProxy's statistics."""
    lines = lb_command(cluster, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    states = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "app" and row.get("svname", "").startswith("node"):
            states[row["svname"]] = row["status"]
    return states


def in_service(cluster: Cluster, count: int) -> None:
    for k in cluster.node_ids():
        state = "ready" if k <= count else "maint"
        lb_command(cluster, f"set server app/node{k} state {state}")
    time.sleep(2.5)  # health checks pass (rise 2 at 1 s)


# --- checks in SQL ------------------------------------------------------------------------------


def verify(rush: Rush, data: dict[str, Any]) -> dict[str, Any]:
    """Every acknowledged write in the database exactly once."""
    from django.db import connection

    answers = rush.acknowledged["answers"]
    submits = rush.acknowledged["submits"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.attempt_id, s.position, s.response::text, count(*) OVER "
            "(PARTITION BY s.attempt_id, s.position) FROM quizzes_slot s "
            "JOIN quizzes_attempt a ON a.id = s.attempt_id WHERE a.quiz_id = %s",
            [data["quiz"]],
        )
        stored = {(a, p): (r, n) for a, p, r, n in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM (SELECT enrolment_id FROM quizzes_attempt WHERE quiz_id = %s "
            "GROUP BY 1 HAVING count(*) > 1) d",
            [data["quiz"]],
        )
        learners_with_two = cursor.fetchone()[0]
        cursor.execute("SELECT id, state FROM quizzes_attempt WHERE quiz_id = %s", [data["quiz"]])
        states = dict(cursor.fetchall())
        cursor.execute(
            "SELECT enrolment_id FROM learning_activityprogress WHERE activity_id = %s",
            [data["video_activity"]],
        )
        video_rows = Counter(r[0] for r in cursor.fetchall())
    missing_answers = sum(
        1
        for a, p, r in answers
        if (a, p) not in stored or json.loads(stored[(a, p)][0] or "null") != json.loads(r)
    )
    doubled_answers = sum(1 for (_r, n) in stored.values() if n > 1)
    unfinished = sum(1 for _e, a in submits if states.get(a) != "finished")
    return {
        "answers_acknowledged": len(answers),
        "answers_missing_or_wrong": missing_answers,
        "answers_stored_twice": doubled_answers,
        "submits_acknowledged": len(submits),
        "submits_not_finished": unfinished,
        "learners_with_two_attempts": learners_with_two,
        "video_reports_acknowledged": len(rush.acknowledged["video"]),
        "video_learners_without_row": len(set(rush.acknowledged["video"]) - set(video_rows)),
        "video_rows_doubled": sum(1 for n in video_rows.values() if n > 1),
    }


# --- a job to kill a worker under ---------------------------------------------------------------


def queue_print_jobs(count: int) -> list[int]:
    """``count`` "print every form of a school" jobs (a ZIP of PDFs: seconds each) asked by a
    principal for their school, in the cycle with the most evaluations there."""
    from django.db.models import Count

    from opentemis.accounts.models import RoleAssignment
    from opentemis.core.scoping import actor_scope
    from opentemis.evaluations.models import Cycle, Evaluation
    from opentemis.evaluations.tasks import print_school_start

    made: list[int] = []
    for role in RoleAssignment.objects.filter(role="principal", is_active=True).select_related(
        "user", "unit"
    ):
        top = (
            Evaluation.objects.filter(unit=role.unit)
            .values("cycle_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if top is None:
            continue
        cycle = Cycle.objects.get(pk=top["cycle_id"])
        with actor_scope(role.user):
            while len(made) < count:
                made.append(print_school_start(actor=role.user, unit=role.unit, cycle=cycle).pk)
        break
    return made


def running_job_worker() -> tuple[int, str] | None:
    """(job id, worker id) of a job being run now, if any."""
    from django_tasks_db.models import DBTaskResult

    from opentemis.jobs.models import Job

    for job in Job.objects.filter(status="running").order_by("pk"):
        task = DBTaskResult.objects.filter(id=job.task_id).first() if job.task_id else None
        if task is not None and task.worker_ids:
            return job.pk, task.worker_ids[-1]
    return None


def jobs_state(ids: list[int]) -> dict[str, Any]:
    from opentemis.jobs.models import Job

    rows = list(Job.objects.filter(pk__in=ids).values("pk", "status", "attempts"))
    return {
        "jobs": len(ids),
        "done": sum(1 for r in rows if r["status"] == "done"),
        "statuses": dict(Counter(r["status"] for r in rows)),
        "retried": sum(1 for r in rows if (r["attempts"] or 0) > 1),
    }


# --- the two modes ----------------------------------------------------------------------------


def scale(cluster: Cluster, args: argparse.Namespace) -> dict[str, Any]:
    from opentemis.core.scoping import system_scope
    from opentemis.quizzes.models import Quiz

    results = {}
    data = setup(cluster, args.learners)
    for count in args.nodes:
        with system_scope():
            reset(Quiz.objects.get(pk=data["quiz"]))
        in_service(cluster, count)
        _rush, result = run_rush(
            cluster, data, args.seconds, args.clients, args.watchers, args.sign_in_share
        )
        result["nodes"] = count
        results[count] = result
        print(json.dumps({k: v for k, v in result.items() if k != "statuses"}), flush=True)
    in_service(cluster, len(cluster.node_ids()))
    base = results[min(results)]["requests_per_s"]
    for count, result in results.items():
        result["efficiency"] = round(result["requests_per_s"] / (base * count), 2) if base else 0
    return {"data": {"learners": len(data["people"])}, "runs": results}


def faults(cluster: Cluster, args: argparse.Namespace) -> dict[str, Any]:
    from opentemis.core.scoping import system_scope

    data = setup(cluster, args.learners)
    in_service(cluster, len(cluster.node_ids()))
    # Every piece running at the start (an earlier fault run leaves its killed worker dead).
    for k in cluster.node_ids():
        cluster.start_node(k)
    for k in cluster.node_ids()[:2]:
        cluster.start_worker(k)
    job_ids: list[int] = []
    marks: dict[str, float] = {}
    detected: dict[str, float] = {}
    victim = f"node{len(cluster.node_ids())}"

    def watch_lb(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if server_states(cluster).get(victim, "").startswith("DOWN") and "kill" in marks:
                    detected.setdefault("down", time.perf_counter())
            except OSError:
                pass
            stop.wait(0.1)

    def kill_node() -> dict[str, Any]:
        marks["kill"] = time.perf_counter()
        cluster.kill_node(int(victim[4:]))
        return {"node": victim}

    killed: dict[str, Any] = {}

    def kill_worker_when_busy() -> None:
        """The first moment a job is running, its worker dies (SIGKILL). If the job had
        finished in between (it was not killed mid-job), the worker is started again and the
        next running job is tried."""
        from opentemis.jobs.models import Job

        deadline = time.monotonic() + args.seconds
        with system_scope():
            while time.monotonic() < deadline:
                found = running_job_worker()
                if found is not None:
                    job, worker = found
                    k = int(worker.removeprefix("worker"))
                    cluster.kill_worker(k)
                    if Job.objects.filter(pk=job, status="running").exists():
                        killed.update(job=job, worker=worker, at=time.perf_counter())
                        return
                    cluster.start_worker(k)
                time.sleep(0.05)

    def kill_worker() -> dict[str, Any]:
        with system_scope():
            job_ids.extend(queue_print_jobs(args.jobs))
        threading.Thread(target=kill_worker_when_busy, daemon=True).start()
        return {"jobs_queued": len(job_ids)}

    events = [
        (args.seconds * 0.15, "kill app node", kill_node),
        (args.seconds * 0.25, "kill task worker mid-job", kill_worker),
        (args.seconds * 0.40, "stop replica", lambda: cluster.stop_replica()),
        (args.seconds * 0.55, "restart redis", lambda: cluster.restart_redis()),
        (args.seconds * 0.70, "start replica", lambda: cluster.start_replica()),
        (args.seconds * 0.75, "start node", lambda: cluster.start_node(int(victim[4:]))),
    ]
    stop = threading.Event()
    watcher = threading.Thread(target=watch_lb, args=(stop,))
    watcher.start()
    rush, result = run_rush(
        cluster, data, args.seconds, args.clients, args.watchers, args.sign_in_share, events
    )
    stop.set()
    watcher.join()
    # The killed worker's job: its lease runs out, the sweep of the surviving worker queues it
    # again and a worker finishes it. Wait for every job (bounded).
    deadline = time.monotonic() + args.job_wait
    with system_scope():
        state = jobs_state(job_ids)
        while state["done"] < len(job_ids) and time.monotonic() < deadline:
            time.sleep(1)
            state = jobs_state(job_ids)
        result["jobs"] = state
        result["worker_killed"] = {k: v for k, v in killed.items() if k != "at"}
        result["check"] = verify(rush, data)
    # Requests the load balancer still sent to the dead node: 502/503 answers between the kill
    # and its detection (each retried by the client).
    if "kill" in marks:
        kill_at = marks["kill"] - rush.started
        result["lb_detect_s"] = (
            round(detected["down"] - marks["kill"], 2) if "down" in detected else None
        )
        result["errors_after_kill_5s"] = sum(
            1
            for t, _s, st in rush.timeline
            if kill_at <= t <= kill_at + 5 and st in (0, 502, 503, 504)
        )
    return result


def _report_scale(r: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"`{' '.join(sys.argv)}` on a cluster of {args.node_desc} — {machine()}.",
        "",
        f"{r['data']['learners']} teachers; {args.clients} test-taking clients "
        f"({int(args.sign_in_share * 100)} % sign in with a password first), {args.watchers} "
        "video players (a report every 2 s), through HAProxy; each run "
        f"{args.seconds:.0f} s. Everything (PostgreSQL ×2, Redis, the S3 emulator, HAProxy, the "
        "nodes and this load generator) shares the machine's 2 cores.",
        "",
        "| nodes in service | attempts/s | requests/s | save p95 ms | submit p95 ms | "
        "sign-in p95 ms | retried | refused busy | failed | machine CPU s | efficiency |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for count, run in r["runs"].items():
        steps = run["steps"]
        save, submit = steps.get("save", {}), steps.get("submit", {})
        lines.append(
            f"| {count} | {run['attempts_per_s']} | {run['requests_per_s']} | "
            f"{save.get('p95', '-')} | {submit.get('p95', '-')} | "
            f"{steps.get('sign-in', {}).get('p95', '-')} | {run['retried_ok']} | "
            f"{run['refused_busy']} | {run['failed']} | "
            f"{run['machine_cpu_s']} | {run['efficiency']} |"
        )
    return "\n".join(lines) + "\n"


def _report_faults(r: dict[str, Any], args: argparse.Namespace) -> str:
    c = r["check"]
    lines = [
        f"`{' '.join(sys.argv)}` on a cluster of {args.node_desc} — {machine()}.",
        "",
        "Events during the rush (seconds from its start): "
        + "; ".join(f"{e['at']} s {e['event']}" for e in r["events"])
        + ".",
        "",
        "| measure | value |",
        "|---|---|",
        f"| test attempts finished | {r['attempts']} ({r['attempts_per_s']}/s) |",
        f"| requests (all kinds) | {r['requests_per_s']}/s for {r['seconds']} s |",
        f"| load balancer: dead node marked DOWN after | {r.get('lb_detect_s')} s |",
        f"| answers/errors seen around the kill (5 s) before a retry | "
        f"{r.get('errors_after_kill_5s')} |",
        f"| requests that succeeded on a retry | {r['retried_ok']} |",
        f"| requests that failed after 3 tries (errors users saw) | {r['failed']} |",
        f"| requests still refused as busy after 3 tries (admission control: reports first) | "
        f"{r['refused_busy']} |",
        f"| answers acknowledged / missing or wrong / stored twice | "
        f"{c['answers_acknowledged']} / {c['answers_missing_or_wrong']} / "
        f"{c['answers_stored_twice']} |",
        f"| submits acknowledged / not finished in SQL | {c['submits_acknowledged']} / "
        f"{c['submits_not_finished']} |",
        f"| learners with two attempts | {c['learners_with_two_attempts']} |",
        f"| video reports acknowledged / learners without a row / rows doubled | "
        f"{c['video_reports_acknowledged']} / {c['video_learners_without_row']} / "
        f"{c['video_rows_doubled']} |",
        f"| print jobs: done / queued (retried after the worker died) | "
        f"{r['jobs']['done']} / {r['jobs']['jobs']} ({r['jobs']['retried']}) |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["scale", "faults"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--watchers", type=int, default=10)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--sign-in-share", type=float, default=0.2)
    parser.add_argument("--nodes", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--job-wait", type=float, default=90)
    parser.add_argument("--json", type=Path, help="write the raw result here")
    parser.add_argument("--write", type=Path, help="docs/benchmarks.md")
    args = parser.parse_args()
    cluster = Cluster(args.dir)
    if not cluster.state.get("up"):
        raise SystemExit("no cluster is up: python deploy/cluster.py up")
    s = cluster.state
    args.node_desc = (
        f"{s['node_count']} nodes × {s['workers']} gunicorn workers × {s['threads']} threads"
    )
    _django(cluster)
    result = scale(cluster, args) if args.mode == "scale" else faults(cluster, args)
    print(json.dumps(result, indent=1, default=str))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    if args.write:
        if args.mode == "scale":
            write_section(
                args.write,
                "cluster-scale",
                "## Cluster: the deadline rush with 1, 2, 3 nodes (issue 15)\n\n"
                + _report_scale(result, args),
            )
        else:
            write_section(
                args.write,
                "cluster-faults",
                "## Cluster: faults during the rush (issue 15)\n\n" + _report_faults(result, args),
            )
    if args.mode == "faults":
        c = result["check"]
        lost = (
            c["answers_missing_or_wrong"]
            + c["answers_stored_twice"]
            + c["submits_not_finished"]
            + c["learners_with_two_attempts"]
            + c["video_learners_without_row"]
            + c["video_rows_doubled"]
        )
        if lost or result["jobs"]["done"] < result["jobs"]["jobs"]:
            raise SystemExit(f"LOST OR DOUBLED WRITES, OR JOBS NOT DONE: {c} {result['jobs']}")


if __name__ == "__main__":
    main()
