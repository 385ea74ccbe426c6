"""Staff list and name search on the national dataset: server time p50/p95 and throughput.

Run by `make bench` (DATABASE_URL points at the national dataset). Server time is measured
in-process through Django's full middleware stack (no network). Throughput is measured over
HTTP against gunicorn on 127.0.0.1, for the staff list and for a trivial view on the same server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The site plus the trivial view this benchmark compares with (bench/urls.py); set, not
# defaulted: `make` exports the site's own settings. gunicorn inherits it.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("AXES_ENABLED", "0")
import django

django.setup()

from django.db.models import Count
from django.test import Client

from bench.common import machine, summary_ms, write_section
from opentemis.accounts.models import RoleAssignment, User
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person

NAMES = [
    "nguyen van an",
    "nguyen thi huong",
    "tran van nam",
    "le thi lan",
    "pham minh",
    "hoang thi mai",
    "vu duc",
    "dang van hung",
    "bui thi thu",
    "do thi hoa",
    "ngo van",
    "duong thi",
    "ly van long",
    "huynh thi ngoc",
    "phan thanh",
]


def setup_actors() -> tuple[User, User, Unit]:
    with system_scope():
        root = Unit.objects.get(depth=1)
        provinces = (
            Unit.objects.filter(depth=2, kind="department").annotate(n=Count("id")).order_by("path")
        )
        # The province with the most staff: the worst case for a province officer.
        sizes = []
        for prov in provinces:
            sizes.append((Person.objects.filter(unit__path__startswith=prov.path).count(), prov))
        sizes.sort(key=lambda pair: pair[0])
        province = sizes[-1][1]
        officer, _ = User.objects.get_or_create(username="bench_officer")
        national, _ = User.objects.get_or_create(username="bench_national")
        RoleAssignment.objects.get_or_create(user=officer, role="unit_officer", unit=province)
        RoleAssignment.objects.get_or_create(user=national, role="unit_officer", unit=root)
        province.staff_total = sizes[-1][0]
    return officer, national, province


def timed(client: Client, urls: list[str]) -> list[float]:
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def server_time(
    officer: User, national: User, province: Unit, n: int
) -> dict[str, dict[str, float]]:
    rng = random.Random(7)
    c_prov, c_nat = Client(), Client()
    c_prov.force_login(officer)
    c_nat.force_login(national)
    list_urls = [
        f"/staff/?unit={province.pk}&gender=F&position=GV&page={rng.randint(1, 40)}"
        for _ in range(n)
    ]
    dtts_urls = [f"/staff/?unit={province.pk}&dtts=1&page={rng.randint(1, 5)}" for _ in range(n)]
    search_prov = [
        f"/staff/?unit={province.pk}&q={rng.choice(NAMES).replace(' ', '+')}" for _ in range(n)
    ]
    search_nat = [f"/staff/?q={rng.choice(NAMES).replace(' ', '+')}" for _ in range(n)]
    timed(c_prov, list_urls[:5])  # warm caches and connections
    timed(c_nat, search_nat[:3])
    return {
        "province list (women teachers, page 1-40)": summary_ms(timed(c_prov, list_urls)),
        "province list (DTTS filter)": summary_ms(timed(c_prov, dtts_urls)),
        "name search, province scope": summary_ms(timed(c_prov, search_prov)),
        "name search, national scope": summary_ms(timed(c_nat, search_nat)),
    }


def _load(port: int, paths: list[str], cookie: str, seconds: float, threads: int) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rng = random.Random(i)
        while time.perf_counter() < stop:
            conn.request("GET", rng.choice(paths), headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            done[i] += 1
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def throughput(officer: User, province: Unit, seconds: float) -> dict[str, float]:
    client = Client()
    client.force_login(officer)
    cookie = client.cookies["sessionid"].value
    port = 18765
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "opentemis.wsgi",
            "--pythonpath",  # bench.settings and bench.urls, wherever the script is run from
            str(Path(__file__).resolve().parent.parent),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env={**os.environ},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(3)
        staff_paths = [
            f"/staff/?unit={province.pk}&gender=F&position=GV&page={rng.randint(1, 40)}"
            for _ in range(50)
        ]
        _load(port, ["/bench/trivial"], cookie, 2, 8)  # warm-up
        trivial = _load(port, ["/bench/trivial"], cookie, seconds, 8)
        _load(port, staff_paths, cookie, 2, 8)
        staff = _load(port, staff_paths, cookie, seconds, 8)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {
        "trivial_rps": round(trivial, 1),
        "staff_list_rps": round(staff, 1),
        "ratio": round(staff / trivial, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200, help="requests per scenario")
    parser.add_argument(
        "--seconds", type=float, default=15.0, help="duration of each throughput run"
    )
    parser.add_argument("--write", type=Path, help="update this markdown file")
    args = parser.parse_args()
    officer, national, province = setup_actors()
    with system_scope():
        total = Person.objects.count()
    latency = server_time(officer, national, province, args.n)
    tput = throughput(officer, province, args.seconds)
    result = {
        "staff_total": total,
        "province": province.name,
        "province_staff": province.staff_total,
        "latency_ms": latency,
        "throughput": tput,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.write:
        rows = "\n".join(
            f"| {name} | {s['n']} | {s['p50']} | {s['p95']} | {s['mean']} |"
            for name, s in latency.items()
        )
        body = f"""## Staff list and name search (issue 2)

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {machine()}.
Command: `make bench` (runs `bench/staff_bench.py -n {args.n} --seconds {args.seconds:g}` against
`DATABASE_URL=postgresql://…/opentemis_bench` holding `opentemis synth --size national`:
{total:,} staff). Province: {province.name} ({province.staff_total:,} staff, the largest).
Server time = in-process through the full middleware stack, session-authenticated unit officer.

| scenario | requests | p50 ms | p95 ms | mean ms |
|---|---|---|---|---|
{rows}

Throughput over HTTP, gunicorn 2 workers × 4 threads on 127.0.0.1, 8 client threads on the same
2-core machine for {args.seconds:g} s each: trivial view {tput["trivial_rps"]} req/s, province
staff list {tput["staff_list_rps"]} req/s, ratio **{tput["ratio"]}**.
"""
        write_section(args.write, "staff-bench", body)


if __name__ == "__main__":
    main()
