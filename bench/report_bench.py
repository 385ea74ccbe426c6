"""TEMIS report on the national dataset, everyone evaluated (issue 4).

Run by `make bench` (DATABASE_URL points at the national dataset). Setup, once: the school year
2024-2025 gets a finished cycle over the whole country in which every working teacher and
manager (1.2 million) has a finalised evaluation: criterion levels drawn from 400 random
profiles (so the rating engine runs 400 times, not 1.2 million), the overall rating computed
from them by the TT 20/TT 14 rules, and the training needs (criteria below Khá with their BDTX
modules), all written with COPY. The evaluation bench uses the current year, so the two never
touch each other's rows.

Measured:
* the full rebuild of the year's summaries, in a child process: time and peak RSS (issue 15);
* the report data (``report_for_system``: freshness check, summary rows, protection, children
  ranking, previous year) of the nation and of every province: cold (the first read after the
  rebuild, in a new database connection) and warm (repeated);
* the same headline figures (A.1.1 completion and A.1.2 ratings with the five sub-columns, and
  the per-criterion distribution) by a plain GROUP BY over the raw rows, on the same database:
  the ratio says what the summaries save;
* the incremental refresh after 1,000 and after 10,000 new finalisations (records set back to
  "submitted" and refreshed, then finalised again in one statement with the audit events the
  services write, as a deadline-day burst);
* the first request for the national report of 2024-2025 after 1,000 finalisations of the
  current year (issue 15: the change feed must not make last year's refresh recount their
  schools), in a child process: time and peak RSS. The current-year rows it writes (1,000
  evaluations copied from 2024-2025's, their audit events, the cycle if it made one) are deleted
  afterwards;
* the PDF of a province's report, when the export module exists.

Run alone: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench
.venv/bin/python bench/report_bench.py --write docs/benchmarks.md [--before before.json]
(``--json FILE`` keeps the figures; ``--before FILE`` puts an earlier run's beside them.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
os.environ.setdefault("AXES_ENABLED", "0")
import django

django.setup()

from django.db import connection, connections
from django.utils import timezone

from bench.common import machine, summary_ms, write_section
from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Cycle, CycleStatus, Evaluation
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.reports.models import ReportState
from opentemis.reports.refresh import rebuild, refresh
from opentemis.reports.selectors import report_for_system
from opentemis.standards.frameworks import modules_for
from opentemis.standards.models import Framework
from opentemis.standards.rules import Level
from opentemis.standards.services import load_builtin_frameworks

YEAR = "2024-2025"
PROFILES = 400
LEVELS = ["ChuaDat", "Dat", "Kha", "Tot"]
WEIGHTS = [0.02, 0.18, 0.45, 0.35]
BURSTS = (1_000, 10_000)
CROSS_YEAR = 1_000
PARTS = ("rebuild", "reads", "groupby", "cross", "bursts", "pdf")


def _year() -> SchoolYear:
    year, _ = SchoolYear.objects.get_or_create(
        code=YEAR,
        defaults={
            "start_date": dt.date(2024, 9, 5),
            "end_date": dt.date(2025, 5, 31),
            "is_current": False,
        },
    )
    return year


def _cycle(year: SchoolYear, root: Unit) -> Cycle:
    cycle = Cycle.objects.filter(school_year=year, unit=root).first()
    if cycle is None:
        cycle = Cycle.objects.create(
            school_year=year,
            unit=root,
            unit_path=root.path,
            name=f"Bench: đánh giá chuẩn {YEAR}",
            self_due=dt.date(2025, 5, 10),
            opinions_due=dt.date(2025, 5, 20),
            review_due=dt.date(2025, 5, 31),
            status=CycleStatus.FINISHED,
            finished_at=timezone.now(),
        )
    return cycle


def _profiles(rng: random.Random, framework: Framework) -> list[tuple[str, str, list[Any]]]:
    """(levels JSON, final rating, training needs) for random level profiles."""
    numbers = sorted(services.rule_set_for(framework).criteria)
    result = []
    for _ in range(PROFILES):
        levels = {str(n): rng.choices(LEVELS, WEIGHTS)[0] for n in numbers}
        rating = services.rate_levels(framework, levels).level.code
        needs = [
            (n, "below_kha", modules_for(framework.code, n))
            for n in numbers
            if Level.from_code(levels[str(n)]) < Level.KHA
        ]
        result.append((json.dumps(levels), rating, needs))
    return result


def _copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def setup(seed: int) -> tuple[SchoolYear, Cycle, dict[str, float]]:
    """Everyone evaluated in YEAR (written once; later runs reuse it)."""
    timings: dict[str, float] = {}
    with system_scope():
        load_builtin_frameworks()
        year = _year()
        root = Unit.objects.get(depth=1)
        cycle = _cycle(year, root)
        if Evaluation.objects.filter(cycle=cycle).exists():
            return year, cycle, timings
        started = time.perf_counter()
        rng = random.Random(seed)
        teacher = Framework.objects.filter(code="TT20_2018_GVPT").order_by("-version").first()
        manager = Framework.objects.filter(code="TT14_2018_HTPT").order_by("-version").first()
        assert teacher is not None and manager is not None
        profiles = {"teacher": _profiles(rng, teacher), "manager": _profiles(rng, manager)}
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT p.id, p.unit_id, p.unit_path,
                       EXISTS (SELECT 1 FROM staff_person_positions pp
                               JOIN staff_position pos ON pos.id = pp.position_id
                               WHERE pp.person_id = p.id AND pos.is_manager
                               AND pos.code IN ('HT', 'PHT'))
                FROM staff_person p
                WHERE p.employment_status = 'working'
                  AND EXISTS (SELECT 1 FROM staff_person_positions pp
                              JOIN staff_position pos ON pos.id = pp.position_id
                              WHERE pp.person_id = p.id
                              AND pos.code IN ('GV','TTCM','TPCM','TPT','HT','PHT'))
                """
            )
            people = cursor.fetchall()
        now = timezone.now()
        submitted = now - dt.timedelta(days=200)
        finalised = now - dt.timedelta(days=190)
        columns = [
            "cycle_id", "person_id", "framework_id", "kind", "unit_id", "unit_path", "status",
            "version", "self_levels", "self_notes", "strengths", "improvements", "plan_goals",
            "plan_content", "plan_timing", "plan_conditions", "priority_criteria", "self_rating",
            "submitted_at", "review_levels", "review_comments", "review_note", "final_rating",
            "returned_reason", "finalised_at", "created_at", "updated_at",
        ]  # fmt: skip
        chosen: dict[int, int] = {}
        rows = []
        for person_id, unit_id, unit_path, is_manager in people:
            kind = "manager" if is_manager else "teacher"
            index = rng.randrange(PROFILES)
            chosen[person_id] = index
            levels, rating, _needs = profiles[kind][index]
            framework = manager if is_manager else teacher
            rows.append(
                (cycle.pk, person_id, framework.pk, kind, unit_id, unit_path, "finalised", 3,
                 levels, "{}", "", "", "", "", "", "", "[]", rating, submitted, levels, "{}",
                 "", rating, "", finalised, submitted, finalised)
            )  # fmt: skip
        _copy("evaluations_evaluation", columns, rows)
        del rows
        need_rows = []
        kinds = dict(Evaluation.objects.filter(cycle=cycle).values_list("person_id", "kind"))
        for evaluation_id, person_id in Evaluation.objects.filter(cycle=cycle).values_list(
            "id", "person_id"
        ):
            _l, _r, needs = profiles[kinds[person_id]][chosen[person_id]]
            for criterion, reason, modules in needs:
                need_rows.append((evaluation_id, criterion, reason, json.dumps(modules)))
        _copy(
            "evaluations_trainingneed",
            ["evaluation_id", "criterion", "reason", "modules"],
            need_rows,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE evaluations_evaluation")
            cursor.execute("ANALYZE evaluations_trainingneed")
        timings["setup_s"] = round(time.perf_counter() - started, 1)
        timings["evaluations"] = len(people)
        timings["needs"] = len(need_rows)
        return year, cycle, timings


def _time(fn: Callable[[], Any], runs: int) -> tuple[float, dict[str, float]]:
    """The first call (cold) and the summary of ``runs`` more (warm)."""
    started = time.perf_counter()
    fn()
    cold = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return round(cold * 1000, 1), summary_ms(samples)


GROUP_BY = """
SELECT e.kind, p.gender, p.is_dtts, u.disadvantaged_area,
       count(*) AS started,
       count(*) FILTER (WHERE e.submitted_at IS NOT NULL) AS self_evaluated,
       count(*) FILTER (WHERE e.status IN ('finalised', 'acknowledged')) AS finalised,
       count(*) FILTER (WHERE e.final_rating = 'ChuaDat') AS r0,
       count(*) FILTER (WHERE e.final_rating = 'Dat') AS r1,
       count(*) FILTER (WHERE e.final_rating = 'Kha') AS r2,
       count(*) FILTER (WHERE e.final_rating = 'Tot') AS r3
FROM evaluations_evaluation e
JOIN evaluations_cycle c ON c.id = e.cycle_id
JOIN staff_person p ON p.id = e.person_id
JOIN orgs_unit u ON u.id = e.unit_id
WHERE c.school_year_id = %s AND e.unit_path LIKE %s
GROUP BY 1, 2, 3, 4
"""
GROUP_BY_CRITERIA = """
SELECT e.kind, kv.key, kv.value, count(*)
FROM evaluations_evaluation e
JOIN evaluations_cycle c ON c.id = e.cycle_id
CROSS JOIN LATERAL jsonb_each_text(e.review_levels) kv
WHERE c.school_year_id = %s AND e.unit_path LIKE %s
  AND e.status IN ('finalised', 'acknowledged')
GROUP BY 1, 2, 3
"""
GROUP_BY_STAFF = """
SELECT p.gender, p.is_dtts, count(*)
FROM staff_person p
WHERE p.employment_status = 'working' AND p.unit_path LIKE %s
  AND EXISTS (SELECT 1 FROM staff_person_positions pp JOIN staff_position pos
              ON pos.id = pp.position_id WHERE pp.person_id = p.id
              AND pos.code IN ('GV','TTCM','TPCM','TPT','HT','PHT'))
GROUP BY 1, 2
"""


def plain_group_by(year: SchoolYear, path: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(GROUP_BY, [year.pk, path + "%"])
        cursor.fetchall()
        cursor.execute(GROUP_BY_CRITERIA, [year.pk, path + "%"])
        cursor.fetchall()
        cursor.execute(GROUP_BY_STAFF, [path + "%"])
        cursor.fetchall()


def _audit_finalisations(ids: list[int], at: dt.datetime) -> list[int]:
    """The audit events ``evaluation_finalise`` writes (one per record, naming it and its unit);
    their ids."""
    table, events = Evaluation._meta.db_table, AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (at, actor_name, action, unit_id, object_type, object_id, "
            "object_repr, changes) SELECT %s, 'bench', 'evaluation.finalise', unit_id, "
            f"'evaluations.evaluation', id::text, '', '{{}}' FROM {table} WHERE id = ANY(%s) "
            "RETURNING id",
            [at, ids],
        )
        return [row[0] for row in cursor.fetchall()]


def burst(year: SchoolYear, cycle: Cycle, n: int, seed: int) -> dict[str, float]:
    """``n`` records back to submitted (refreshed), then finalised at once with their audit
    events; the refresh timed. The events are deleted after."""
    with system_scope():
        rng = random.Random(seed + n)
        all_ids = list(Evaluation.objects.filter(cycle=cycle).values_list("pk", flat=True))
        ids = rng.sample(all_ids, n)
        del all_ids
        Evaluation.objects.filter(pk__in=ids).update(
            status="submitted", final_rating="", finalised_at=None, updated_at=timezone.now()
        )
        refresh(year)
        time.sleep(0.05)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE evaluations_evaluation SET status = 'finalised', final_rating = "
                "self_rating, finalised_at = %s, updated_at = %s WHERE id = ANY(%s)",
                [now, now, ids],
            )
        events = _audit_finalisations(ids, now)
        started = time.perf_counter()
        units = refresh(year)
        seconds = time.perf_counter() - started
        schools = Evaluation.objects.filter(pk__in=ids).values("unit_id").distinct().count()
        AuditEvent.objects.filter(pk__in=events).delete()
    return {
        "records": n,
        "schools": schools,
        "units_rewritten": units or 0,
        "seconds": round(seconds, 2),
    }


def _max_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ``ru_maxrss``: Linux carries ``ru_maxrss`` over
    exec, so a child would report the parent's size at the fork (1.2 GB after the setup)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(what: str) -> dict[str, Any]:
    """Run ``what`` in a child process (a fresh worker); its figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", what],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def child(what: str) -> None:
    """In the child process: the rebuild of YEAR, or the first request for the national report
    of YEAR; prints time and peak RSS as JSON."""
    with system_scope():
        year = SchoolYear.objects.get(code=YEAR)
        nation = Unit.objects.get(depth=1)
    before = _max_rss_mb()
    started = time.perf_counter()
    result: dict[str, Any] = {}
    if what == "rebuild":
        result["units"] = rebuild(year)
    else:
        report_for_system(unit=nation, school_year=year)
    result.update(
        seconds=round(time.perf_counter() - started, 2),
        rss_before_mb=round(before),
        peak_rss_mb=round(_max_rss_mb()),
    )
    print(json.dumps(result))


def cross_year(year: SchoolYear, cycle: Cycle, seed: int) -> dict[str, Any]:
    """The first request for YEAR's national report after CROSS_YEAR finalisations of the
    current year (with their audit events), in a fresh worker."""
    with system_scope():
        current = SchoolYear.objects.get(is_current=True)
        root = Unit.objects.get(depth=1)
        current_cycle = Cycle.objects.filter(school_year=current, unit=root).first()
        made_cycle = current_cycle is None
        if current_cycle is None:
            current_cycle = Cycle.objects.create(
                school_year=current,
                unit=root,
                unit_path=root.path,
                name=f"Bench: đánh giá chuẩn {current.code}",
                self_due=current.end_date,
                opinions_due=current.end_date,
                review_due=current.end_date,
            )
        taken = set(
            Evaluation.objects.filter(cycle=current_cycle).values_list("person_id", flat=True)
        )
        rng = random.Random(seed)
        pool = list(Evaluation.objects.filter(cycle=cycle).values_list("pk", "person_id"))
        sources = [pk for pk, person in rng.sample(pool, CROSS_YEAR * 2) if person not in taken]
        sources = sources[:CROSS_YEAR]
        del pool
        table = Evaluation._meta.db_table
        copied = [
            f.column
            for f in Evaluation._meta.concrete_fields
            if not f.primary_key
            and f.column
            not in ("cycle_id", "status", "final_rating", "finalised_at", "review_levels")
        ]
        columns = ", ".join(copied)
        # The same people's records copied into the current year, waiting for the review.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cycle_id, status, final_rating, finalised_at, "
                f"review_levels, {columns}) SELECT %s, 'submitted', '', NULL, '{{}}', {columns} "
                f"FROM {table} WHERE id = ANY(%s) RETURNING id",
                [current_cycle.pk, sources],
            )
            ids = [row[0] for row in cursor.fetchall()]
        refresh(year)  # last year is up to date before the current year's changes
        time.sleep(0.05)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = 'finalised', final_rating = self_rating, "
                "review_levels = self_levels, finalised_at = %s, updated_at = %s "
                "WHERE id = ANY(%s)",
                [now, now, ids],
            )
        events = _audit_finalisations(ids, now)
        schools = len(set(Evaluation.objects.filter(pk__in=ids).values_list("unit_id", flat=True)))
        # Older than REPORT_MAX_STALENESS: the next read refreshes first.
        ReportState.objects.filter(school_year=year).update(
            refreshed_at=now - dt.timedelta(hours=1)
        )
    try:
        result = _child("last-year-report")
    finally:
        with system_scope():
            AuditEvent.objects.filter(pk__in=events).delete()
            Evaluation.objects.filter(pk__in=ids).delete()
            if made_cycle:
                current_cycle.delete()
    result["changes"] = len(ids)
    result["schools"] = schools
    return result


def pdf_time(year: SchoolYear, unit: Unit) -> float | None:
    try:
        from opentemis.reports.exports.pdf import report_pdf
    except ImportError:
        return None
    data = report_for_system(unit=unit, school_year=year)
    started = time.perf_counter()
    content = report_pdf(data)
    assert content[:4] == b"%PDF"
    return time.perf_counter() - started


def measure(args: argparse.Namespace) -> dict[str, Any]:
    only = set(args.only.split(","))
    if args.skip_group_by:
        only.discard("groupby")
    r: dict[str, Any] = {"runs": args.runs}
    year, cycle, setup_timings = setup(args.seed)
    r["setup"] = setup_timings
    print("setup", setup_timings, flush=True)
    with system_scope():
        nation = Unit.objects.get(depth=1)
        provinces = list(Unit.objects.filter(depth=2, kind="department").order_by("path"))
        r["evaluations"] = Evaluation.objects.filter(cycle=cycle).count()
        largest = max(
            provinces,
            key=lambda p: Evaluation.objects.filter(
                cycle=cycle, unit_path__startswith=p.path
            ).count(),
        )
    r["provinces"] = len(provinces)
    r["largest"] = largest.name
    connections.close_all()
    if "rebuild" in only:
        r["rebuild"] = _child("rebuild")
        print("rebuild", r["rebuild"], flush=True)
    if "reads" in only:
        national_cold, national_warm = _time(
            lambda: report_for_system(unit=nation, school_year=year), args.runs
        )
        r["national_cold_ms"], r["national_warm"] = national_cold, national_warm
        print("national", national_cold, national_warm, flush=True)
        connections.close_all()
        province_cold: list[float] = []
        province_medians: list[float] = []
        province_all: list[float] = []
        for province in provinces:
            started = time.perf_counter()
            report_for_system(unit=province, school_year=year)
            province_cold.append(time.perf_counter() - started)
            samples = []
            for _ in range(5):
                started = time.perf_counter()
                report_for_system(unit=province, school_year=year)
                samples.append(time.perf_counter() - started)
            province_medians.append(sorted(samples)[2])
            province_all += samples
        r["provinces_cold"] = summary_ms(province_cold)
        r["provinces_warm"] = summary_ms(province_medians)
        r["provinces_all"] = summary_ms(province_all)
        print("provinces", r["provinces_cold"], r["provinces_warm"], r["provinces_all"], flush=True)
        _largest_cold, r["largest_warm"] = _time(
            lambda: report_for_system(unit=largest, school_year=year), args.runs
        )
        print("largest", r["largest_warm"], flush=True)
    if "groupby" in only:
        r["gb_nation_cold"], r["gb_nation"] = _time(lambda: plain_group_by(year, nation.path), 3)
        r["gb_prov_cold"], r["gb_prov"] = _time(lambda: plain_group_by(year, largest.path), 5)
        print("group by", r["gb_nation"], r["gb_prov"], flush=True)
    if "cross" in only:
        r["cross_year"] = cross_year(year, cycle, args.seed)
        print("cross-year", r["cross_year"], flush=True)
    if "bursts" in only:
        r["bursts"] = [burst(year, cycle, n, args.seed) for n in BURSTS]
        print("bursts", r["bursts"], flush=True)
    if "pdf" in only:
        r["pdf_s"] = pdf_time(year, largest)
        print("pdf", r["pdf_s"], flush=True)
    r["load"] = "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
    r["measured"] = f"{timezone.localtime():%Y-%m-%d %H:%M %z}"
    return r


def _row(what: str, target: str, before: str, after: str) -> str:
    return f"| {what} | {target} | {before} | {after} |"


def body(r: dict[str, Any], b: dict[str, Any] | None, note: str) -> str:
    """The section of docs/benchmarks.md: this run's figures, an earlier run's beside them."""

    def shown(fmt: Callable[[dict[str, Any]], str], x: dict[str, Any] | None) -> str:
        if x is None:
            return "–"
        try:
            return fmt(x)
        except (KeyError, TypeError, IndexError, StopIteration):
            return "–"  # not measured in that run

    def both(fmt: Callable[[dict[str, Any]], str]) -> tuple[str, str]:
        return shown(fmt, b), shown(fmt, r)

    def burst_of(n: int) -> Callable[[dict[str, Any]], str]:
        def fmt(x: dict[str, Any]) -> str:
            one = next(i for i in x["bursts"] if i["records"] == n)
            return (
                f"**{one['seconds']:.2f} s** ({one['schools']:,} schools, "
                f"{one['units_rewritten']:,} units rewritten)"
            )

        return fmt

    rows = [
        (
            "full rebuild of the year's summaries (child process)",
            "peak < 1 GB",
            lambda x: (
                f"{x['rebuild']['seconds']:.1f} s ({x['rebuild']['units']:,} units), "
                f"peak RSS **{x['rebuild']['peak_rss_mb']:,} MB**"
            ),
        ),
        (
            "national report data, cold (first read after the rebuild, new connection)",
            "",
            lambda x: f"{x['national_cold_ms']} ms",
        ),
        (
            f"national report data, warm ({r['runs']} runs)",
            "< 1 s",
            lambda x: f"p50 {x['national_warm']['p50']} ms, p95 **{x['national_warm']['p95']} ms**",
        ),
        (
            f"each of the {r['provinces']} provinces, cold",
            "",
            lambda x: f"p50 {x['provinces_cold']['p50']} ms, p95 {x['provinces_cold']['p95']} ms",
        ),
        (
            "each province, warm (median of its runs)",
            "",
            lambda x: f"p50 {x['provinces_warm']['p50']} ms, p95 {x['provinces_warm']['p95']} ms",
        ),
        (
            "any province, warm (all runs of every province pooled)",
            "p95 ≤ 50 ms",
            lambda x: f"p50 {x['provinces_all']['p50']} ms, p95 **{x['provinces_all']['p95']} ms**",
        ),
        (
            f"largest province ({r['largest']}), warm ({r['runs']} runs)",
            "p95 ≤ 50 ms",
            lambda x: f"p50 {x['largest_warm']['p50']} ms, p95 **{x['largest_warm']['p95']} ms**",
        ),
    ]
    if "gb_nation" in r or (b is not None and "gb_nation" in b):
        rows += [
            (
                "plain GROUP BY over the raw rows, nation (A.1.1/A.1.2 sub-columns, criteria, "
                "staff)",
                "",
                lambda x: (
                    f"cold {x['gb_nation_cold']} ms, warm p50 {x['gb_nation']['p50']} ms: "
                    f"**{x['gb_nation']['p50'] / max(x['national_warm']['p50'], 0.1):.0f}×** the "
                    "report"
                ),
            ),
            (
                "plain GROUP BY, largest province",
                "",
                lambda x: (
                    f"cold {x['gb_prov_cold']} ms, warm p50 {x['gb_prov']['p50']} ms: "
                    f"**{x['gb_prov']['p50'] / max(x['largest_warm']['p50'], 0.1):.0f}×** the "
                    "report"
                ),
            ),
        ]
    rows += [
        (
            f"refresh after {n:,} new finalisations",
            "≤ 2 s" if n == 1_000 else "",
            burst_of(n),
        )
        for n in BURSTS
    ]
    rows += [
        (
            f"first request for {YEAR}'s national report after {CROSS_YEAR:,} finalisations of "
            "the current year (child process)",
            "no cross-year work",
            lambda x: (
                f"**{x['cross_year']['seconds']:.2f} s**, peak RSS "
                f"**{x['cross_year']['peak_rss_mb']:,} MB** "
                f"({x['cross_year']['schools']:,} schools changed)"
            ),
        ),
        (
            "PDF of the largest province's report",
            "",
            lambda x: f"{x['pdf_s']:.2f} s" if x.get("pdf_s") else "(export module not present)",
        ),
        ("load average (1, 5, 15 min) at the end of the run", "", lambda x: x["load"]),
    ]
    table = "\n".join(_row(what, target, *both(fmt)) for what, target, fmt in rows)
    before_label = b.get("label", "before") if b else "before"
    return f"""## TEMIS report at national scale (issues 4 and 15)

Measured {r["measured"]} on {machine()}, beside other sessions' work (load average in the table).
Command: `make bench` (runs `bench/report_bench.py --runs {r["runs"]}` against
`DATABASE_URL=postgresql://…/opentemis_bench` holding `opentemis synth --size national`).
School year {YEAR}: every working teacher and manager evaluated and finalised
({r["evaluations"]:,} evaluations; setup once, with COPY). Report data =
`report_for_system(unit, year)`: the freshness check (an incremental refresh when the
summaries are older than 30 s), the unit's summary rows, protection (with its siblings' rows),
the children's ranking and the previous year; in-process, no HTTP. A refresh's finalisations
come with the audit events the services write (one per record). {note}

| what | target (issue 15) | {before_label} | after |
|---|---|---|---|
{table}

The plain GROUP BY computes fewer figures than the report (no per-level rows, no training
needs, no children, no protection), so the ratio understates the saving.
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--json", type=Path, help="keep the figures in this file")
    parser.add_argument("--before", type=Path, help="an earlier run's --json, shown beside")
    parser.add_argument("--label", default="", help="the name of this run (in --json)")
    parser.add_argument("--note", default="", help="a sentence added to the section")
    parser.add_argument("--skip-group-by", action="store_true")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to measure (of {', '.join(PARTS)}); the others show '–'",
    )
    parser.add_argument("--child", choices=["rebuild", "last-year-report"])
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    r = measure(args)
    r["label"] = args.label or "this run"
    if args.json:
        args.json.write_text(json.dumps(r, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.write:
        before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else None
        write_section(args.write, "report-bench", body(r, before, args.note))


if __name__ == "__main__":
    main()
