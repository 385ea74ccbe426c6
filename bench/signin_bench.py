"""Sign-in (issue 15, "the sign-in storm"): sign-ins per second per core, PBKDF2 against Argon2id.

One process, Django's test client, the real sign-in page (``POST /accounts/login/``: the address
budget, django-axes, the authentication backend, the session, the audit row, the redirect),
each sign-in from a fresh browser (no cookie), as on a deadline morning. Three kinds, run in
alternating rounds of ``--round`` sign-ins so machine load falls on them alike:

* **before**: the hashers as before issue 15, PBKDF2-SHA256 first with Django's default
  iterations, and users whose stored hash is PBKDF2;
* **after**: the production hashers (Argon2id, OWASP: m = 19 MiB, t = 2, p = 1), users whose
  stored hash is Argon2id;
* **upgrade**: the production hashers and users still holding a PBKDF2 hash: the one sign-in
  per person after the deploy that verifies PBKDF2 and stores the Argon2id hash.

Per kind: CPU time (``time.process_time``) and wall time per sign-in, and sign-ins per second
per core = sign-ins / CPU seconds of this process (the database, SQLite or PostgreSQL on this
machine, is in another process for PostgreSQL: its CPU is not counted; it is small beside the
hash). Also the hash alone: ``hasher.verify`` of the right password, CPU time per call.

The users (``--users`` of each kind, sharing one stored hash per kind: verifying costs the same
whatever the salt) are made inside a transaction that is rolled back at the end: the database
is left as it was.

Run (any migrated database; ``make bench`` uses the national one):
.venv/bin/python bench/signin_bench.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
# The lockout is part of every real sign-in (one query on success): on, whatever make bench says.
os.environ["AXES_ENABLED"] = "1"

import django  # isort: skip

django.setup()

from django.conf import settings  # isort: skip
from django.contrib.auth.hashers import get_hasher, make_password  # isort: skip
from django.core.cache import cache  # isort: skip
from django.db import connection, transaction  # isort: skip
from django.test import Client, override_settings  # isort: skip
from django.urls import reverse  # isort: skip

from bench.common import machine, write_section  # isort: skip
from opentemis.accounts.models import User  # isort: skip

PASSWORD = "Bench-dang-nhap-2026!"
PRODUCTION = list(settings.PASSWORD_HASHERS)
BEFORE = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "opentemis.accounts.hashers.InitialPasswordHasher",
]
KINDS = ("before", "after", "upgrade")


class Rollback(Exception):
    """Raised to undo everything the bench wrote."""


def _hashers(kind: str) -> list[str]:
    return BEFORE if kind == "before" else PRODUCTION


def _make_users(kind: str, count: int) -> list[str]:
    with override_settings(PASSWORD_HASHERS=_hashers(kind)):
        # The stored hash: PBKDF2 before and for the upgrade, Argon2id after.
        hasher = "pbkdf2_sha256" if kind in ("before", "upgrade") else "argon2"
        encoded = make_password(PASSWORD, hasher=hasher)
    names = [f"bench-signin-{kind}-{i:04d}" for i in range(count)]
    User.objects.bulk_create([User(username=name, password=encoded) for name in names])
    return names


def _sign_in(kind: str, username: str) -> tuple[float, float]:
    client = Client(REMOTE_ADDR="10.99.0.1")
    with override_settings(PASSWORD_HASHERS=_hashers(kind)):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if response.status_code != 302:
        raise SystemExit(f"{kind}: sign-in of {username} answered {response.status_code}")
    return cpu, wall


def _hash_alone(kind: str, count: int) -> float:
    """CPU seconds of one ``verify`` of the right password by the kind's stored hash."""
    with override_settings(PASSWORD_HASHERS=_hashers(kind)):
        algorithm = "argon2" if kind == "after" else "pbkdf2_sha256"
        hasher = get_hasher(algorithm)
        encoded = hasher.encode(PASSWORD, hasher.salt())
        started = time.process_time()
        for _ in range(count):
            assert hasher.verify(PASSWORD, encoded)
        return (time.process_time() - started) / count


def run(users: int, round_size: int) -> dict[str, Any]:
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    wall: dict[str, list[float]] = {kind: [] for kind in KINDS}
    load_before = os.getloadavg()
    try:
        with transaction.atomic():
            names = {kind: _make_users(kind, users) for kind in KINDS}
            # Django's first request loads templates, URL conf, translations: not a sign-in.
            _sign_in("after", names["after"].pop())
            for start in range(0, users - 1, round_size):
                for kind in KINDS:
                    for username in names[kind][start : start + round_size]:
                        c, w = _sign_in(kind, username)
                        cpu[kind].append(c)
                        wall[kind].append(w)
                    cache.clear()
            upgraded = User.objects.filter(
                username__startswith="bench-signin-upgrade-", password__startswith="argon2$"
            ).count()
            raise Rollback
    except Rollback:
        pass
    hash_alone = {kind: _hash_alone(kind, 20) for kind in ("before", "after")}
    return {
        "cpu": cpu,
        "wall": wall,
        "upgraded": upgraded,
        "hash_alone": hash_alone,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def _ms(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * pct / 100))] * 1000


def _load(averages: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.1f}" for x in averages)


def report(result: dict[str, Any]) -> str:
    cpu, wall = result["cpu"], result["wall"]
    label = {
        "before": "before: PBKDF2-SHA256, Django's 1,000,000 iterations",
        "after": "after: Argon2id, m = 19 MiB, t = 2, p = 1",
        "upgrade": "upgrade: the first sign-in of a PBKDF2 user after the deploy",
    }
    iterations = get_hasher("pbkdf2_sha256").iterations
    rows = []
    for kind in KINDS:
        per_core = len(cpu[kind]) / sum(cpu[kind])
        rows.append(
            f"| {label[kind]} | {len(cpu[kind])} | {statistics.fmean(cpu[kind]) * 1000:.1f} | "
            f"{_ms(wall[kind], 50):.1f} / {_ms(wall[kind], 95):.1f} | **{per_core:.1f}** |"
        )
    alone = result["hash_alone"]
    lb, la = result["load_before"], result["load_after"]
    shared = (
        ": taken beside other work on the same cores, which inflates the wall times, the CPU "
        "times much less"
        if max(lb[0], la[0]) > 1.0
        else ""
    )
    before = len(cpu["before"]) / sum(cpu["before"])
    after = len(cpu["after"]) / sum(cpu["after"])
    cores = os.cpu_count() or 1
    return f"""## Sign-in (issue 15)

`bench/signin_bench.py` ({machine()}; database: {connection.vendor}).
Load average before {_load(lb)}, after {_load(la)}{shared}.

One process, the real sign-in page through Django's test client (address budget, django-axes,
backend, new session, audit row), a fresh browser per sign-in; the three kinds alternate in
rounds. Everything it writes is rolled back.

| Sign-in | n | CPU per sign-in (ms) | wall p50 / p95 (ms) | sign-ins per second per core |
|---|---|---|---|---|
{chr(10).join(rows)}

The hash alone (`verify` of the right password, CPU): PBKDF2 ({iterations:,} iterations)
{alone["before"] * 1000:.1f} ms, Argon2id {alone["after"] * 1000:.1f} ms.
Argon2id makes a sign-in **{after / before:.1f}×** cheaper in CPU: on {cores} cores about
{cores * before:.0f} sign-ins a second before, **{cores * after:.0f}** after (the CPU of this
process; the database's is not counted). The first sign-in of each person after the deploy
costs both hashes once ({result["upgraded"]} of {len(cpu["upgrade"])} PBKDF2 users of the bench
were stored as Argon2id after it). Sessions last 12 idle hours (`SESSION_IDLE_HOURS`), so a
teacher signs in once a day.

Run: `.venv/bin/python bench/signin_bench.py --write docs/benchmarks.md` (`make bench` runs it
on the national database)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=61, help="sign-ins of each kind, + 1 warm-up")
    parser.add_argument("--round", type=int, default=10, help="sign-ins of a kind in a row")
    parser.add_argument("--write", type=Path, help="docs/benchmarks.md to update")
    args = parser.parse_args()
    body = report(run(args.users, args.round))
    print(body)
    if args.write:
        write_section(args.write, "signin-bench", body)


if __name__ == "__main__":
    main()
