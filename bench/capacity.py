"""The capacity model of a national deployment (issue 15, point 7), as code.

Pure functions over three inputs:

* the CPU cost of each request type, application and database apart, measured by
  ``bench/request_costs.py`` (``docs/capacity-costs.json``);
* a stated model of the national peak: how many people, what share of them act in the last days
  before a deadline, the busiest hour's share of a day, and what a session of each kind asks
  for (its journey). Every assumption carries its source or the mark "cần kiểm chứng" (to verify);
* the machines: cores per application node, the target utilisation.

It answers the requests per second at the peak, the application cores and nodes, the database
cores and replicas, and the database size; and it predicts the throughput of a cluster of N
nodes for a measured run's request mix (``predict``), which docs/capacity.md compares with the
cluster run. No Django here: the functions are tested in tests/test_capacity_model.py.

    .venv/bin/python bench/capacity.py national            # the national result (markdown)
    .venv/bin/python bench/capacity.py predict --nodes 3   # a cluster of 3 nodes, the test rush
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COSTS_JSON = ROOT / "docs" / "capacity-costs.json"
TO_VERIFY = "cần kiểm chứng"


@dataclass(frozen=True)
class Cost:
    """Mean CPU milliseconds of one request: in the Django process and in its database backend.
    Means, not medians: a core's capacity is spent by the average request."""

    app_ms: float
    db_ms: float


@dataclass(frozen=True)
class Assumption:
    value: float
    source: str  # where the figure comes from, or TO_VERIFY with the reasoning

    @property
    def verified(self) -> bool:
        return TO_VERIFY not in self.source


@dataclass(frozen=True)
class Journey:
    """What one session asks for: {request type: how many}; its length gives the concurrency."""

    name: str
    requests: Mapping[str, float]
    minutes: float
    source: str


@dataclass(frozen=True)
class Peak:
    """The busiest hour before a national deadline."""

    name: str
    people: Assumption
    share_acting_last_days: Assumption  # of everyone, who acts in the last days
    last_days: Assumption
    sessions_per_person: Assumption  # sessions each of them opens in those days
    peak_hour_share: Assumption  # the busiest hour's share of a day's sessions
    journeys: Mapping[str, float]  # journey name -> share of the sessions


@dataclass(frozen=True)
class Machines:
    cores_per_node: int = 8
    target_utilisation: float = 0.6
    # CPU per request under concurrency over gunicorn, relative to the in-process cost: the
    # learning rush on one node measured 12.64 ms per request (workers and backends,
    # docs/benchmarks.md) for a mix that costs 9.74 ms in process in docs/capacity-costs.json
    # (1.30x). Replace it with the cluster run's own ratio (docs/capacity.md, "Predicted vs
    # measured").
    load_factor: float = 1.3
    db_cores_per_machine: int = 16
    min_nodes: int = 2  # one node down must not stop the service
    min_replicas: int = 1  # a standby for failover, whatever the read load


@dataclass(frozen=True)
class Result:
    sessions_per_s: float
    concurrent_sessions: float
    requests_per_s: float
    app_cores_busy: float
    app_cores: float
    nodes: int
    db_cores_busy: float
    db_cores: float  # at the target utilisation, everything on the primary (as today)
    db_cores_replica_ok: float
    db_cores_primary: float  # at the target utilisation, if the replica-able reads moved
    replicas: int
    by_type: dict[str, float] = field(default_factory=dict)  # requests/s per type


# --- the costs -------------------------------------------------------------------------------


def load_costs(path: Path = COSTS_JSON) -> dict[str, Cost]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return costs_from(data)


def costs_from(data: Mapping[str, object]) -> dict[str, Cost]:
    """{key: Cost} from request_costs.py's JSON (means of app and db ms)."""
    costs = data["costs"]
    assert isinstance(costs, dict)
    return {key: Cost(float(v["app_mean"]), float(v["db_mean"])) for key, v in costs.items()}


def with_sign_in(costs: Mapping[str, Cost], hasher: str) -> dict[str, Cost]:
    """The costs with ``sign_in`` set to the hasher's (``pbkdf2`` or ``argon2id``)."""
    out = dict(costs)
    out["sign_in"] = costs[f"sign_in_{hasher}"]
    return out


# --- the model -------------------------------------------------------------------------------


def session_rate(peak: Peak) -> float:
    """Sessions starting per second in the busiest hour."""
    per_day = (
        peak.people.value
        * peak.share_acting_last_days.value
        * peak.sessions_per_person.value
        / peak.last_days.value
    )
    return per_day * peak.peak_hour_share.value / 3600


def request_rates(peak: Peak, journeys: Mapping[str, Journey]) -> dict[str, float]:
    """Requests per second of each type at the peak."""
    rate = session_rate(peak)
    out: dict[str, float] = {}
    for name, share in peak.journeys.items():
        for kind, count in journeys[name].requests.items():
            out[kind] = out.get(kind, 0.0) + rate * share * count
    return out


def concurrency(peak: Peak, journeys: Mapping[str, Journey]) -> float:
    """Sessions open at once (Little's law: arrival rate x time in the system)."""
    rate = session_rate(peak)
    return sum(rate * share * journeys[n].minutes * 60 for n, share in peak.journeys.items())


def cpu_cores(rates: Mapping[str, float], costs: Mapping[str, Cost], side: str) -> float:
    """Cores kept busy by ``rates`` (requests/s per type) on one side (``app`` or ``db``)."""
    total = 0.0
    for kind, per_s in rates.items():
        cost = costs[kind]
        total += per_s * (cost.app_ms if side == "app" else cost.db_ms) / 1000
    return total


def plan(
    peak: Peak,
    journeys: Mapping[str, Journey],
    costs: Mapping[str, Cost],
    machines: Machines,
    replica_ok: frozenset[str] = frozenset(),
) -> Result:
    """Nodes, database cores and replicas for ``peak``."""
    rates = request_rates(peak, journeys)
    app_busy = cpu_cores(rates, costs, "app") * machines.load_factor
    db_busy = cpu_cores(rates, costs, "db") * machines.load_factor
    db_replica_ok = (
        cpu_cores({k: v for k, v in rates.items() if k in replica_ok}, costs, "db")
        * machines.load_factor
    )
    app_cores = app_busy / machines.target_utilisation
    nodes = max(machines.min_nodes, math.ceil(app_cores / machines.cores_per_node))
    # A replica holds a share of the routable reads at the target utilisation on its machine.
    replica_capacity = machines.db_cores_per_machine * machines.target_utilisation
    replicas = max(machines.min_replicas, math.ceil(db_replica_ok / replica_capacity))
    return Result(
        sessions_per_s=session_rate(peak),
        concurrent_sessions=concurrency(peak, journeys),
        requests_per_s=sum(rates.values()),
        app_cores_busy=app_busy,
        app_cores=app_cores,
        nodes=nodes,
        db_cores_busy=db_busy,
        db_cores=db_busy / machines.target_utilisation,
        db_cores_replica_ok=db_replica_ok,
        db_cores_primary=(db_busy - db_replica_ok) / machines.target_utilisation,
        replicas=replicas,
        by_type=rates,
    )


def scale_to_concurrency(peak: Peak, journeys: Mapping[str, Journey], target: float) -> Peak:
    """The same peak with more people acting in the last days, so that ``target`` sessions are
    open at once (to test the model at a concurrency observed elsewhere)."""
    now = concurrency(peak, journeys)
    share = peak.share_acting_last_days
    return replace(
        peak,
        name=f"{peak.name}, scaled to {target:,.0f} concurrent",
        share_acting_last_days=Assumption(share.value * target / now, share.source),
    )


# --- a cluster's throughput ------------------------------------------------------------------


def mix_cost(mix: Mapping[str, float], costs: Mapping[str, Cost]) -> Cost:
    """The mean cost of one request of ``mix`` ({type: count or share})."""
    total = sum(mix.values())
    return Cost(
        sum(n * costs[k].app_ms for k, n in mix.items()) / total,
        sum(n * costs[k].db_ms for k, n in mix.items()) / total,
    )


@dataclass(frozen=True)
class Prediction:
    requests_per_s: float
    bound: str  # what limits it: "application nodes", "database", "shared cores"
    app_limit: float
    db_limit: float
    shared_limit: float | None
    mean_cost: Cost


def predict(
    *,
    nodes: int,
    cores_per_node: float,
    mix: Mapping[str, float],
    costs: Mapping[str, Cost],
    db_cores: float,
    load_factor: float = Machines.load_factor,
    shared_cores: float | None = None,
) -> Prediction:
    """The most requests/s a cluster serves for ``mix`` with every core busy: the smaller of
    what the application nodes and the database can do; ``shared_cores`` when all of them (and
    the load generator's share left out) run on one machine's cores."""
    cost = mix_cost(mix, costs)
    app = nodes * cores_per_node * 1000 / (cost.app_ms * load_factor)
    db = db_cores * 1000 / (cost.db_ms * load_factor)
    shared = (
        shared_cores * 1000 / ((cost.app_ms + cost.db_ms) * load_factor)
        if shared_cores is not None
        else None
    )
    limits = {"application nodes": app, "database": db}
    if shared is not None:
        limits["shared cores"] = shared
    bound = min(limits, key=lambda k: limits[k])
    return Prediction(limits[bound], bound, app, db, shared, cost)


# The learning bench's rush (bench/learning_bench.py): per attempt a start, 10 answers and a
# finish; the 20 video clients beside it sent 6,193 reports while 1,500 attempts ran.
MIXES: dict[str, dict[str, float]] = {
    "test-rush": {"test_start": 1, "test_answer": 10, "test_finish": 1},
    "test-rush-video": {
        "test_start": 1,
        "test_answer": 10,
        "test_finish": 1,
        "video_progress": 6193 / 1500,
    },
    "test-rush-sign-in": {"sign_in": 1, "test_start": 1, "test_answer": 10, "test_finish": 1},
}


# The steps of bench/cluster_rush.py (the lead's rush through HAProxy) and the request types
# they are: its sign-in, video reports and report reads go through the REST API.
RUSH_STEPS: dict[str, str] = {
    "sign-in": "sign_in_api_argon2id",
    "start": "test_start",
    "save": "test_answer",
    "submit": "test_finish",
    "video": "video_progress_api",
    "report": "report_province_api",
}


def rush_mix(steps: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """The request mix of a cluster rush run: {request type: requests} from its steps' counts."""
    return {RUSH_STEPS[step]: float(got["n"]) for step, got in steps.items() if got.get("n")}


@dataclass(frozen=True)
class RushCheck:
    nodes: int
    measured: float  # requests/s
    predicted: Prediction
    machine_cpu_ms: float | None  # the whole machine's CPU per request during the run


def check_rush(
    result: Mapping[str, object],
    costs: Mapping[str, Cost],
    *,
    cores_per_node: float,
    db_cores: float,
    shared_cores: float | None,
    load_factor: float = Machines.load_factor,
) -> list[RushCheck]:
    """Predicted vs measured for each run of ``cluster_rush.py scale --json`` output."""
    runs = result["runs"]
    assert isinstance(runs, dict)
    checks = []
    for key, run in sorted(runs.items(), key=lambda kv: int(kv[0])):
        nodes = int(run.get("nodes", key))
        mix = rush_mix(run["steps"])
        requests = sum(mix.values())
        cpu = run.get("machine_cpu_s")
        checks.append(
            RushCheck(
                nodes=nodes,
                measured=float(run["requests_per_s"]),
                predicted=predict(
                    nodes=nodes,
                    cores_per_node=cores_per_node,
                    mix=mix,
                    costs=costs,
                    db_cores=db_cores,
                    load_factor=load_factor,
                    shared_cores=shared_cores,
                ),
                machine_cpu_ms=float(cpu) * 1000 / requests if cpu and requests else None,
            )
        )
    return checks


def rush_table(checks: list[RushCheck], load_factor: float) -> str:
    lines = [
        "| nodes | predicted req/s | bound | measured req/s | measured / predicted | "
        "model CPU ms per request | machine CPU ms per request (all of it) |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        cost = c.predicted.mean_cost
        model = (cost.app_ms + cost.db_ms) * load_factor
        machine = f"{c.machine_cpu_ms:.1f}" if c.machine_cpu_ms is not None else "–"
        lines.append(
            f"| {c.nodes} | {c.predicted.requests_per_s:,.1f} | {c.predicted.bound} | "
            f"{c.measured:,.1f} | {c.measured / c.predicted.requests_per_s:.2f} | "
            f"{model:.1f} | {machine} |"
        )
    return "\n".join(lines)


# --- database size ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Growth:
    table: str
    rows_per_person_year: float
    source: str


# Rows a person adds each year, per table (the big ones). Bytes per row come from the measured
# dataset (pg_total_relation_size / live rows: heap, TOAST and indexes).
GROWTH: tuple[Growth, ...] = (
    Growth("evaluations_evaluation", 1, "self-evaluation yearly (TT 20/2018 Đ.10) [V-en]"),
    Growth(
        "evaluations_trainingneed",
        2.4,
        "demo: 121,948 training needs for 51,623 evaluations",
    ),
    Growth("evaluations_peeropinion", 1, f"colleagues' opinions (BM2); {TO_VERIFY}"),
    Growth("reports_staffcell", 1.45, "demo: 100,397 cells / 34,677 people / 2 years"),
    Growth("reports_evalcell", 0.2, "demo: 14,114 cells / 34,677 people / 2 years"),
    Growth("cascade_caseload", 0.7, "demo: 24,432 mass learners given a core teacher / 34,677"),
    Growth("evaluations_evidencelink", 15, f"one evidence per criterion, 15 criteria; {TO_VERIFY}"),
    Growth("evidence_evidence", 8, f"files reused across criteria; {TO_VERIFY}"),
    Growth("plans_plan", 1, "a BDTX plan a year (TT 19/2019 Đ.8) [V-en]"),
    Growth("plans_planitem", 5, "5 items per plan (bench/bdtx_dataset.py: 5.0 on average)"),
    Growth("learning_enrolment", 4, f"programmes 01, 02, 03: about 4 modules a year; {TO_VERIFY}"),
    Growth("learning_activityprogress", 24, "6 activities per module (the bench course) × 4"),
    Growth("quizzes_attempt", 5, f"one test per module, some retaken; {TO_VERIFY}"),
    Growth("quizzes_slot", 50, f"10 questions per attempt (the journey's test); {TO_VERIFY}"),
    Growth("accounts_auditevent", 60, f"sign-ins and writes audited; {TO_VERIFY}"),
    Growth("notifications_notice", 20, f"reminders and results; {TO_VERIFY}"),
)
DEFAULT_ROW_BYTES = 600  # a table the dataset holds no row of
TUPLE_OVERHEAD = 28  # heap tuple header (23, aligned) and its line pointer (4)
FREE_SPACE = 1.15  # pages are not full
INDEX_ENTRY = 24  # an index tuple of an integer or short key, with its line pointer


def bytes_per_row(tables: Mapping[str, Mapping[str, float]], table: str) -> float:
    """Measured bytes per row when the dataset holds 1,000 rows or more; below that the pages
    weigh more than the rows, so the row is estimated from its mean size and its indexes."""
    got = tables.get(table)
    if not got:
        return DEFAULT_ROW_BYTES
    if got.get("rows", 0) >= 1000:
        return float(got["bytes"]) / float(got["rows"])
    if got.get("mean_row"):
        return (float(got["mean_row"]) + TUPLE_OVERHEAD) * FREE_SPACE + INDEX_ENTRY * float(
            got.get("indexes", 1)
        )
    return DEFAULT_ROW_BYTES


def database_size(
    *,
    people: float,
    years: float,
    tables: Mapping[str, Mapping[str, float]],
    base_bytes_per_person: float,
    growth: tuple[Growth, ...] = GROWTH,
) -> dict[str, float]:
    """Bytes after ``years`` years: the base (units, staff, accounts: what exists without
    activity) plus each table's rows per person per year x its bytes per row."""
    yearly = {
        g.table: people * g.rows_per_person_year * bytes_per_row(tables, g.table) for g in growth
    }
    base = people * base_bytes_per_person
    return {
        "base": base,
        "per_year": sum(yearly.values()),
        **yearly,
        "total": base + years * sum(yearly.values()),
    }


BASE_TABLES = (
    "staff_person",
    "staff_person_positions",
    "staff_person_subjects",
    "staff_assignment",
    "accounts_user",
    "accounts_roleassignment",
    "orgs_unit",
    "staff_subjectgroup",
)


def base_bytes_per_person(tables: Mapping[str, Mapping[str, float]], staff: int) -> float:
    """What the dataset's people, units and accounts weigh per person (accounts: every person
    gets one in production; the dataset has few, so the user row is counted once per person)."""
    measured = sum(float(tables[t]["bytes"]) for t in BASE_TABLES if t in tables) / staff
    users = tables.get("accounts_user", {})
    per_user = bytes_per_row(tables, "accounts_user") if users else DEFAULT_ROW_BYTES
    share_with_account = float(users.get("rows", 0)) / staff if users else 0.0
    return measured + per_user * max(0.0, 1 - share_with_account)


# --- the stated national peak ----------------------------------------------------------------

JOURNEYS: dict[str, Journey] = {
    j.name: j
    for j in (
        Journey(
            "module",
            {
                "sign_in": 1,
                "home": 1,
                "course_page": 3,
                "video_progress": 20,
                "test_start": 1,
                "test_answer": 10,
                "test_finish": 1,
            },
            40,
            f"a module's session: a 20-minute video (a report a minute), a 10-question test; "
            f"{TO_VERIFY} (ETEP's module structure is unknown, bdtx.md §5)",
        ),
        Journey(
            "self_evaluation",
            {
                "sign_in": 1,
                "home": 1,
                "my_evaluation": 3,
                "evaluation_autosave": 15,
                "evaluation_submit": 0.5,
            },
            30,
            f"BM1: 15 criteria, an autosave each; half of the sessions end in the submit; "
            f"{TO_VERIFY}",
        ),
        Journey(
            "school_manager",
            {"sign_in": 1, "home": 1, "report_school": 3, "my_evaluation": 5},
            20,
            f"a principal following the school (report, records to review); {TO_VERIFY}",
        ),
        Journey(
            "officer",
            {"sign_in": 1, "home": 1, "report_province": 2, "progress_province": 4},
            20,
            f"a province or commune officer following completion; {TO_VERIFY}",
        ),
    )
}

# Reads the replica answers: the views marked ``reads_from_replica`` on main (reports, progress
# pages, rankings, lists, exports; decision 0026), unless the browser wrote in the last seconds.
REPLICA_OK = frozenset(
    {"report_school", "report_province", "report_province_api", "progress_province"}
)

PEOPLE = Assumption(
    1_200_000,
    "~1.23 M preschool and general teachers (2022-23) [V]; ~1.66 M with all staff (domain.md §2)",
)

PEAKS: dict[str, Peak] = {
    "module_deadline": Peak(
        name="a national BDTX module's deadline",
        people=PEOPLE,
        share_acting_last_days=Assumption(
            0.5,
            f"half of everyone leaves the module to its last 3 days; {TO_VERIFY} "
            "(ETEP 2021: 513,852 joined one module, bdtx.md §2)",
        ),
        last_days=Assumption(3, f"the last 3 days; {TO_VERIFY}"),
        sessions_per_person=Assumption(1.5, f"a module done in one or two sittings; {TO_VERIFY}"),
        peak_hour_share=Assumption(
            0.15, f"the evening hour 20:00-21:00 holds 15 % of a day's sessions; {TO_VERIFY}"
        ),
        journeys={"module": 0.93, "school_manager": 0.05, "officer": 0.02},
    ),
    "evaluation_deadline": Peak(
        name="the self-evaluation deadline (end of the school year)",
        people=PEOPLE,
        share_acting_last_days=Assumption(
            0.4,
            f"the schools set their own dates inside the cycle, which spreads the rush; "
            f"{TO_VERIFY}",
        ),
        last_days=Assumption(3, f"the last 3 days of the cycle's self-evaluation; {TO_VERIFY}"),
        sessions_per_person=Assumption(2, f"a draft, then the submit; {TO_VERIFY}"),
        peak_hour_share=Assumption(0.15, f"as for the modules; {TO_VERIFY}"),
        journeys={"self_evaluation": 0.9, "school_manager": 0.08, "officer": 0.02},
    ),
}
# The concurrency a national school platform held (K12Online, Viettel): about 146,000 at
# once, peaking at 289,000 [V] (bdtx.md §2). Pupils included: an upper bound for teachers.
K12ONLINE_CONCURRENT = 146_000


# --- output ----------------------------------------------------------------------------------


def _dataset(data: Mapping[str, object]) -> Mapping[str, object]:
    dataset = data["dataset"]
    assert isinstance(dataset, dict)
    return dataset


def national_report(data: Mapping[str, object], machines: Machines, hasher: str) -> str:
    costs = with_sign_in(costs_from(data), hasher)
    lines = [
        f"Costs: {COSTS_JSON.relative_to(ROOT)} (measured {data['measured_at']}); sign-in with "
        f"{hasher}; {machines.cores_per_node} cores per node at "
        f"{machines.target_utilisation:.0%}; CPU under load = in-process × "
        f"{machines.load_factor}.",
        "",
        "| peak | sessions/s | open at once | requests/s | app cores busy | nodes | "
        "DB cores busy | DB cores needed (everything on the primary) | of which the replica's "
        "reads | replicas |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    cases = []
    for peak in PEAKS.values():
        cases.append(peak)
        cases.append(scale_to_concurrency(peak, JOURNEYS, K12ONLINE_CONCURRENT))
    for peak in cases:
        r = plan(peak, JOURNEYS, costs, machines, REPLICA_OK)
        lines.append(
            f"| {peak.name} | {r.sessions_per_s:,.1f} | {r.concurrent_sessions:,.0f} | "
            f"{r.requests_per_s:,.0f} | {r.app_cores_busy:,.1f} | **{r.nodes}** | "
            f"{r.db_cores_busy:,.1f} | **{r.db_cores:,.1f}** | "
            f"{r.db_cores_replica_ok / machines.target_utilisation:,.1f} | {r.replicas} |"
        )
    dataset = _dataset(data)
    tables = dataset["tables"]
    staff = dataset["staff"]
    assert isinstance(tables, dict) and isinstance(staff, int)
    base = base_bytes_per_person(tables, staff)
    lines += ["", "| database | 1 year | 3 years | 5 years |", "|---|---|---|---|"]
    sizes = {
        y: database_size(people=PEOPLE.value, years=y, tables=tables, base_bytes_per_person=base)
        for y in (1, 3, 5)
    }
    lines.append(
        "| total (heap, TOAST, indexes) | "
        + " | ".join(f"{sizes[y]['total'] / 2**30:,.1f} GiB" for y in (1, 3, 5))
        + " |"
    )
    lines += [
        "",
        f"Base {base:,.0f} bytes per person; growth {sizes[1]['per_year'] / 2**30:,.1f} GiB "
        "a year:",
        "",
        "| table | rows per person per year | bytes per row | GiB per year | source |",
        "|---|---|---|---|---|",
    ]
    for g in GROWTH:
        lines.append(
            f"| {g.table} | {g.rows_per_person_year:g} | {bytes_per_row(tables, g.table):,.0f} | "
            f"{sizes[1][g.table] / 2**30:,.2f} | {g.source} |"
        )
    return "\n".join(lines)


def assumptions_table() -> str:
    """The peaks' assumptions side by side, with their sources (markdown rows)."""
    rows = [
        ("people", "people"),
        ("share acting in the last days", "share_acting_last_days"),
        ("last days", "last_days"),
        ("sessions per person in those days", "sessions_per_person"),
        ("busiest hour's share of a day", "peak_hour_share"),
    ]
    peaks = list(PEAKS.values())
    lines = []
    for label, attr in rows:
        values = [getattr(p, attr) for p in peaks]
        sources: list[tuple[str, str]] = []
        for p, v in zip(peaks, values, strict=True):
            if v.source not in (s for _n, s in sources):
                sources.append((p.name, v.source))
        source = "; ".join(s if len(sources) == 1 else f"{n}: {s}" for n, s in sources)
        lines.append(
            f"| {label} | " + " | ".join(_number(v.value) for v in values) + f" | {source} |"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) and value >= 1000 else f"{value:g}"


def journeys_table() -> str:
    lines = []
    for j in JOURNEYS.values():
        asks = ", ".join(f"{k} {n:g}" for k, n in j.requests.items())
        lines.append(f"| {j.name} | {asks} | {j.minutes:g} | {j.source} |")
    return "\n".join(lines)


def costs_table(data: Mapping[str, object]) -> str:
    """The measured costs as a markdown table (ms of CPU per request)."""
    costs = data["costs"]
    assert isinstance(costs, dict)
    lines = [
        "| request | n | app p50 | app p90 | DB p50 | DB p90 | app + DB mean | wall p50 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, c in costs.items():
        lines.append(
            f"| {c['label']} (`{key}`) | {c['n']} | {c['app_p50']:.1f} | {c['app_p90']:.1f} | "
            f"{c['db_p50']:.1f} | {c['db_p90']:.1f} | **{c['total_mean']:.1f}** | "
            f"{c['wall_p50']:.1f} |"
        )
    return "\n".join(lines)


def prediction_report(p: Prediction, args: argparse.Namespace, mix: Mapping[str, float]) -> str:
    per_attempt = sum(mix.values()) if "test_start" in mix else None
    lines = [
        f"mix {args.mix}: mean cost {p.mean_cost.app_ms:.2f} ms app + {p.mean_cost.db_ms:.2f} ms "
        f"DB per request (in process), × {args.load_factor} under load",
        f"application: {args.nodes} nodes × {args.cores_per_node:g} cores -> {p.app_limit:,.0f} "
        "req/s",
        f"database: {args.db_cores:g} cores -> {p.db_limit:,.0f} req/s",
    ]
    if p.shared_limit is not None:
        lines.append(f"shared: {args.shared_cores:g} cores for all -> {p.shared_limit:,.0f} req/s")
    lines.append(f"predicted: {p.requests_per_s:,.1f} req/s (bound: {p.bound})")
    if per_attempt:
        lines.append(f"= {p.requests_per_s / per_attempt:,.2f} attempts/s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="The capacity model (docs/capacity.md).")
    parser.add_argument("--costs", type=Path, default=COSTS_JSON)
    parser.add_argument("--hasher", choices=["pbkdf2", "argon2id"], default="argon2id")
    parser.add_argument("--load-factor", type=float, default=Machines.load_factor)
    sub = parser.add_subparsers(dest="command", required=True)
    national = sub.add_parser("national", help="nodes, database and replicas for the nation")
    national.add_argument("--cores-per-node", type=int, default=Machines.cores_per_node)
    national.add_argument("--utilisation", type=float, default=Machines.target_utilisation)
    sub.add_parser("costs", help="the measured costs as a markdown table")
    cluster = sub.add_parser("predict", help="the throughput of a cluster of N nodes")
    cluster.add_argument("--nodes", type=int, default=1)
    cluster.add_argument("--cores-per-node", type=float, default=2)
    cluster.add_argument("--db-cores", type=float, default=2)
    cluster.add_argument(
        "--shared-cores",
        type=float,
        help="cores that the nodes and the database share (all on one machine)",
    )
    cluster.add_argument("--mix", choices=sorted(MIXES), default="test-rush")
    cluster.add_argument(
        "--from-rush",
        type=Path,
        help="the JSON of `bench/cluster_rush.py scale --json`: its mix, predicted vs measured",
    )
    args = parser.parse_args()
    data = json.loads(args.costs.read_text(encoding="utf-8"))
    if args.command == "costs":
        print(costs_table(data))
        return
    if args.command == "national":
        machines = Machines(
            cores_per_node=args.cores_per_node,
            target_utilisation=args.utilisation,
            load_factor=args.load_factor,
        )
        print("| assumption | " + " | ".join(p.name for p in PEAKS.values()) + " | source |")
        print("|---" * (len(PEAKS) + 2) + "|")
        print(assumptions_table())
        print("\n| journey | requests in one session | minutes | source |\n|---|---|---|---|")
        print(journeys_table())
        print()
        print(national_report(data, machines, args.hasher))
        return
    costs = with_sign_in(costs_from(data), args.hasher)
    if args.from_rush:
        rush = json.loads(args.from_rush.read_text(encoding="utf-8"))
        checks = check_rush(
            rush,
            costs,
            cores_per_node=args.cores_per_node,
            db_cores=args.db_cores,
            shared_cores=args.shared_cores,
            load_factor=args.load_factor,
        )
        print(rush_table(checks, args.load_factor))
        return
    mix = MIXES[args.mix]
    prediction = predict(
        nodes=args.nodes,
        cores_per_node=args.cores_per_node,
        mix=mix,
        costs=costs,
        db_cores=args.db_cores,
        load_factor=args.load_factor,
        shared_cores=args.shared_cores,
    )
    print(prediction_report(prediction, args, mix))


if __name__ == "__main__":
    main()
