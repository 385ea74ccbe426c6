"""BDTX plans on the national dataset (issue 12): drafts for a province, the deadline rush of
submissions and principals' bulk approvals, and the roll-ups of needs.

Run by `make bench` (DATABASE_URL points at the national dataset). Setup, once: every working
person of the current year gets a plan (``bdtx_dataset.fill_national``: 1.2 million plans, about
six million items, by INSERT … SELECT), except the largest province, whose drafts are then made
by the product's own bulk path (``plans.bulk.draft_plans_for``) from last year's finalised
evaluations (written by the report bench's setup) and timed.

Measured:
* draft generation for the largest province: seconds, plans/s and rows/s (plans + items);
* the rush, over HTTP (gunicorn 2 workers x 4 threads, 50 client threads, as the evaluation
  bench): teachers submitting their plans (REST API, token), principals approving their
  school's three submitted plans in one request; each beside the trivial view measured just
  before it on the same server (ratio of req/s, and of CPU per request);
* in process, one request at a time: the same two actions (server time p50/p95, queries).

Run alone: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench
.venv/bin/python bench/bdtx_bench.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Importing the evaluation bench sets bench.settings (the trivial view) and Django up: first.
import bench.evaluation_bench as eb  # isort: skip

from django.db import connection
from django.db.models import Count
from django.test import Client

import bench.report_bench as rb
from bench.bdtx_dataset import fill_national, reference_data
from bench.common import machine, summary_ms, write_section
from opentemis.accounts.models import RoleAssignment
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.plans.bulk import draft_plans_for
from opentemis.plans.models import Plan, PlanItem, PlanStatus
from opentemis.staff.models import Person

PER_SCHOOL = eb.PER_SCHOOL  # three teachers per school: one approval request per school


@dataclass
class Job:
    name: str
    path: str
    body: str
    token: str
    expected: int = 200


def _largest_province() -> Unit:
    counts = Counter(
        path[:8] for path in Person.objects.values_list("unit_path", flat=True).iterator()
    )
    path, _n = counts.most_common(1)[0]
    return Unit.objects.get(path=path, kind=UnitKind.DEPARTMENT)


def drafts(year: SchoolYear, province: Unit) -> dict[str, Any]:
    """Delete the province's plans of the year, then make its drafts by the bulk path."""
    Plan.objects.filter(school_year=year, unit_path__startswith=province.path).delete()
    started = time.perf_counter()
    made = draft_plans_for(province, year)
    seconds = time.perf_counter() - started
    plans = Plan.objects.filter(school_year=year, unit_path__startswith=province.path)
    n_plans = plans.count()
    n_items = PlanItem.objects.filter(plan__in=plans).count()
    suggested = PlanItem.objects.filter(plan__in=plans, suggested=True).count()
    return {
        "province": province.name,
        "result": str(made),
        "plans": n_plans,
        "items": n_items,
        "suggested": suggested,
        "seconds": round(seconds, 1),
        "plans_per_s": round(n_plans / seconds),
        "rows_per_s": round((n_plans + n_items) / seconds),
    }


def rush_setup(year: SchoolYear, teachers_needed: int, seed: int) -> dict[str, Any]:
    """Teachers (three per school, with their principal) whose plans are set back to a
    complete draft; principals' tokens; jobs for submissions and bulk approvals."""
    rng = random.Random(seed)
    teachers, principal_of = eb._pick(rng, teachers_needed)
    users = eb._accounts([p.pk for p in teachers] + sorted(set(principal_of.values())))
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users[p.pk], role="teacher", unit_id=p.unit_id) for p in teachers]
        + [
            RoleAssignment(user=users[pid], role="principal", unit_id=school)
            for school, pid in principal_of.items()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    eb._warm_grants(list(users.values()))
    tokens = eb._tokens(list(users.values()))
    sessions = eb._sessions(list(users.values()))
    plans = dict(
        Plan.objects.filter(school_year=year, person__in=teachers).values_list("person_id", "pk")
    )
    missing = [p for p in teachers if p.pk not in plans]
    if missing:
        raise SystemExit(f"{len(missing)} picked teachers have no plan")
    # A complete draft, as the teacher leaves it before submitting (drafts made by the bulk
    # path have no objectives yet).
    Plan.objects.filter(pk__in=plans.values()).update(
        status=PlanStatus.DRAFT,
        submitted_at=None,
        approved_at=None,
        approved_by=None,
        late=False,
        objectives="Nâng cao năng lực dạy học và kiểm tra, đánh giá",
        outputs="Kế hoạch bài dạy minh họa",
    )
    submit = [
        Job(
            "submit (API)",
            f"/api/v1/bdtx/plans/{plans[p.pk]}/submit/",
            "{}",
            tokens[users[p.pk].pk],
        )
        for p in teachers
    ]
    by_school: dict[int, list[int]] = {}
    for p in teachers:
        by_school.setdefault(p.unit_id, []).append(plans[p.pk])
    approve = [
        Job(
            "approve 3 at once (API)",
            "/api/v1/bdtx/plans/approve/",
            json.dumps({"plans": ids}),
            tokens[users[principal_of[school]].pk],
        )
        for school, ids in by_school.items()
    ]
    any_session = sessions[users[teachers[0].pk].pk]
    return {
        "submit": submit,
        "approve": approve,
        "session": any_session,
        "teachers": len(teachers),
        "schools": len(by_school),
    }


def _request(job: Job) -> eb.Request:
    headers = {"Authorization": f"Token {job.token}", "Content-Type": "application/json"}
    return eb.Request("POST", job.path, job.body.encode(), headers)


def in_process(jobs: list[Job], n: int) -> dict[str, Any]:
    client = Client()

    def post(job: Job) -> None:
        response = client.post(
            job.path,
            data=job.body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {job.token}",
        )
        if response.status_code != job.expected:
            raise RuntimeError(f"{job.path}: {response.status_code} {response.content[:300]!r}")

    for job in jobs[:5]:
        post(job)
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        post(jobs[5])
    samples = []
    for job in jobs[6 : 6 + n]:
        started = time.perf_counter()
        post(job)
        samples.append(time.perf_counter() - started)
    return {**summary_ms(samples), "queries": len(statements)}


def under_load(server: eb.Server, jobs: list[Job], threads: int, pattern: str) -> dict[str, Any]:
    result, figures = eb._measure(server, iter([_request(j) for j in jobs]), threads, pattern)
    if set(result.statuses) != {200}:
        raise RuntimeError(f"{jobs[0].name}: HTTP statuses {result.statuses}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teachers", type=int, default=3000, help="plans submitted in the rush")
    parser.add_argument("--seq", type=int, default=100)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--trivial-seconds", type=float, default=8.0)
    parser.add_argument("--port", type=int, default=18767)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-drafts", action="store_true")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()

    result: dict[str, Any] = {}
    with system_scope():
        rb.setup(2024)  # last year's finalised evaluations: what the drafts are made from
        year = SchoolYear.objects.get(is_current=True)
        reference_data(year)
        province = _largest_province()
        filled = fill_national(year, skip_path=province.path)
        result["fill"] = filled
        print("national plans", filled, flush=True)
        if not args.skip_drafts:
            result["drafts"] = drafts(year, province)
            print("drafts", result["drafts"], flush=True)
        fill_national(year)  # anyone the bulk path left without a plan (no title)
        result["plans_total"] = Plan.objects.filter(school_year=year).count()
        result["items_total"] = PlanItem.objects.filter(plan__school_year=year).count()
        result["by_status"] = dict(
            Plan.objects.filter(school_year=year)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        batch = rush_setup(year, args.teachers + args.seq + 6, args.seed)
    seq_submit = batch["submit"][: args.seq + 6]
    load_submit = batch["submit"][args.seq + 6 :]
    # The in-process submissions' schools: their approvals are measured in process too.
    result["in_process"] = {"submit": in_process(seq_submit, args.seq)}
    log = eb.MEDIA_DIR / "access.log"
    loads: dict[str, Any] = {}
    with eb.Server(args.port, args.workers, args.threads, log) as server:
        trivial = eb._trivial(server, args.clients, args.trivial_seconds, batch["session"])
        loads["submit"] = under_load(
            server, load_submit, args.clients, r"/api/v1/bdtx/plans/\d+/submit/"
        )
        loads["submit"]["trivial"] = trivial
        print("submit", loads["submit"], flush=True)
        trivial = eb._trivial(server, args.clients, args.trivial_seconds, batch["session"])
        loads["approve"] = under_load(
            server, batch["approve"], args.clients, r"/api/v1/bdtx/plans/approve/"
        )
        loads["approve"]["trivial"] = trivial
        print("approve", loads["approve"], flush=True)
    result["load"] = loads
    result["ratio"] = {k: round(v["rps"] / v["trivial"]["rps"], 3) for k, v in loads.items()}
    result["cpu_ratio"] = {
        k: round(v["trivial"]["cpu_ms"] / v["cpu_ms"], 3) for k, v in loads.items()
    }
    with system_scope():
        result["after"] = dict(
            Plan.objects.filter(school_year=year, person__user__username__startswith=eb.PREFIX)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    result["teachers"], result["schools"] = batch["teachers"], batch["schools"]
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    if args.write:
        write_section(args.write, "bdtx-bench", _report(args, result))


def _report(args: argparse.Namespace, r: dict[str, Any]) -> str:
    lines = [
        "## BDTX plans: drafts, the deadline rush, bulk approvals (issue 12)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M %z')} on {machine()}.",
        "Command: `make bench` (runs `bench/bdtx_bench.py` against the national dataset).",
        f"Plans of the year: {r['plans_total']:,} with {r['items_total']:,} items "
        f"(by status: {', '.join(f'{k} {v:,}' for k, v in sorted(r['by_status'].items()))}).",
        "",
    ]
    if "drafts" in r:
        d = r["drafts"]
        lines += [
            f"Draft plans made by `plans.bulk.draft_plans_for` for {d['province']} (the largest "
            f"province) from last year's finalised evaluations: {d['plans']:,} plans and "
            f"{d['items']:,} items ({d['suggested']:,} suggested modules) in {d['seconds']} s: "
            f"**{d['plans_per_s']:,} plans/s**, {d['rows_per_s']:,} rows/s.",
            "",
        ]
    s = r["in_process"]["submit"]
    lines += [
        f"In process, one at a time: submit p50 {s['p50']} ms, p95 {s['p95']} ms, "
        f"{s['queries']} queries.",
        "",
        eb.LOAD_HEADER,
    ]
    for name, x in r["load"].items():
        t = x["trivial"]
        lines.append(
            f"| trivial view | {t['requests']} | {t['rps']} | {t['server_ms']['p50']} | "
            f"{t['server_ms']['p95']} | {t['client_ms']['p50']} | {t['client_ms']['p95']} | "
            f"{t['cpu_ms']} | {t['client_cores']} | {t['other_cores']} |"
        )
        lines.append(
            f"| {name} | {x['requests']} | {x['rps']} | {x['server_ms']['p50']} | "
            f"{x['server_ms']['p95']} | {x['client_ms']['p50']} | {x['client_ms']['p95']} | "
            f"{x['cpu_ms']} | {x['client_cores']} | {x['other_cores']} |"
        )
    lines += [
        "",
        f"{args.clients} concurrent clients; {r['teachers']:,} teachers of {r['schools']:,} "
        "schools. Ratios to the trivial view (req/s): "
        + ", ".join(f"{k} **{v}**" for k, v in r["ratio"].items())
        + "; by CPU per request: "
        + ", ".join(f"{k} {v}" for k, v in r["cpu_ratio"].items())
        + ". An approval request approves three plans.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
