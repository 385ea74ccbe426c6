"""TEMIS report on the national dataset, everyone evaluated (issue 4).

Run by `make bench` (DATABASE_URL points at the national dataset). Setup, once: the school year
2024-2025 gets a finished cycle over the whole country in which every working teacher and
manager (1.2 million) has a finalised evaluation: criterion levels drawn from 400 random
profiles (so the rating engine runs 400 times, not 1.2 million), the overall rating computed
from them by the TT 20/TT 14 rules, and the training needs (criteria below Khá with their BDTX
modules), all written with COPY. The evaluation bench uses the current year, so the two never
touch each other's rows.

Measured:
* the full rebuild of the year's summaries;
* the report data (``report_for_system``: freshness check, summary rows, protection, children
  ranking, previous year) of the nation and of every province: cold (the first read after the
  rebuild, in a new database connection) and warm (repeated);
* the same headline figures (A.1.1 completion and A.1.2 ratings with the five sub-columns, and
  the per-criterion distribution) by a plain GROUP BY over the raw rows, on the same database:
  the ratio says what the summaries save;
* the incremental refresh after 10,000 new finalisations (10,000 records set back to "submitted"
  and refreshed, then finalised again in one statement, as a deadline-day burst);
* the PDF of a province's report, when the export module exists.

Run alone: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench
.venv/bin/python bench/report_bench.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
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
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Cycle, CycleStatus, Evaluation
from opentemis.orgs.models import SchoolYear, Unit
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
BURST = 10_000


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


def burst(year: SchoolYear, cycle: Cycle, n: int) -> dict[str, float]:
    """``n`` records back to submitted (refreshed), then finalised at once; refresh timed."""
    with system_scope():
        ids = list(
            Evaluation.objects.filter(cycle=cycle).order_by("?").values_list("pk", flat=True)[:n]
        )
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
        started = time.perf_counter()
        units = refresh(year)
        seconds = time.perf_counter() - started
        schools = Evaluation.objects.filter(pk__in=ids).values("unit_id").distinct().count()
    return {"records": n, "schools": schools, "units_rewritten": units or 0, "seconds": seconds}


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()

    year, cycle, setup_timings = setup(args.seed)
    print("setup", setup_timings, flush=True)
    with system_scope():
        nation = Unit.objects.get(depth=1)
        provinces = list(Unit.objects.filter(depth=2, kind="department").order_by("path"))
        evaluations = Evaluation.objects.filter(cycle=cycle).count()
    started = time.perf_counter()
    units = rebuild(year)
    rebuild_s = time.perf_counter() - started
    print(f"rebuild {rebuild_s:.1f} s, {units} units", flush=True)
    connections.close_all()

    national_cold, national_warm = _time(
        lambda: report_for_system(unit=nation, school_year=year), args.runs
    )
    print("national", national_cold, national_warm, flush=True)
    connections.close_all()
    province_cold: list[float] = []
    province_samples: list[float] = []
    for province in provinces:
        cold, warm = _time(lambda p=province: report_for_system(unit=p, school_year=year), 3)
        province_cold.append(cold / 1000)
        province_samples.append(warm["p50"] / 1000)
    provinces_cold = summary_ms(province_cold)
    provinces_warm = summary_ms(province_samples)
    print("provinces", provinces_cold, provinces_warm, flush=True)
    with system_scope():
        largest = max(
            provinces,
            key=lambda p: Evaluation.objects.filter(
                cycle=cycle, unit_path__startswith=p.path
            ).count(),
        )
    gb_nation_cold, gb_nation = _time(lambda: plain_group_by(year, nation.path), 3)
    gb_prov_cold, gb_prov = _time(lambda: plain_group_by(year, largest.path), 5)
    _largest_cold, largest_warm = _time(
        lambda: report_for_system(unit=largest, school_year=year), args.runs
    )
    print("group by", gb_nation, gb_prov, flush=True)
    refreshed = burst(year, cycle, BURST)
    print("burst", refreshed, flush=True)
    pdf_s = pdf_time(year, largest)
    print("pdf", pdf_s, flush=True)

    if args.write:
        body = f"""## TEMIS report at national scale (issue 4)

Measured {timezone.localtime():%Y-%m-%d %H:%M %z} on {machine()}.
Command: `make bench` (runs `bench/report_bench.py --runs {args.runs}` against
`DATABASE_URL=postgresql://…/opentemis_bench` holding `opentemis synth --size national`).
School year {YEAR}: every working teacher and manager evaluated and finalised
({evaluations:,} evaluations; setup once, with COPY{
            f", {setup_timings['setup_s']} s" if setup_timings else ""
        }). Report data =
`report_for_system(unit, year)`: the freshness check (an incremental refresh when the
summaries are older than 30 s), the unit's summary rows, protection (with its siblings' rows),
the children's ranking and the previous year; in-process, no HTTP.

| what | figure |
|---|---|
| full rebuild of the year's summaries | {rebuild_s:.1f} s ({units:,} units) |
| national report data, cold (first read after the rebuild, new connection) | {national_cold} ms |
| national report data, warm ({args.runs} runs) | p50 {national_warm["p50"]} ms, p95 **{
            national_warm["p95"]
        } ms** (target < 1 s) |
| each of the {len(provinces)} provinces, cold | p50 {provinces_cold["p50"]} ms, p95 {
            provinces_cold["p95"]
        } ms |
| each province, warm (median of 3 runs each) | p50 {provinces_warm["p50"]} ms, p95 **{
            provinces_warm["p95"]
        } ms** (target < 200 ms) |
| largest province ({largest.name}), warm ({args.runs} runs) | p50 {largest_warm["p50"]} ms, p95 {
            largest_warm["p95"]
        } ms |
| plain GROUP BY over the raw rows, nation (A.1.1/A.1.2 sub-columns, criteria, staff) | cold {
            gb_nation_cold
        } ms, warm p50 {gb_nation["p50"]} ms: **{
            gb_nation["p50"] / max(national_warm["p50"], 0.1):.0f}×** the report |
| plain GROUP BY, largest province | cold {gb_prov_cold} ms, warm p50 {gb_prov["p50"]} ms: **{
            gb_prov["p50"] / max(largest_warm["p50"], 0.1):.0f}×** the report |
| refresh after {refreshed["records"]:,} new finalisations ({refreshed["schools"]:,} schools) | **{
            refreshed["seconds"]:.2f} s** ({refreshed["units_rewritten"]:,} units rewritten) |
| PDF of the largest province's report | {
            f"{pdf_s:.2f} s" if pdf_s is not None else "(export module not present)"
        } |

The plain GROUP BY computes fewer figures than the report (no per-level rows, no training
needs, no children, no protection), so the ratio understates the saving.
"""
        write_section(args.write, "report-bench", body)


if __name__ == "__main__":
    main()
