"""A refresh of the report summaries that dies or hangs does not block the next one for ever.

Killed: a real process holding the year's lock is killed with SIGKILL; the next
``refresh_reports`` runs (any database). Hung: on PostgreSQL the server ends a refresh that
sits idle in its transaction longer than ``REPORT_REFRESH_LEASE_SECONDS``; the next refresh
runs after that, and the hung one's writes are rolled back.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection

from opentemis.core.scoping import system_scope
from opentemis.reports import refresh
from opentemis.reports.models import ReportState
from tests.processes import ROOT, SharedDatabase

HOLD = """
import time, django
django.setup()
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear
from opentemis.reports import refresh

def hold(*args, **kwargs):
    print("holding", flush=True)
    time.sleep(600)

refresh._write = hold
with system_scope():
    year = SchoolYear.objects.get(is_current=True)
refresh.refresh(year)
"""


@pytest.mark.django_db(transaction=True)
def test_a_killed_refresh_does_not_block_the_next_one(world, tmp_path: Path):
    db = SharedDatabase(tmp_path)
    db.push()
    env = db.environ(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"holding\n"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    done = subprocess.run(
        [sys.executable, "manage.py", "refresh_reports"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.decode().startswith("refreshed 2025-2026: ")
    db.pull()
    with system_scope():
        # Written only by a refresh that held the year's lock (a skipped one leaves it empty).
        assert ReportState.objects.get(school_year=world.year).watermark is not None


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a lease enforced by the PostgreSQL server; runs in the PostgreSQL suite (CI)",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_hung_refresh_is_cut_off_after_the_lease(world, settings, monkeypatch: Any):
    settings.REPORT_REFRESH_LEASE_SECONDS = 1
    year = world.year
    refresh.rebuild(year)  # the year has summaries; the next refresh is incremental
    holding, release = threading.Event(), threading.Event()
    real = refresh._write
    hung = threading.current_thread  # the hung refresh runs in another thread

    def roll_up(*args: Any, **kwargs: Any) -> Any:
        if hung() is not main:
            holding.set()
            release.wait(30)
        return real(*args, **kwargs)

    main = threading.current_thread()
    monkeypatch.setattr(refresh, "_write", roll_up)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            refresh.refresh(year)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert holding.wait(30)
        assert refresh.refresh(year) is None  # held: a reader reads the rows as they are
        time.sleep(1.5)  # the lease runs out: the server ends the hung session
        assert refresh.refresh(year) is not None
    finally:
        release.set()
        thread.join(30)
    assert errors and isinstance(errors[0], DatabaseError)  # its transaction was rolled back
