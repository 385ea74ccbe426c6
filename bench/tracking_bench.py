"""Weekly progress on the national dataset (issue 14 item 4): the snapshot of every unit of
the country, and a province's ranking read beside a plain GROUP BY.

Run by `make bench` after the learning bench (DATABASE_URL points at the national dataset,
whose two national courses hold 2.4 million enrolments and their progress rows;
``bench/learning_dataset.py`` makes the courses if they are missing). Nothing of the learners is
written: the bench only writes this week's snapshot rows (``tracking_weekfigures``), which a
second run replaces, so it is safe to re-run.

Measured:
* the weekly snapshot of every unit and course (``tracking.snapshot.take``, the product's own
  path, in a child process): wall time, peak memory (the child's max RSS, and its growth over
  the RSS before the snapshot), rows written;
* the ranking of the province with the most learners (``tracking.selectors.unit_week``: its
  figures, protection, trend and children ranked, all courses of the year), 20 runs in
  process: p50/p95 and queries;
* the same children's enrolled / started / completed counts with the women and DTTS
  sub-columns by a plain GROUP BY over the province's enrolments joined to their persons,
  20 runs: p50/p95, and the ratio to the ranking read.

Run alone: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench
.venv/bin/python bench/tracking_bench.py --write docs/benchmarks.md
On a small throwaway database (``--fill``: make the two courses and a spread of progress when
the database has none): bash scripts/with-pg-db.sh bash -c ".venv/bin/python manage.py migrate
-v0 && .venv/bin/python manage.py synth --size small && .venv/bin/python
bench/tracking_bench.py --fill"
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
os.environ.setdefault("AXES_ENABLED", "0")
import django

django.setup()

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.common import machine, summary_ms, write_section
from bench.learning_dataset import national_courses
from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.learning.models import (
    Activity,
    ActivityProgress,
    Course,
    Enrolment,
    EnrolmentStatus,
)
from opentemis.orgs.models import Unit, UnitKind
from opentemis.orgs.selectors import current_school_year
from opentemis.tracking import selectors, snapshot
from opentemis.tracking.models import WeekFigures

RUNS = 20


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_snapshot() -> None:
    """In the child process: take this week's snapshot; print its figures as JSON."""
    before = _max_rss_mb()
    started = time.perf_counter()
    run = snapshot.take(timezone.localdate())
    seconds = time.perf_counter() - started
    peak = _max_rss_mb()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "courses": run.courses,
                "rows": run.rows,
                "rss_before_mb": round(before),
                "peak_rss_mb": round(peak),
                "growth_mb": round(peak - before),
            }
        )
    )


def measure_snapshot() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child-snapshot"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def fill(year: Any) -> dict[str, Any]:
    """A throwaway database: the two national courses (everyone enrolled) and a spread of
    progress (three in ten started and passed, two in ten completed), unless it exists."""
    report = national_courses(year)
    courses = report["courses"]
    now = timezone.now()
    base = Enrolment.objects.filter(course_id__in=courses)
    if not base.filter(started_at__isnull=False).exists():
        table = Enrolment._meta.db_table
        ids = ", ".join(str(int(pk)) for pk in courses)  # ints: nothing to quote
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET started_at = %s WHERE course_id IN ({ids}) AND id %% 10 < 3",
                [now],
            )
            cursor.execute(
                f"UPDATE {table} SET status = %s, completed_at = %s "
                f"WHERE course_id IN ({ids}) AND id %% 10 < 2",
                [EnrolmentStatus.COMPLETED, now],
            )
            # Passes of the activities that must be passed: those who completed, and half as
            # many again who passed without completing yet (id % 10 = 2).
            cursor.execute(
                f"INSERT INTO {ActivityProgress._meta.db_table} "
                "(enrolment_id, activity_id, unit_path, state, data, updated_at, completed_at) "
                f"SELECT e.id, a.id, e.unit_path, 'passed', '{{}}', %s, %s FROM {table} e "
                f"JOIN {Activity._meta.db_table} a ON a.course_id = e.course_id "
                f"WHERE e.course_id IN ({ids}) AND e.id %% 10 < 3 "
                "AND a.required AND a.pass_required",
                [now, now],
            )
    return {"courses": len(courses), "enrolments": base.count()}


def largest_province(week: Any) -> Unit:
    row = (
        WeekFigures.objects.filter(week=week, unit__kind=UnitKind.DEPARTMENT)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_id")
        .first()
    )
    if row is None:
        raise SystemExit("no province has learners this week")
    return Unit.objects.get(pk=row["unit_id"])


def measure_ranking(province: Unit, week: Any) -> dict[str, Any]:
    actor = User(username="bench-tracking", is_superuser=True)  # never saved
    year = current_school_year()
    assert year is not None
    samples, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            view = selectors.unit_week(actor=actor, unit=province, school_year=year, week=week)
            samples.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return {
        **summary_ms(samples),
        "queries": queries,
        "children": len(view.children),
        "enrolled": view.own.enrolled.total,
    }


def measure_group_by(province: Unit, courses: list[int]) -> dict[str, Any]:
    """The children's counts straight from the enrolments (no snapshot): what the page would
    cost without the weekly rows."""
    width = len(province.path) + Unit.steplen
    samples = []
    rows: list[Any] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        rows = list(
            Enrolment.objects.filter(course_id__in=courses, unit_path__startswith=province.path)
            .exclude(status=EnrolmentStatus.LEFT)
            .order_by()
            .annotate(child=Substr("unit_path", 1, width))
            .values("child", "person__gender", "person__is_dtts")
            .annotate(
                n=Count("pk"),
                started=Count("pk", filter=Q(started_at__isnull=False)),
                completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)),
            )
        )
        samples.append(time.perf_counter() - started)
    return {**summary_ms(samples), "rows": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="docs/benchmarks.md to update")
    parser.add_argument("--fill", action="store_true", help="make courses and progress if none")
    parser.add_argument("--child-snapshot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_snapshot:
        child_snapshot()
        return
    result: dict[str, Any] = {"machine": machine()}
    with system_scope():
        year = current_school_year()
        if year is None:
            raise SystemExit("no school year")
        if args.fill:
            result["fill"] = fill(year)
        courses = [c.pk for c in snapshot.courses_of_week(timezone.localdate())]
        result["enrolments"] = Enrolment.objects.filter(course_id__in=courses).count()
        print("enrolments", result["enrolments"], flush=True)
    result["snapshot"] = measure_snapshot()
    print("snapshot", result["snapshot"], flush=True)
    with system_scope():
        week = snapshot.week_bounds(timezone.localdate())[0]
        province = largest_province(week)
        result["province"] = province.name
        result["ranking"] = measure_ranking(province, week)
        print("ranking", result["ranking"], flush=True)
        course_ids = list(
            Course.objects.filter(pk__in=courses, school_year=year).values_list("pk", flat=True)
        )
        result["group_by"] = measure_group_by(province, course_ids)
        print("group by", result["group_by"], flush=True)
    ranking_p95, plain_p95 = result["ranking"]["p95"], result["group_by"]["p95"]
    result["ratio"] = round(plain_p95 / ranking_p95, 1) if ranking_p95 else None
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.write:
        write_section(args.write, "tracking-bench", render(result))


def render(r: dict[str, Any]) -> str:
    s, k, g = r["snapshot"], r["ranking"], r["group_by"]
    rows = [
        (
            "weekly snapshot of every unit and course (`tracking.snapshot.take`)",
            f"{s['seconds']} s, {s['courses']} courses, {s['rows']:,} rows",
        ),
        (
            "its peak memory (child process max RSS; growth over the RSS before it)",
            f"{s['peak_rss_mb']} MB ({s['growth_mb']} MB)",
        ),
        (
            f"ranking of {r['province']} (`selectors.unit_week`, all courses, "
            f"{k['children']} child units, {RUNS} runs)",
            f"p50 {k['p50']} ms, p95 {k['p95']} ms, {k['queries']} queries",
        ),
        (
            f"the same children's counts by a plain GROUP BY over the enrolments ({RUNS} runs)",
            f"p50 {g['p50']} ms, p95 {g['p95']} ms",
        ),
        ("plain GROUP BY p95 / ranking p95", f"{r['ratio']} x"),
    ]
    table = "\n".join(f"| {a} | {b} |" for a, b in rows)
    return (
        "## Weekly progress: snapshot and ranking (tracking-bench)\n\n"
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {r['machine']}; "
        f"{r['enrolments']:,} enrolments in the week's courses (`bench/tracking_bench.py`).\n\n"
        "| what | figure |\n|---|---|\n" + table + "\n"
    )


if __name__ == "__main__":
    main()
