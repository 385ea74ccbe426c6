"""The national BDTX dataset for the benchmarks: a plan for every working teacher and manager
of the current school year (1.2 million), about five items each, written by INSERT … SELECT in
PostgreSQL (a minute or two, once; later runs reuse it).

The plans are not made by the product's drafting code here (that is measured separately, on one
province, by ``bdtx_bench.py``): this only fills the tables to national size. Statuses are spread
by person id: 65 % approved, 15 % submitted, 5 % returned, 15 % draft. Items: a programme-01
content (national), the province's programme-02 content, three programme-03 modules of the
title's catalogue (40 periods in each programme), forms and months spread by id.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection, transaction

from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.training.models import Catalogue, Programme, ProgrammeContent
from opentemis.training.selectors import catalogue_for
from opentemis.training.services import load_builtin_catalogues

BENCH_TAG = "bench-bdtx"


def reference_data(year: SchoolYear) -> dict[str, Any]:
    """The shipped catalogues, one programme-01 content and one programme-02 content per
    province (idempotent)."""
    load_builtin_catalogues(school_year=year)
    national, _ = ProgrammeContent.objects.get_or_create(
        school_year=year,
        programme=Programme.P01,
        unit=None,
        code="BENCH-01",
        defaults={"title": "Nhiệm vụ năm học (bench)", "hours": 40, "description": BENCH_TAG},
    )
    for province in Unit.dangerously_unscoped.filter(kind=UnitKind.DEPARTMENT):
        ProgrammeContent.objects.get_or_create(
            school_year=year,
            programme=Programme.P02,
            unit=province,
            code="BENCH-02",
            defaults={"title": "Nội dung địa phương (bench)", "hours": 40},
        )
    catalogues = {c.code: c for c in Catalogue.objects.filter(school_year=year)}
    return {"national": national, "catalogues": catalogues}


def _catalogue_for(year: SchoolYear, audience: str) -> tuple[int, list[int]]:
    title = "gv_th" if audience == "GV" else "cbql_pt"
    catalogue = catalogue_for(school_year=year, title=title)
    assert catalogue is not None
    modules = list(
        catalogue.modules.filter(audience=audience)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    return catalogue.pk, modules


def fill_national(year: SchoolYear, *, skip_path: str = "") -> dict[str, Any]:
    """Plans and items for every working person of the year who has none (``skip_path``: a
    subtree left alone, e.g. the province whose drafts the bench generates)."""
    reference_data(year)
    gv_catalogue, gv_modules = _catalogue_for(year, "GV")
    ql_catalogue, ql_modules = _catalogue_for(year, "CBQL")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH lvl AS (
              SELECT DISTINCT ON (ul.unit_id) ul.unit_id, sl.code
              FROM orgs_unit_levels ul JOIN orgs_schoollevel sl ON sl.id = ul.schoollevel_id
              ORDER BY ul.unit_id, sl."order"
            ), mgr AS (
              SELECT DISTINCT pp.person_id FROM staff_person_positions pp
              JOIN staff_position po ON po.id = pp.position_id WHERE po.is_manager
            )
            INSERT INTO plans_plan (person_id, school_year_id, unit_id, unit_path, title,
              catalogue_id, regulation_version, status, version, objectives, outputs,
              submitted_at, late, approved_at, returned_reason, created_at, updated_at)
            SELECT p.id, %(year)s, p.unit_id, p.unit_path,
              CASE WHEN m.person_id IS NOT NULL
                   THEN CASE WHEN l.code = 'MN' THEN 'cbql_mn' ELSE 'cbql_pt' END
                   ELSE CASE l.code WHEN 'MN' THEN 'gv_mn' WHEN 'TH' THEN 'gv_th'
                        WHEN 'THCS' THEN 'gv_thcs' ELSE 'gv_thpt' END END,
              CASE WHEN m.person_id IS NOT NULL THEN %(ql)s ELSE %(gv)s END,
              'bench', s.status, 1,
              'Nâng cao năng lực dạy học và giáo dục', 'Sản phẩm bồi dưỡng',
              CASE WHEN s.status <> 'draft' THEN now() END, false,
              CASE WHEN s.status = 'approved' THEN now() END,
              CASE WHEN s.status = 'returned' THEN 'Bổ sung thời gian' ELSE '' END,
              now(), now()
            FROM staff_person p
            JOIN lvl l ON l.unit_id = p.unit_id
            LEFT JOIN mgr m ON m.person_id = p.id
            CROSS JOIN LATERAL (SELECT CASE
                WHEN p.id %% 20 < 13 THEN 'approved' WHEN p.id %% 20 < 16 THEN 'submitted'
                WHEN p.id %% 20 < 17 THEN 'returned' ELSE 'draft' END AS status) s
            WHERE p.employment_status = 'working'
              AND (%(skip)s = '' OR p.unit_path NOT LIKE %(skip)s || '%%')
              AND NOT EXISTS (SELECT 1 FROM plans_plan x
                              WHERE x.person_id = p.id AND x.school_year_id = %(year)s)
            """,
            {"year": year.pk, "gv": gv_catalogue, "ql": ql_catalogue, "skip": skip_path},
        )
        plans = cursor.rowcount
        # Items of the plans just written (those without any item).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_new_plans ON COMMIT DROP AS
            SELECT pl.id, pl.unit_path, pl.catalogue_id FROM plans_plan pl
            WHERE pl.school_year_id = %(year)s
              AND NOT EXISTS (SELECT 1 FROM plans_planitem i WHERE i.plan_id = pl.id)
            """,
            {"year": year.pk},
        )
        forms = "(ARRAY['tu_xa','tu_xa','ket_hop','tap_trung'])[1 + (n.id %% 4)]"
        cursor.execute(
            f"""
            INSERT INTO plans_planitem (plan_id, position, programme, hours, form, starts,
              objectives, outputs, suggested, reason, content_id)
            SELECT n.id, 0, '01', 40, {forms}, %(start)s, '', '', false, '', %(national)s
            FROM bench_new_plans n
            UNION ALL
            SELECT n.id, 1, '02', 40, {forms}, %(start)s + ((n.id %% 9) * 30)::int, '', '', false,
              '', c.id
            FROM bench_new_plans n
            JOIN orgs_unit pr ON pr.path = left(n.unit_path, 8)
            JOIN training_programmecontent c ON c.unit_id = pr.id
              AND c.school_year_id = %(year)s AND c.code = 'BENCH-02'
            """,
            {
                "year": year.pk,
                "national": ProgrammeContent.objects.get(
                    school_year=year, code="BENCH-01", unit__isnull=True
                ).pk,
                "start": year.start_date,
            },
        )
        items = cursor.rowcount
        for catalogue, modules in ((gv_catalogue, gv_modules), (ql_catalogue, ql_modules)):
            cursor.execute(
                f"""
                INSERT INTO plans_planitem (plan_id, position, programme, hours, form, starts,
                  objectives, outputs, suggested, reason, module_id)
                SELECT n.id, 2 + k, '03', CASE WHEN k = 0 THEN 14 ELSE 13 END, {forms},
                  %(start)s + (((n.id + k) %% 9) * 30)::int, '', '', true, 'bench',
                  (%(modules)s::bigint[])[1 + ((n.id * 7 + k * 5) %% %(count)s)]
                FROM bench_new_plans n CROSS JOIN generate_series(0, 2) k
                WHERE n.catalogue_id = %(catalogue)s
                """,
                {
                    "modules": modules,
                    "count": len(modules),
                    "catalogue": catalogue,
                    "start": year.start_date,
                },
            )
            items += cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE plans_plan")
        cursor.execute("ANALYZE plans_planitem")
    return {"plans": plans, "items": items, "seconds": round(time.perf_counter() - started, 1)}
