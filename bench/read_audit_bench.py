"""What the audit of reads costs (issue 10, decision 0012): staff list and record pages, and the
evaluation submit, with ``AUDIT_READS`` off and on, on the same dataset, side by side.

Server time is measured in-process through the full middleware stack, like bench/staff_bench.py
and bench/evaluation_bench.py. The two settings alternate request by request (off, on, on,
off, ...) over the same URLs, so that the shared machine's drift falls on both halves alike.
Throughput over HTTP (optional, ``--seconds``): gunicorn started with OPENTEMIS_AUDIT_READS=0,
then =1, then =0 and =1 again, the staff list under 8 client threads.

Run by `make bench` after staff_bench.py (it reuses its bench_officer on the largest province).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
os.environ.setdefault("AXES_ENABLED", "0")
import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from bench import evaluation_bench as eb
from bench.common import machine, summary_ms, write_section
from bench.staff_bench import NAMES, setup_actors
from opentemis.accounts import read_audit
from opentemis.accounts.models import AuditEvent
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.staff.models import Person

# The figures of the sections above (docs/benchmarks.md), for the side-by-side table.
EARLIER = {
    "province list (women teachers, page 1-40)": (50.9, 67.1),
    "province list (DTTS filter)": (26.1, 37.2),
    "name search, province scope": (56.0, 87.3),
    "submit (page)": (8.7, 10.8),
}


PAIRS = 3  # HTTP throughput runs: off, on, off, on, off, on
HEADER = (
    "| scenario | earlier p50 / p95 ms | off p50 / p95 ms | on p50 / p95 ms | mean ms off → on "
    "| ratio | added ms | write ms |\n|---|---|---|---|---|---|---|---|"
)


class _AuditTimer:
    """Time spent writing the audit-of-reads row (``read_audit._insert``: one statement, its
    commit included), wrapped around the module's function."""

    def __init__(self) -> None:
        self.spent: list[float] = []
        self.original = read_audit._insert

    def __call__(self, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            self.original(**kwargs)
        finally:
            self.spent.append(time.perf_counter() - started)


def _alternate(run: Any, items: list[Any]) -> dict[str, Any]:
    """Run ``run(item)`` for each item twice, audit off and on, in alternating order."""
    off: list[float] = []
    on: list[float] = []
    timer = _AuditTimer()
    read_audit._insert = timer  # type: ignore[assignment]
    try:
        for i, item in enumerate(items):
            order = (False, True) if i % 2 == 0 else (True, False)
            for audit in order:
                with override_settings(AUDIT_READS=audit):
                    started = time.perf_counter()
                    run(item, audit)
                    (on if audit else off).append(time.perf_counter() - started)
    finally:
        read_audit._insert = timer.original  # type: ignore[assignment]
    a, b = summary_ms(off), summary_ms(on)
    return {
        "off": a,
        "on": b,
        "ratio_mean": round(statistics.fmean(on) / statistics.fmean(off), 3),
        "added_ms_mean": round((statistics.fmean(on) - statistics.fmean(off)) * 1000, 2),
        "insert_ms_mean": round(statistics.fmean(timer.spent) * 1000, 2) if timer.spent else "–",
        "inserts": len(timer.spent),
    }


def staff_pages(n: int) -> tuple[dict[str, Any], Any]:
    officer, _national, province = setup_actors()
    client = Client()
    client.force_login(officer)
    rng = random.Random(7)
    with system_scope():
        ids = list(
            Person.objects.filter(unit_path__startswith=province.path)
            .order_by("id")
            .values_list("id", flat=True)[:5000]
        )
    scenarios = {
        "province list (women teachers, page 1-40)": [
            f"/staff/?unit={province.pk}&gender=F&position=GV&page={rng.randint(1, 40)}"
            for _ in range(n)
        ],
        "province list (DTTS filter)": [
            f"/staff/?unit={province.pk}&dtts=1&page={rng.randint(1, 5)}" for _ in range(n)
        ],
        "name search, province scope": [
            f"/staff/?unit={province.pk}&q={rng.choice(NAMES).replace(' ', '+')}" for _ in range(n)
        ],
        "staff record page": [f"/staff/{rng.choice(ids)}/" for _ in range(n)],
        "API list (province, page 1-40)": [
            f"/api/v1/staff/?unit={province.pk}&page={rng.randint(1, 40)}" for _ in range(n)
        ],
    }

    def get(url: str, _audit: bool) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    for urls in scenarios.values():  # warm caches and connections
        for url in urls[:5]:
            get(url, False)
    return {name: _alternate(get, urls) for name, urls in scenarios.items()}, (officer, province)


def evaluation_submit(n: int, seed: int) -> dict[str, Any]:
    scenario = eb.Scenario("submit")
    batch = eb.setup(eb.SEQ_WARM + 2 * n, (scenario,), seed)
    jobs = batch.jobs[scenario]
    client = Client()
    for job in jobs[: eb.SEQ_WARM]:
        eb._post(client, job)
    rest = iter(jobs[eb.SEQ_WARM :])
    return _alternate(lambda _item, _audit: eb._post(client, next(rest)), list(range(n)))


def write_only(n: int, officer: Any) -> dict[str, Any]:
    """The row alone, two ways, alternating: a plain autocommit INSERT (the commit waits for the
    WAL to reach the disk) and ``read_audit._insert`` (the commit does not wait)."""
    changes = {"count": 50, "ids": list(range(1_000_000, 1_000_050)), "via": "page"}
    plain: list[float] = []
    relaxed: list[float] = []
    with system_scope():
        for i in range(n):
            for way in ("plain", "relaxed") if i % 2 == 0 else ("relaxed", "plain"):
                started = time.perf_counter()
                if way == "plain":
                    audit(actor=officer, action="reads.bench", changes=changes)
                else:
                    read_audit._insert(
                        actor=officer, action="reads.bench", unit=None, obj=None, changes=changes
                    )
                (plain if way == "plain" else relaxed).append(time.perf_counter() - started)
        AuditEvent.objects.filter(action="reads.bench").delete()
    return {"plain": summary_ms(plain), "relaxed": summary_ms(relaxed)}


def throughput(officer: Any, province: Any, seconds: float, port: int) -> dict[str, Any]:
    """The province staff list under load, with the audit off then on, PAIRS times; req/s and
    the CPU per request of the gunicorn workers and their PostgreSQL backends (what the shared
    machine's other work disturbs least), as in bench/evaluation_bench.py."""
    client = Client()
    client.force_login(officer)
    cookie = client.cookies["sessionid"].value
    rng = random.Random(3)
    paths = [
        f"/staff/?unit={province.pk}&gender=F&position=GV&page={rng.randint(1, 40)}"
        for _ in range(50)
    ]

    def forever() -> Iterator[eb.Request]:
        pick = random.Random(5)
        while True:
            yield eb.Request("GET", pick.choice(paths), None, {"Cookie": f"sessionid={cookie}"})

    log = Path(tempfile.mkdtemp(prefix="read-audit-bench-")) / "access.log"
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    try:
        for setting in ("0", "1") * PAIRS:
            os.environ["OPENTEMIS_AUDIT_READS"] = setting
            with eb.Server(port, 2, 4, log) as server:
                eb._load(server.port, forever(), 8, 2)  # warm-up
                _result, figures = eb._measure(server, forever(), 8, r"/staff/", seconds)
            runs["on" if setting == "1" else "off"].append(figures)
    finally:
        os.environ.pop("OPENTEMIS_AUDIT_READS", None)
        shutil.rmtree(log.parent, ignore_errors=True)
    # Each "on" run against the "off" run just before it; the median over the pairs.
    pairs = list(zip(runs["off"], runs["on"], strict=True))
    return {
        "runs": runs,
        "rps_ratio": round(statistics.median(b["rps"] / a["rps"] for a, b in pairs), 3),
        "cpu_ratio": round(statistics.median(b["cpu_ms"] / a["cpu_ms"] for a, b in pairs), 3),
    }


def _row(name: str, r: dict[str, Any]) -> str:
    earlier = EARLIER.get(name)
    before = f"{earlier[0]} / {earlier[1]}" if earlier else "–"
    return (
        f"| {name} | {before} | {r['off']['p50']} / {r['off']['p95']} | "
        f"{r['on']['p50']} / {r['on']['p95']} | {r['off']['mean']} → {r['on']['mean']} | "
        f"**{r['ratio_mean']}** | {r['added_ms_mean']} | {r['insert_ms_mean']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200, help="requests per scenario and setting")
    parser.add_argument("--seconds", type=float, default=10.0, help="0: no HTTP throughput run")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--port", type=int, default=18767)
    parser.add_argument("--write", type=Path, help="update this markdown file")
    args = parser.parse_args()
    with system_scope():
        total = Person.objects.count()
    load_before = os.getloadavg()[0]
    pages, (officer, province) = staff_pages(args.n)
    print(json.dumps(pages, indent=2), flush=True)
    submit = evaluation_submit(args.n, args.seed)
    print("submit", json.dumps(submit), flush=True)
    row = write_only(args.n, officer)
    print("write only", row, flush=True)
    tput = throughput(officer, province, args.seconds, args.port) if args.seconds else None
    print("throughput", tput, flush=True)
    if not args.write:
        return
    database = connection.settings_dict["NAME"]
    load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    rows = "\n".join(_row(name, r) for name, r in {**pages, "submit (page)": submit}.items())
    if tput:
        cells = [
            f"{r['rps']} req/s, {r['cpu_ms']} ms CPU, other work {r['other_cores']} cores"
            for pair in zip(tput["runs"]["off"], tput["runs"]["on"], strict=True)
            for r in pair
        ]
        http_line = (
            f"Under load over HTTP (gunicorn 2 workers × 4 threads, 8 client threads, "
            f"{args.seconds:g} s per run, {PAIRS} pairs of runs, audit off then on): "
            + "; ".join(cells)
            + f". Median over the pairs, on / off: throughput **{tput['rps_ratio']}**, CPU per "
            f"request (gunicorn workers and their PostgreSQL backends) **{tput['cpu_ratio']}**."
        )
    else:
        http_line = "No HTTP throughput run (`--seconds 0`)."
    body = f"""## The audit of reads: what it costs (issue 10)

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {machine()}.
Command: `bench/read_audit_bench.py -n {args.n} --seconds {args.seconds:g}` (also run by
`make bench`) against `DATABASE_URL=postgresql://…/{database}` holding
`opentemis synth --size national` ({total:,} staff). Province: {province.name}.
The machine is shared: its 1-minute load average was {load} (2 cores), so absolute
times are above those of the quieter runs above; the off/on comparison is what this measures.
In-process server time through the full middleware stack, session-authenticated unit officer
(the submit: the teacher, as in the evaluation bench); `AUDIT_READS` off and on alternate
request by request over the same URLs ({args.n} requests each). *Earlier*: the figures of the
sections above (another day, the `opentemis_bench` database), for scale. *Ratio*: mean with the
audit on / mean with it off. *write ms*: mean time of writing the audit row
(`read_audit._insert`: one INSERT statement that also sets `synchronous_commit = off` for
its own implicit transaction), per request that wrote one: the whole of the added work.

{HEADER}
{rows}

The evaluation submit reads no one else's staff record, so it writes no read event: its ratio
shows the noise of the measurement. {http_line}

The row alone ({args.n} writes each way, alternating, same data): a plain autocommit INSERT,
whose commit waits for the write-ahead log to reach the disk, p50 {row["plain"]["p50"]} ms,
p95 {row["plain"]["p95"]} ms, mean {row["plain"]["mean"]} ms; the way it is written
(`synchronous_commit = off` for that statement's transaction), p50 {row["relaxed"]["p50"]} ms,
p95 {row["relaxed"]["p95"]} ms, mean {row["relaxed"]["mean"]} ms.
"""
    write_section(args.write, "read-audit-bench", body)


if __name__ == "__main__":
    main()
