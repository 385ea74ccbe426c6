"""Caseload assignment for a province (issue 14, scale section): the balancing that gives each
mass teacher of the largest province one core teacher for the year.

Against the dataset in ``DATABASE_URL`` (``make bench``: the national synthetic dataset), in one
transaction **rolled back at the end**, so the data is left as it was and the script can be run
again:

1. core teachers: for each subject, the province's teachers of that subject get one core
   teacher per ``--per`` (25) of them, counting those already designated (the synthetic dataset
   designates some); the missing ones are designated by ``bulk_create``, the first teachers of
   the subject by id (the conditions are not checked: this measures the assignment);
2. the province's caseloads of the year are deleted (none, normally);
3. ``cascade.services.caseload_balance`` on the province, as ``manage.py cascade assign`` runs
   it: wall time, the number of SQL queries, and the Python heap's peak (tracemalloc, in a second
   run, since tracing slows Python down), then checks in SQL: one row per learner, nobody past
   the maximum, how many got a core teacher of their own subject.

Run (the lead runs it nationally; try it on a throwaway database first):

    bash scripts/with-pg-db.sh bash -c '.venv/bin/python manage.py migrate -v0 &&
      .venv/bin/python manage.py synth --size small -v0 &&
      .venv/bin/python bench/cascade_bench.py'
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench \\
      .venv/bin/python bench/cascade_bench.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Importing the evaluation bench sets bench.settings and Django up: first (as the other benches).
import bench.evaluation_bench as eb  # noqa: F401  # isort: skip

from django.db import connection, transaction
from django.db.models import Count

from bench.bdtx_bench import _largest_province
from bench.common import machine, write_section
from opentemis.cascade import balancing, selectors, services
from opentemis.cascade.models import Caseload
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import current_school_year
from opentemis.staff.models import CoreDesignation, CoreKind

SECTION = "cascade-bench"


class Rollback(Exception):
    """Raised at the end of the measured transaction: nothing it wrote stays."""


class QueryCount:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def designate(province: Unit, year: SchoolYear, per: int) -> dict[str, int]:
    """One core teacher per ``per`` teachers of each subject (existing ones count)."""
    mass = selectors.mass_teachers(province, year)
    subjects = selectors.first_subjects(prefix=province.path)
    by_subject: dict[int | None, list[int]] = defaultdict(list)
    for pk in mass.order_by("pk").values_list("pk", flat=True).iterator():
        by_subject[subjects.get(pk)].append(pk)
    existing = dict(
        CoreDesignation.objects.filter(
            school_year=year, kind=CoreKind.TEACHER, person__unit_path__startswith=province.path
        )
        .order_by()
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
    )
    new = []
    for subject, people in by_subject.items():
        wanted = math.ceil((len(people) + existing.get(subject, 0)) / (per + 1))
        for pk in people[: max(0, wanted - existing.get(subject, 0))]:
            new.append(
                CoreDesignation(
                    person_id=pk, school_year=year, kind=CoreKind.TEACHER, subject_id=subject
                )
            )
    CoreDesignation.objects.bulk_create(new, batch_size=5000)
    return {
        "existing_cores": sum(existing.values()),
        "designated": len(new),
        "subjects": len(by_subject),
    }


def measure(province: Unit, year: SchoolYear) -> dict[str, Any]:
    counter = QueryCount()
    with transaction.atomic():
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            result = services.caseload_balance(actor=None, unit=province, school_year=year)
            seconds = time.perf_counter() - started
        rows = Caseload.objects.filter(school_year=year, unit_path__startswith=province.path)
        loads = list(
            rows.order_by().values("core_id").annotate(n=Count("pk")).values_list("n", flat=True)
        )
        learners = rows.count()
        distinct = rows.values("learner_id").distinct().count()
        core_subject = dict(
            CoreDesignation.objects.filter(
                school_year=year, person__unit_path__startswith=province.path
            ).values_list("person_id", "subject_id")
        )
        subjects = selectors.first_subjects(prefix=province.path)
        matched = sum(
            1
            for learner, core in rows.values_list("learner_id", "core_id").iterator()
            if subjects.get(learner) is not None and subjects.get(learner) == core_subject.get(core)
        )
        transaction.set_rollback(True)
    tracemalloc.start()
    with transaction.atomic():
        services.caseload_balance(actor=None, unit=province, school_year=year)
        transaction.set_rollback(True)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": round(seconds, 2),
        "queries": counter.n,
        "peak_mb": round(peak / 1024 / 1024, 1),
        "assigned": result.assigned,
        "unassigned": result.unassigned,
        "cores": result.cores,
        "rows": learners,
        "one_each": learners == distinct,
        "max_load": max(loads, default=0),
        "mean_load": round(sum(loads) / len(loads), 1) if loads else 0,
        "subject_matched_pct": round(100 * matched / learners, 1) if learners else 0.0,
    }


def run(per: int) -> dict[str, Any]:
    with system_scope():
        year = current_school_year()
        assert year is not None, "no school year: run synth first"
        province = _largest_province()
        try:
            with transaction.atomic():
                data: dict[str, Any] = {"province": province.name, "year": year.code}
                started = time.perf_counter()
                data.update(designate(province, year, per))
                data["designate_seconds"] = round(time.perf_counter() - started, 2)
                deleted, _ = Caseload.objects.filter(
                    school_year=year, unit_path__startswith=province.path
                ).delete()
                data["caseloads_deleted"] = deleted
                data["mass_teachers"] = selectors.mass_teachers(province, year).count()
                data.update(measure(province, year))
                raise Rollback
        except Rollback:
            pass
    return data


def report(data: dict[str, Any], per: int) -> str:
    vendor = connection.vendor
    limit = balancing.settings().max_per_core
    return f"""## Caseload assignment for a province (issue 14)

{machine()}; database: {vendor}. Command: `.venv/bin/python bench/cascade_bench.py --write
docs/benchmarks.md` against `DATABASE_URL`, in one transaction rolled back at the end (the data is
left as it was).

Province: {data["province"]} ({data["year"]}), {data["mass_teachers"]:,} mass teachers in
{data["subjects"]} subjects; core teachers: {data["existing_cores"]:,} already designated +
{data["designated"]:,} designated for the run (one per {per} teachers of each subject,
{data["designate_seconds"]} s by `bulk_create`); maximum caseload {limit}.

| what | figure |
|---|---|
| `caseload_balance` (the `manage.py cascade assign` path): wall time | {data["seconds"]} s |
| SQL queries | {data["queries"]} |
| Python heap peak (tracemalloc, second run) | {data["peak_mb"]} MB |
| assigned / left without a core teacher | {data["assigned"]:,} / {data["unassigned"]:,} |
| core teachers | {data["cores"]:,} |
| one caseload row per learner | {"yes" if data["one_each"] else "NO"} |
| largest / mean caseload | {data["max_load"]} / {data["mean_load"]} |
| learners with a core teacher of their own subject | {data["subject_matched_pct"]} % |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per", type=int, default=25, help="teachers per core teacher")
    parser.add_argument("--write", type=Path, help="write the section into this file")
    args = parser.parse_args()
    data = run(args.per)
    text = report(data, args.per)
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
