"""The progress endpoint under load: 20 learners' players reporting at once (a class watching
the same lecture) to a real server (gunicorn, 2 workers x 4 threads, on this test's database),
each sending its minute reports twice (the periodic ``fetch``, then sendBeacon's copy).

It prints each report's time (p50 / p95 / the slowest, and the rate) and checks what matters
whatever the machine: every report answered 200, every learner's progress exactly the union of
what they sent and complete at the end. Speed is the benchmark's business
(``bench/learning_bench.py``), not this test's: it asserts no time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench.common import summary_ms
from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress
from tests.factories import PersonFactory, make_user
from tests.processes import ROOT, SharedDatabase

CLIENTS = int(os.environ.get("MATERIALS_LOAD_CLIENTS", "20"))
REPORTS = 6  # six reports of a 24-second video (4 s each), each sent twice
SECRET = "k" * 32  # the CSRF secret each player's cookie and form carry


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.stderr and server.stderr.read()!r}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.mark.django_db(transaction=True)
def test_fifty_players_reporting_at_once(mw: Any, tmp_path: Path) -> None:
    sessions = []
    for n in range(CLIENTS):
        person = PersonFactory(unit=mw.w.school_a1, full_name=f"Học viên {n}", staff_code=f"HV{n}")
        user = make_user(f"hv{n}", role="teacher", unit=mw.w.school_a1, person=person)
        mw.lw.enrol(person)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    path = reverse("materials_video_progress", args=[mw.video.pk])
    db = SharedDatabase(tmp_path)
    db.push()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "opentemis.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", "2", "-k", "gthread", "--threads", "4", "--log-level", "warning"],
        cwd=ROOT,
        env=db.environ(tmp_path, AXES_ENABLED="0"),
        stderr=subprocess.PIPE,
    )  # fmt: skip
    times: list[float] = []
    failures: list[Any] = []
    lock = threading.Lock()

    def player(session: str) -> None:
        for minute in range(REPORTS):
            end = minute * 4 + 4
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": SECRET, "position": end, "intervals": f"[[0, {end}]]"}
            ).encode()
            for _copy in range(2):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{path}",
                    data=body,
                    headers={
                        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
                        f"{settings.CSRF_COOKIE_NAME}={SECRET}",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                began = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        status = answer.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError as error:
                    status = repr(error)
                with lock:
                    times.append(time.perf_counter() - began)
                    if status != 200:
                        failures.append(status)

    try:
        _wait(port, server)
        threads = [threading.Thread(target=player, args=(s,)) for s in sessions]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr is not None:
            server.stderr.close()
    stats = summary_ms(times)
    print(
        f"\n{CLIENTS} players x {REPORTS * 2} reports to gunicorn (2 workers x 4 threads, "
        f"{'SQLite' if db.sqlite else 'PostgreSQL'}): {stats}, slowest {max(times) * 1000:.0f} "
        f"ms, {len(times) / wall:.0f} reports/s over {wall:.1f} s"
    )
    assert failures == []
    db.pull()
    with system_scope():
        rows = list(
            ActivityProgress.objects.filter(
                activity=mw.video, enrolment__person__staff_code__startswith="HV"
            )
        )
    assert len(rows) == CLIENTS
    assert {tuple(map(tuple, r.data["intervals"])) for r in rows} == {((0.0, 24.0),)}
    assert {r.state for r in rows} == {"complete"}
