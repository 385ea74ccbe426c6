"""Writing the plan: the loaded tables, the run, the ORM loader and the PostgreSQL COPY loader."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from opentemis.core.db import column_of, concrete_field, field_column
from opentemis.core.scoping import system_scope
from opentemis.core.text import fold
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit, UnitStatus
from opentemis.site.synth import data
from opentemis.site.synth.base import (
    CURRENT_YEAR,
    PREVIOUS_YEAR,
    SIZES,
    Progress,
    Row,
    SizeSpec,
    SynthError,
)
from opentemis.site.synth.people import ROLE_POSITIONS, Ids, Refs, iter_school_batches
from opentemis.site.synth.plan import Plan, plan_nation
from opentemis.staff.models import (
    Assignment,
    CoreDesignation,
    Person,
    Position,
    Subject,
    SubjectGroup,
)

# ------------------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Table:
    """A generated table: its model and the fields each generated row holds, in order."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        return [column_of(self.model, f) for f in self.fields]


def tables() -> list[Table]:
    """The eight loaded tables, parents first."""
    return [
        Table(
            "unit",
            Unit,
            (
                "id",
                "path",
                "depth",
                "numchild",
                "code",
                "name",
                "search_name",
                "kind",
                "disadvantaged_area",
                "status",
                "created_at",
                "updated_at",
            ),
        ),
        Table("unit_level", Unit.levels.through, ("id", "unit", "schoollevel")),
        Table("group", SubjectGroup, ("id", "unit", "name")),
        Table(
            "person",
            Person,
            (
                "id",
                "staff_code",
                "full_name",
                "search_text",
                "gender",
                "date_of_birth",
                "ethnicity",
                "is_dtts",
                "phone",
                "email",
                "qualification",
                "unit",
                "unit_path",
                "subject_group",
                "employment_status",
                "version",
                "created_at",
                "updated_at",
            ),
        ),
        Table("position", Person.positions.through, ("id", "person", "position")),
        Table("subject", Person.subjects.through, ("id", "person", "subject")),
        Table(
            "assignment",
            Assignment,
            ("id", "person", "unit", "start_date", "end_date", "note", "recorded_by"),
        ),
        Table("core", CoreDesignation, ("id", "person", "school_year", "kind", "subject")),
    ]


def unit_rows(plan: Plan, refs: Refs) -> Iterator[Row]:
    for u in plan.units:
        yield (
            u.id,
            u.path,
            u.depth,
            u.numchild,
            u.code,
            u.name,
            fold(u.name),
            str(u.kind),
            u.disadvantaged,
            UnitStatus.ACTIVE.value,
            refs.now,
            refs.now,
        )


def unit_level_rows(plan: Plan, refs: Refs, ids: Ids) -> Iterator[Row]:
    for u in plan.units:
        for code in u.levels:
            yield (ids.unit_level, u.id, refs.levels[code])
            ids.unit_level += 1


# --------------------------------------------------------------------------------- the run itself


@dataclass
class Report:
    """What a run wrote and how long each phase took."""

    size: str
    seed: int
    backend: str
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())


class _Clock:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.report.timings[phase] = self.report.timings.get(phase, 0.0) + now - self.last
        self.last = now


def has_data() -> bool:
    with system_scope():
        return Unit.dangerously_unscoped.exists() or Person._base_manager.exists()


def ensure_school_years() -> SchoolYear:
    """2024-2025 (closed) and 2025-2026 (current); the current one is returned."""
    SchoolYear.objects.filter(is_current=True).exclude(code=CURRENT_YEAR).update(is_current=False)
    SchoolYear.objects.update_or_create(
        code=PREVIOUS_YEAR,
        defaults={
            "start_date": dt.date(2024, 9, 1),
            "end_date": dt.date(2025, 8, 31),
            "is_current": False,
        },
    )
    year, _created = SchoolYear.objects.update_or_create(
        code=CURRENT_YEAR,
        defaults={
            "start_date": dt.date(2025, 9, 1),
            "end_date": dt.date(2026, 8, 31),
            "is_current": True,
        },
    )
    return year


def load_refs(year: SchoolYear) -> Refs:
    refs = Refs(
        positions=dict(Position.objects.values_list("code", "id")),
        subjects=dict(Subject.objects.values_list("code", "id")),
        levels=dict(SchoolLevel.objects.values_list("code", "id")),
        year_id=year.pk,
        now=timezone.now(),
    )
    needed_positions = {code for codes in ROLE_POSITIONS.values() for code in codes}
    needed_subjects = {code for pairs in data.SUBJECT_WEIGHTS.values() for code, _w in pairs}
    missing = (needed_positions - set(refs.positions)) | (needed_subjects - set(refs.subjects))
    missing |= {c for t in data.SCHOOL_TYPES.values() for c in t[1]} - set(refs.levels)
    if missing:
        raise SynthError(
            f"Reference data is missing ({', '.join(sorted(missing))}): run `migrate` first."
        )
    return refs


def run(
    *, size: str | SizeSpec, seed: int = 1, reset: bool = False, progress: Progress | None = None
) -> Report:
    """Build the synthetic nation in the default database. The entry point of the command."""
    spec = size if isinstance(size, SizeSpec) else SIZES[size]
    say = progress or (lambda _msg: None)
    report = Report(size=spec.name, seed=seed, backend=connection.vendor)
    clock = _Clock(report)
    if has_data() and not reset:
        raise SynthError(
            "The database already holds units or staff. Run again with --reset to delete every "
            "unit, school, staff record (and what depends on them) before generating."
        )
    plan = plan_nation(spec, seed)
    say(
        f"Plan: {len(plan.units):,} units, {len(plan.schools):,} schools, "
        f"≈{plan.staff_total:,} staff"
    )
    clock.lap("plan")
    with system_scope():
        if connection.vendor == "postgresql":
            _load_postgres(plan, seed, report, clock, say)
        else:
            _load_orm(plan, seed, report, clock, say, reset=reset)
    return report


def _progress_line(label: str, rows: int, started: float) -> str:
    elapsed = max(1e-9, time.perf_counter() - started)
    return f"  {label}: {rows:,} rows in {elapsed:,.1f} s ({rows / elapsed:,.0f} rows/s)"


# ----------------------------------------------------------------------------------- ORM loader


def _load_orm(
    plan: Plan, seed: int, report: Report, clock: _Clock, say: Progress, *, reset: bool
) -> None:
    """bulk_create, for SQLite and any non-PostgreSQL backend. Fine up to a province or so."""
    with transaction.atomic():
        if reset:
            # The ORM collector applies each relation's on_delete (role grants cascade, users
            # lose their person link, audit rows keep their text).
            for model in (CoreDesignation, Assignment, Person, SubjectGroup):
                model._base_manager.all().delete()
            Unit._base_manager.all().delete()
            clock.lap("reset")
        year = ensure_school_years()
        refs = load_refs(year)
        ids = _next_ids()
        offset = ids.unit - plan.units[0].id
        for unit in plan.units:
            unit.id += offset
        specs = {t.key: t for t in tables()}
        rows: dict[str, list[Row]] = {key: [] for key in specs}
        rows["unit"] = list(unit_rows(plan, refs))
        rows["unit_level"] = list(unit_level_rows(plan, refs, ids))
        started = time.perf_counter()
        for batch in iter_school_batches(plan, seed, refs, ids):
            rows["group"] += batch.groups
            rows["person"] += batch.persons
            rows["position"] += batch.positions
            rows["subject"] += batch.subjects
            rows["assignment"] += batch.assignments
            rows["core"] += batch.cores
        say(_progress_line("generated staff", len(rows["person"]), started))
        clock.lap("generate")
        for key, table in specs.items():
            started = time.perf_counter()
            attnames = [concrete_field(table.model, f).attname for f in table.fields]
            objs = [table.model(**dict(zip(attnames, row, strict=True))) for row in rows[key]]
            table.model._base_manager.bulk_create(objs, batch_size=2000)
            report.counts[table.db_table] = len(objs)
            say(_progress_line(table.db_table, len(objs), started))
        clock.lap("write")


def _next_ids() -> Ids:
    def next_id(model: type[models.Model]) -> int:
        current = model._base_manager.aggregate(m=models.Max("id"))["m"]
        return (current or 0) + 1

    specs = {t.key: t.model for t in tables()}
    return Ids(
        unit=next_id(specs["unit"]),
        unit_level=next_id(specs["unit_level"]),
        group=next_id(specs["group"]),
        person=next_id(specs["person"]),
        position=next_id(specs["position"]),
        subject=next_id(specs["subject"]),
        assignment=next_id(specs["assignment"]),
        core=next_id(specs["core"]),
    )


# ------------------------------------------------------------------------------ PostgreSQL loader


def _copy_value(value: Any) -> str:
    # COPY text format. Generated strings never hold tabs, newlines or backslashes
    # (tests check the name pools), so no escaping is needed.
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _tsv(rows: Iterable[Row], suffix: str) -> str:
    return "".join("\t".join(map(_copy_value, row)) + suffix + "\n" for row in rows)


def _extra_columns(table: Table) -> tuple[list[str], str]:
    """Columns other engineers may add to a loaded model later: filled with their defaults."""
    produced = set(table.fields)
    columns: list[str] = []
    values: list[str] = []
    for f in table.model._meta.concrete_fields:
        if f.name in produced or f.attname in produced:
            continue
        default = f.get_default() if f.has_default() else None
        if default is None and not f.null:
            raise SynthError(
                f"synth does not fill {table.db_table}.{f.column}: give it a default or add it "
                "to opentemis/site/synth/load.py"
            )
        if default is not None and not isinstance(default, str | int | float | bool | dt.date):
            raise SynthError(f"synth cannot COPY the default of {table.db_table}.{f.column}")
        columns.append(field_column(f))
        values.append(_copy_value(default))
    return columns, "".join("\t" + v for v in values)


def _cascade_closure(
    loaded: list[type[models.Model]],
) -> tuple[
    list[type[models.Model]],
    list[tuple[type[models.Model], models.Field[Any, Any]]],
    list[tuple[type[models.Model], models.Field[Any, Any]]],
]:
    """Tables emptied with the loaded ones, as the ORM's on_delete would do it.

    Returns (tables to truncate, foreign keys to set NULL, foreign keys that protect).
    """
    targets = list(loaded)
    all_models = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]
    changed = True
    while changed:
        changed = False
        for model in all_models:
            if model in targets:
                continue
            for f in model._meta.concrete_fields:
                if (
                    f.remote_field is not None
                    and f.related_model in targets
                    and f.remote_field.on_delete is models.CASCADE
                ):
                    targets.append(model)
                    changed = True
                    break
    set_null, protect = [], []
    for model in all_models:
        if model in targets:
            continue
        for f in model._meta.concrete_fields:
            if f.remote_field is not None and f.related_model in targets:
                if f.remote_field.on_delete is models.SET_NULL:
                    set_null.append((model, f))
                else:
                    protect.append((model, f))
    return targets, set_null, protect


def _load_postgres(plan: Plan, seed: int, report: Report, clock: _Clock, say: Progress) -> None:
    qn = connection.ops.quote_name
    specs = tables()
    loaded = [t.model for t in specs]
    targets, set_null, protect = _cascade_closure(loaded)
    loaded_names = [t.db_table for t in specs]
    target_names = [m._meta.db_table for m in targets]
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: COPY is not part of the DB-API
        # Run the checks a caller's transaction may have deferred: ALTER TABLE and TRUNCATE
        # refuse tables with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        for model, f in protect:
            cursor.execute(
                f"SELECT 1 FROM {qn(model._meta.db_table)} "  # noqa: S608  (names from Django's models)
                f"WHERE {qn(field_column(f))} IS NOT NULL LIMIT 1"
            )
            if cursor.fetchone():
                raise SynthError(
                    f"{model._meta.label} rows point at units or staff ({f.name}) and protect "
                    "them: delete those first."
                )
        for model, f in set_null:
            cursor.execute(
                f"UPDATE {qn(model._meta.db_table)} SET {qn(field_column(f))} = NULL "  # noqa: S608
                f"WHERE {qn(field_column(f))} IS NOT NULL"
            )
        # Foreign keys (from the loaded tables, and into every emptied table: TRUNCATE demands
        # it), unique constraints and secondary indexes go now and come back after the load.
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
            FROM pg_constraint c
            WHERE (c.contype = 'f' AND (c.conrelid = ANY(%s::regclass[])
                                        OR c.confrelid = ANY(%s::regclass[])))
               OR (c.contype IN ('u', 'x') AND c.conrelid = ANY(%s::regclass[]))
            ORDER BY c.contype = 'f' DESC
            """,
            [loaded_names, target_names, loaded_names],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                              WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
            """,
            [loaded_names],
        )
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in target_names)}")
        clock.lap("prepare")

        year = ensure_school_years()
        refs = load_refs(year)
        refs.now = refs.now.isoformat()
        ids = Ids()  # the tables were just emptied

        def copy_sql(table: Table) -> tuple[str, str]:
            extra, suffix = _extra_columns(table)
            cols = ", ".join(qn(c) for c in [*table.columns, *extra])
            return f"COPY {qn(table.db_table)} ({cols}) FROM STDIN WITH (FREEZE)", suffix

        by_key = {t.key: t for t in specs}
        buffers: dict[str, list[str]] = {t.key: [] for t in specs}
        counts = dict.fromkeys(buffers, 0)
        unit_list = list(unit_rows(plan, refs))
        level_list = list(unit_level_rows(plan, refs, ids))
        for key, rows in (("unit", unit_list), ("unit_level", level_list)):
            sql, suffix = copy_sql(by_key[key])
            with raw.copy(sql) as copy:
                copy.write(_tsv(rows, suffix))
            counts[key] = len(rows)
        clock.lap("units")

        # Staff stream straight into COPY; the rows of the smaller tables wait in memory as
        # text (one COPY at a time per connection) and follow.
        started = time.perf_counter()
        sql, person_suffix = copy_sql(by_key["person"])
        suffixes = {key: copy_sql(by_key[key])[1] for key in buffers}
        next_report = 100_000
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
            chunk: list[str] = []
            pending = 0
            for batch in iter_school_batches(plan, seed, refs, ids):
                chunk.append(_tsv(batch.persons, person_suffix))
                pending += len(batch.persons)
                counts["person"] += len(batch.persons)
                for key, rows in (
                    ("group", batch.groups),
                    ("position", batch.positions),
                    ("subject", batch.subjects),
                    ("assignment", batch.assignments),
                    ("core", batch.cores),
                ):
                    if rows:
                        buffers[key].append(_tsv(rows, suffixes[key]))
                        counts[key] += len(rows)
                if pending >= 5_000:
                    copy.write("".join(chunk))
                    chunk, pending = [], 0
                if counts["person"] >= next_report:
                    say(_progress_line("staff", counts["person"], started))
                    next_report += 100_000
            if chunk:
                copy.write("".join(chunk))
        say(_progress_line("staff", counts["person"], started))
        clock.lap("staff")

        for key in ("group", "position", "subject", "assignment", "core"):
            started = time.perf_counter()
            sql, _suffix = copy_sql(by_key[key])
            with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
                for text in buffers[key]:
                    copy.write(text)
            buffers[key] = []
            say(_progress_line(by_key[key].db_table, counts[key], started))
        clock.lap("links")

        started = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _kind in reversed(constraints):  # unique first, then FKs
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
        say(
            f"  rebuilt {len(indexes)} indexes and {len(constraints)} constraints in "
            f"{time.perf_counter() - started:,.1f} s"
        )
        clock.lap("indexes")
        for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(sql)
        for t in specs:
            report.counts[t.db_table] = counts[t.key]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(qn(t) for t in loaded_names)}")
    clock.lap("analyze")
