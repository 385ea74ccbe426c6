"""Keeping the report summaries (EvalCell, StaffCell) equal to a recount of the raw rows.

Two operations, both for one school year:

* :func:`rebuild` recounts every unit: one grouped query over the working staff, one pass over
  the year's evaluations and training needs, then a bottom-up sum over the unit tree.
* :func:`refresh` is incremental: it finds the units whose staff or evaluations changed since the
  last run (``Evaluation.updated_at``, ``Person.updated_at``, ``PeerOpinion.updated_at`` and the
  audit log, which every service writes in the same transaction, so transfers and imports are
  seen on both sides), recounts only those units' own rows, and re-adds their ancestors from
  their children's stored rows (a commune from its ~15 schools, a province from its communes,
  the nation from 34 provinces). A read of a report calls it when the summaries are older than
  ``REPORT_MAX_STALENESS`` seconds, so a finalised evaluation is in every report that covers it
  at the latest that long after (docs/decisions/0009-reports.md).

Changes are looked for from ``watermark - OVERLAP``: a write that started before the previous
refresh but committed after it still has an ``updated_at`` inside the overlap. Workflow writes
are single short transactions; a nightly :func:`rebuild` corrects anything else.

One refresh of a year at a time: the year's ``ReportState`` row is locked (``SKIP LOCKED``) for
the refresh's transaction, and a reader that finds it locked reads the rows as they are. A
refresh whose process is killed loses its connection, and the database rolls it back and
releases the lock at once (on SQLite the kernel releases the file lock). One whose process
hangs or whose machine vanishes without closing the connection would hold the lock until TCP
gives up (hours): on PostgreSQL the refresh's transaction is leased to the server, which ends
the session when it sits idle longer than ``REPORT_REFRESH_LEASE_SECONDS``
(``idle_in_transaction_session_timeout``), so the next refresh runs after that at the latest.

A test (tests/test_refresh.py) checks that after any sequence of changes and refreshes the
summaries equal a full recount, unit by unit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from opentemis.accounts.models import AuditEvent
from opentemis.core.replicas import on_primary
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import (
    LOCKED_STATUSES,
    Evaluation,
    EvaluationKind,
    PeerOpinion,
    PollParticipation,
    TrainingNeed,
)
from opentemis.evaluations.selectors import EVALUATED_POSITIONS
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.reports.models import EvalCell, ReportState, StaffCell
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.standards.frameworks import modules_for
from opentemis.standards.rules import LEVEL_CODES, Level

OVERLAP = dt.timedelta(seconds=10)
# The summary row's column of each overall rating: rating_chuadat, rating_dat, ...
RATING_FIELDS = {code: f"rating_{code.lower()}" for code in LEVEL_CODES}
# A criterion's counts are a list, one per level, lowest first.
LEVEL_INDEX = {level.code: int(level) for level in Level}
COUNT_FIELDS = ("to_evaluate", "started", "self_evaluated", "opinions", "finalised")
AGE_BANDS = ("<30", "30-39", "40-49", "50-54", "55+")
# Audit actions after which a whole subtree may have changed (not only the event's unit).
SUBTREE_ACTIONS = ("staff.import", "unit.move", "unit.update")

EvalKey = tuple[str, str, bool, bool, bool]  # population, level, woman, dtts, disadvantaged

# The report's populations: teachers and managers of general education (TT 20, TT 14) and of
# preschools (TT 26, TT 25), each in its own section with its own criteria.
PRESCHOOL_LEVEL = "MN"


def population_of(*, manager: bool, level: str) -> str:
    """The report population of a person (or an evaluation's person) at a unit of ``level``:
    GV, CBQL; GVMN, CBMN at a preschool (counted apart: their standards are not TT 20/14)."""
    if level == PRESCHOOL_LEVEL:
        return "CBMN" if manager else "GVMN"
    return "CBQL" if manager else "GV"


StaffKey = tuple[str, str, bool, bool, bool, str, str]  # + dimension, key
STAFF_DIMENSIONS = ("level", "position", "age_band", "qualification")


@dataclass
class EvalFigures:
    """The additive figures of one cell (see EvalCell)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    ratings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATING_FIELDS, 0))
    criteria: dict[str, list[int]] = field(default_factory=dict)
    needs: dict[str, int] = field(default_factory=dict)
    modules: dict[str, int] = field(default_factory=dict)

    def add(self, other: EvalFigures) -> None:
        for k, v in other.counts.items():
            self.counts[k] += v
        for k, v in other.ratings.items():
            self.ratings[k] += v
        for number, levels in other.criteria.items():
            mine = self.criteria.setdefault(number, [0, 0, 0, 0])
            for i, n in enumerate(levels):
                mine[i] += n
        for k, v in other.needs.items():
            self.needs[k] = self.needs.get(k, 0) + v
        for k, v in other.modules.items():
            self.modules[k] = self.modules.get(k, 0) + v

    def is_empty(self) -> bool:
        return not any(self.counts.values()) and not any(self.ratings.values())


@dataclass
class UnitFigures:
    eval: dict[EvalKey, EvalFigures] = field(default_factory=lambda: defaultdict(EvalFigures))
    staff: dict[StaffKey, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: UnitFigures, parts: tuple[str, ...] = ("eval", "staff")) -> None:
        if "eval" in parts:
            for key, figures in other.eval.items():
                self.eval[key].add(figures)
        if "staff" in parts:
            for skey, n in other.staff.items():
                self.staff[skey] += n


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    path: str
    level: str
    disadvantaged: bool


# --- own figures: the people and evaluations attached to the units themselves ---------------


def _unit_info(unit_ids: Iterable[int] | None) -> dict[int, UnitInfo]:
    """Path, school level (the lowest of the unit's levels) and disadvantaged flag."""
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=list(unit_ids))
    levels: dict[int, tuple[int, str]] = {}
    through = Unit.levels.through.objects.all()
    if unit_ids is not None:
        through = through.filter(unit_id__in=list(unit_ids))
    for unit_id, code, order in through.values_list(
        "unit_id", "schoollevel__code", "schoollevel__order"
    ):
        if unit_id not in levels or order < levels[unit_id][0]:
            levels[unit_id] = (order, code)
    return {
        pk: UnitInfo(pk, path, levels.get(pk, (0, ""))[1], disadvantaged)
        for pk, path, disadvantaged in units.values_list("pk", "path", "disadvantaged_area")
    }


def _age_band(school_year: SchoolYear) -> Case:
    """The age on the school year's first day, as a band ("" when the birth date is unknown)."""
    start = school_year.start_date

    def born_after(years: int) -> dt.date:
        return start.replace(year=start.year - years)

    return Case(
        When(date_of_birth__isnull=True, then=Value("")),
        When(date_of_birth__gt=born_after(30), then=Value("<30")),
        When(date_of_birth__gt=born_after(40), then=Value("30-39")),
        When(date_of_birth__gt=born_after(50), then=Value("40-49")),
        When(date_of_birth__gt=born_after(55), then=Value("50-54")),
        default=Value("55+"),
        output_field=CharField(),
    )


def _own(
    school_year: SchoolYear, units: dict[int, UnitInfo], everything: bool
) -> dict[int, UnitFigures]:
    """The figures of the staff and evaluations attached to each of ``units`` directly."""
    result: dict[int, UnitFigures] = defaultdict(UnitFigures)
    through = Person.positions.through.objects
    people = Person.objects.filter(employment_status=EmploymentStatus.WORKING).filter(
        Exists(through.filter(person_id=OuterRef("pk"), position__code__in=EVALUATED_POSITIONS))
    )
    evaluations = Evaluation.objects.filter(cycle__school_year=school_year)
    if not everything:
        ids = list(units)
        people = people.filter(unit_id__in=ids)
        evaluations = evaluations.filter(unit_id__in=ids)
    manager = Exists(
        through.filter(person_id=OuterRef("pk"), position__is_manager=True).filter(
            position__code__in=EVALUATED_POSITIONS
        )
    )
    position = Subquery(
        through.filter(person_id=OuterRef("pk"), position__code__in=EVALUATED_POSITIONS)
        .order_by("-position__is_manager", "position__order")
        .values("position__code")[:1]
    )
    rows = (
        people.annotate(mgr=manager, pos=position, band=_age_band(school_year))
        .values("unit_id", "gender", "is_dtts", "qualification", "mgr", "pos", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        info = units.get(row["unit_id"])
        if info is None:
            continue
        population = population_of(manager=row["mgr"], level=info.level)
        woman = row["gender"] == "F"
        key: EvalKey = (population, info.level, woman, row["is_dtts"], info.disadvantaged)
        figures = result[info.pk]
        figures.eval[key].counts["to_evaluate"] += row["n"]
        for dimension, value in (
            ("level", info.level),
            ("position", row["pos"] or ""),
            ("age_band", row["band"]),
            ("qualification", row["qualification"] or ""),
        ):
            figures.staff[(*key, dimension, value)] += row["n"]

    _own_evaluations(school_year, units, evaluations, result)
    return result


def _own_evaluations(
    school_year: SchoolYear,
    units: dict[int, UnitInfo],
    evaluations: Any,
    result: dict[int, UnitFigures],
) -> None:
    """Evaluation figures of ``units`` by grouped queries (no row-by-row work in Python).

    One evaluation per person and year counts: the latest (a person evaluated in two cycles of
    the same year, after a transfer between provinces, counts once, where they were last).
    """
    latest = evaluations.exclude(
        Exists(
            Evaluation.objects.filter(
                person_id=OuterRef("person_id"),
                cycle__school_year=school_year,
                pk__gt=OuterRef("pk"),
            )
        )
    )
    opinion = Exists(PeerOpinion.objects.filter(evaluation_id=OuterRef("pk"))) | Exists(
        PollParticipation.objects.filter(evaluation_id=OuterRef("pk"))
    )
    locked = Q(status__in=list(LOCKED_STATUSES))
    keys = ("unit_id", "kind", "person__gender", "person__is_dtts")
    counts = (
        latest.annotate(has_opinion=opinion)
        .values(*keys)
        .annotate(
            started=Count("id"),
            self_evaluated=Count("id", filter=Q(submitted_at__isnull=False)),
            opinions=Count("id", filter=Q(has_opinion=True)),
            finalised=Count("id", filter=locked),
            **{code: Count("id", filter=locked & Q(final_rating=code)) for code in RATING_FIELDS},
        )
        .order_by()
    )

    def cell(unit_id: int, kind: str, gender: str, dtts: bool) -> EvalFigures | None:
        info = units.get(unit_id)
        if info is None:
            return None
        population = population_of(manager=kind == EvaluationKind.MANAGER, level=info.level)
        key = (population, info.level, gender == "F", dtts, info.disadvantaged)
        return result[unit_id].eval[key]

    for row in counts:
        target = cell(row["unit_id"], row["kind"], row["person__gender"], row["person__is_dtts"])
        if target is None:
            continue
        for name in ("started", "self_evaluated", "opinions", "finalised"):
            target.counts[name] += row[name]
        for code in RATING_FIELDS:
            target.ratings[code] += row[code]

    # Per-criterion levels: the JSON of the reviewer's levels, expanded by the database.
    finalised_ids = latest.filter(locked).values("pk")
    inner, params = finalised_ids.query.sql_with_params()
    expand = (
        "CROSS JOIN LATERAL jsonb_each_text(e.review_levels) kv"
        if connection.vendor == "postgresql"
        else "CROSS JOIN json_each(e.review_levels) kv"
    )
    # Table names come from the models and ``inner`` is Django's own compiled SQL (its values
    # are parameters): nothing from users is formatted into the statement.
    sql = (
        "SELECT e.unit_id, e.kind, p.gender, p.is_dtts, kv.key, kv.value, COUNT(*) "  # noqa: S608
        f"FROM {Evaluation._meta.db_table} e "
        f"JOIN {Person._meta.db_table} p ON p.id = e.person_id {expand} "
        f"WHERE e.id IN ({inner}) GROUP BY 1, 2, 3, 4, 5, 6"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit_id, kind, gender, dtts, number, level, n in cursor.fetchall():
            target = cell(unit_id, kind, gender, bool(dtts))
            if target is None or level not in LEVEL_INDEX:
                continue
            target.criteria.setdefault(str(number), [0] * len(LEVEL_CODES))[LEVEL_INDEX[level]] += n

    # Training needs by criterion; the BDTX modules from the criterion -> module table (data).
    for row in (
        TrainingNeed.objects.filter(evaluation__in=finalised_ids)
        .values(
            "evaluation__unit_id",
            "evaluation__kind",
            "evaluation__person__gender",
            "evaluation__person__is_dtts",
            "evaluation__framework__code",
            "criterion",
        )
        .annotate(n=Count("id"))
        .order_by()
    ):
        target = cell(
            row["evaluation__unit_id"],
            row["evaluation__kind"],
            row["evaluation__person__gender"],
            row["evaluation__person__is_dtts"],
        )
        if target is None:
            continue
        number, n = str(row["criterion"]), row["n"]
        target.needs[number] = target.needs.get(number, 0) + n
        for module in modules_for(row["evaluation__framework__code"], row["criterion"]):
            target.modules[module] = target.modules.get(module, 0) + n


# --- roll-up and storage ----------------------------------------------------------------------


def _parent(path: str) -> str:
    return path[: -Unit.steplen]


def _stored(
    school_year: SchoolYear, parent_paths: set[str], skip: set[int], parts: tuple[str, ...]
) -> dict[int, tuple[str, UnitFigures]]:
    """Stored subtree figures of the children of ``parent_paths`` (except ``skip``), with the
    parent's path: {unit id: (parent path, figures)}. Read as tuples, not model objects: after
    a deadline-day burst this is most of the country's school rows."""
    result: dict[int, tuple[str, UnitFigures]] = {}

    def slot(unit_id: int, parent_path: str) -> UnitFigures:
        if unit_id not in result:
            result[unit_id] = (parent_path, UnitFigures())
        return result[unit_id][1]

    key_fields = ("population", "level", "woman", "dtts", "disadvantaged")
    if "eval" in parts:
        fields = (
            "unit_id",
            "parent_path",
            *key_fields,
            *COUNT_FIELDS,
            *RATING_FIELDS.values(),
            "criteria",
            "needs",
            "modules",
        )
        n_counts, n_ratings = len(COUNT_FIELDS), len(RATING_FIELDS)
        for row in (
            EvalCell.objects.filter(school_year=school_year, parent_path__in=parent_paths)
            .exclude(unit_id__in=skip)
            .values_list(*fields)
        ):
            key = row[2:7]
            counts = row[7 : 7 + n_counts]
            ratings = row[7 + n_counts : 7 + n_counts + n_ratings]
            criteria, needs, modules = row[7 + n_counts + n_ratings :]
            figures = EvalFigures(
                counts=dict(zip(COUNT_FIELDS, counts, strict=True)),
                ratings=dict(zip(RATING_FIELDS, ratings, strict=True)),
                criteria=criteria,
                needs=needs,
                modules=modules,
            )
            slot(row[0], row[1]).eval[key].add(figures)
    if "staff" in parts:
        for row in (
            StaffCell.objects.filter(school_year=school_year, parent_path__in=parent_paths)
            .exclude(unit_id__in=skip)
            .values_list(
                "unit_id",
                "parent_path",
                *key_fields,
                "dimension",
                "key",
                "count",
            )
        ):
            slot(row[0], row[1]).staff[row[2:9]] += row[9]
    return result


def _rows(
    school_year: SchoolYear, unit: UnitInfo, figures: UnitFigures, parts: tuple[str, ...]
) -> tuple[list[EvalCell], list[StaffCell]]:
    base = {
        "school_year": school_year,
        "unit_id": unit.pk,
        "unit_path": unit.path,
        "parent_path": _parent(unit.path),
    }
    cells = []
    eval_figures = figures.eval.items() if "eval" in parts else ()
    for (population, level, woman, dtts, disadvantaged), f in eval_figures:
        if f.is_empty():
            continue
        cells.append(
            EvalCell(
                **base,
                population=population,
                level=level,
                woman=woman,
                dtts=dtts,
                disadvantaged=disadvantaged,
                **f.counts,
                **{RATING_FIELDS[code]: n for code, n in f.ratings.items()},
                criteria=f.criteria,
                needs=f.needs,
                modules=f.modules,
            )
        )
    staff = [
        StaffCell(
            **base,
            population=k[0],
            level=k[1],
            woman=k[2],
            dtts=k[3],
            disadvantaged=k[4],
            dimension=k[5],
            key=k[6],
            count=n,
        )
        for k, n in (figures.staff.items() if "staff" in parts else ())
        if n
    ]
    return cells, staff


def _roll_up(
    school_year: SchoolYear,
    affected: dict[int, UnitInfo],
    own: dict[int, UnitFigures],
    full: bool,
    parts: tuple[str, ...] = ("eval", "staff"),
) -> int:
    """Subtree figures of every affected unit, stored in place of the old ones.

    ``affected`` holds every ancestor of each of its units. The subtree of an affected unit is
    its own figures, those of its affected descendants, and the stored subtree figures of its
    descendants' unaffected children (nothing inside those changed, or they would be affected).
    """
    by_path = {info.path: info for info in affected.values()}
    # Own figures first, copied: ``own`` serves the evaluation and the staff pass alike.
    subtree = {pk: UnitFigures() for pk in affected}
    for pk, figures in own.items():
        if pk in subtree:
            subtree[pk].add(figures, parts)
    if not full:
        # Unchanged children of affected units: their stored subtree figures, to their parent.
        stored = _stored(school_year, set(by_path), set(affected), parts)
        for parent_path, figures in stored.values():
            parent = by_path.get(parent_path)
            if parent is not None:
                subtree[parent.pk].add(figures, parts)
    # Bottom-up: each unit, once complete, is added to its parent (which is affected too).
    for info in sorted(affected.values(), key=lambda i: -len(i.path)):
        parent = by_path.get(_parent(info.path))
        if parent is not None:
            subtree[parent.pk].add(subtree[info.pk], parts)
    eval_rows: list[EvalCell] = []
    staff_rows: list[StaffCell] = []
    for info in affected.values():
        cells, staff = _rows(school_year, info, subtree[info.pk], parts)
        eval_rows += cells
        staff_rows += staff
    models = [m for part, m in (("eval", EvalCell), ("staff", StaffCell)) if part in parts]
    ids = list(affected)
    for model in models:
        if full:
            model.objects.filter(school_year=school_year).delete()
        else:
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                model.objects.filter(school_year=school_year, unit_id__in=chunk).delete()
    if "eval" in parts:
        _insert(EvalCell, eval_rows)
    if "staff" in parts:
        _insert(StaffCell, staff_rows)
    return len(ids)


def _insert(model: Any, objects: list[Any]) -> None:
    """Insert summary rows: COPY on PostgreSQL (a deadline-day refresh writes ~100,000),
    bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row(
                [
                    json.dumps(getattr(obj, f.attname))
                    if f.attname in json_fields
                    else getattr(obj, f.attname)
                    for f in fields
                ]
            )


def _with_ancestors(units: dict[int, UnitInfo]) -> dict[int, UnitInfo]:
    prefixes: set[str] = set()
    for info in units.values():
        path = _parent(info.path)
        while path:
            prefixes.add(path)
            path = _parent(path)
    missing = prefixes - {i.path for i in units.values()}
    if not missing:
        return units
    ids = list(Unit.objects.filter(path__in=missing).values_list("pk", flat=True))
    return {**units, **_unit_info(ids)}


# --- the two operations -----------------------------------------------------------------------


def _state(school_year: SchoolYear, lock: bool) -> ReportState | None:
    ReportState.objects.get_or_create(school_year=school_year)
    qs = ReportState.objects.filter(school_year=school_year)
    if lock:
        _lease_transaction()
        qs = qs.select_for_update(skip_locked=True)
    return qs.first()


def _lease_transaction() -> None:
    """PostgreSQL: end this session if the transaction sits idle longer than the lease (its
    process hung or vanished), releasing the year's lock (module docstring)."""
    if connection.vendor == "postgresql":
        lease_ms = str(int(settings.REPORT_REFRESH_LEASE_SECONDS * 1000))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('idle_in_transaction_session_timeout', %s, true)", [lease_ms]
            )


def rebuild(school_year: SchoolYear) -> int:
    """Recount every unit of ``school_year``; returns the number of units with figures."""
    with system_scope(), transaction.atomic():
        started = timezone.now()
        state = _state(school_year, lock=True)
        if state is None:
            return 0  # another rebuild or refresh holds the year; it will be as fresh
        units = _unit_info(None)
        own = _own(school_year, units, everything=True)
        affected = _with_ancestors({pk: units[pk] for pk in own})
        count = _roll_up(school_year, affected, own, full=True)
        state.refreshed_at = state.rebuilt_at = state.watermark = started
        state.save()
        return count


EVALUATION_ACTIONS = ("evaluation.", "cycle.")


def _changed_units(school_year: SchoolYear, since: dt.datetime) -> tuple[set[int], set[int]]:
    """Units whose evaluations changed, and units whose staff (or structure) changed."""
    evaluations: set[int] = set(
        Evaluation.objects.filter(cycle__school_year=school_year, updated_at__gte=since)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    evaluations |= set(
        PeerOpinion.objects.filter(
            evaluation__cycle__school_year=school_year, updated_at__gte=since
        )
        .values_list("evaluation__unit_id", flat=True)
        .distinct()
    )
    staff: set[int] = set(
        Person.objects.filter(updated_at__gte=since).values_list("unit_id", flat=True).distinct()
    )
    events = AuditEvent.objects.filter(at__gte=since, unit_id__isnull=False)
    for unit_id, action in events.values_list("unit_id", "action").distinct():
        if action.startswith(EVALUATION_ACTIONS):
            evaluations.add(unit_id)
        else:
            staff.add(unit_id)
    subtree_roots = list(
        events.filter(action__in=SUBTREE_ACTIONS).values_list("unit__path", flat=True).distinct()
    )
    if subtree_roots:
        query = Q()
        for path in subtree_roots:
            query |= Q(path__startswith=path)
        staff |= set(Unit.objects.filter(query).values_list("pk", flat=True))
    return evaluations, staff


@on_primary  # what it reads decides what it writes (decision 0026)
def refresh(school_year: SchoolYear) -> int | None:
    """Bring ``school_year``'s summaries up to date; the number of units rewritten.

    None when another process is refreshing the same year right now (its result will be as
    fresh). A year never built is rebuilt.
    """
    with system_scope():
        state = ReportState.objects.filter(school_year=school_year).first()
        if state is None or state.watermark is None:
            return rebuild(school_year)
        with transaction.atomic():
            started = timezone.now()
            locked = _state(school_year, lock=True)
            if locked is None:
                return None
            since = (locked.watermark or started) - OVERLAP
            evaluations, staff = _changed_units(school_year, since)
            count = 0
            if evaluations or staff:
                # A staff change moves "to evaluate" too: its units' evaluation rows are redone.
                # An evaluation change leaves the staff rows as they are (the bulk of a
                # deadline-day refresh).
                eval_units = _with_ancestors(_unit_info(evaluations | staff))
                staff_units = _with_ancestors(_unit_info(staff)) if staff else {}
                own = _own(school_year, {**eval_units, **staff_units}, everything=False)
                count = _roll_up(school_year, eval_units, own, full=False, parts=("eval",))
                if staff_units:
                    _roll_up(school_year, staff_units, own, full=False, parts=("staff",))
            locked.refreshed_at = locked.watermark = started
            locked.save(update_fields=["refreshed_at", "watermark"])
            return count


@on_primary  # what it reads decides what it writes (decision 0026)
def ensure_fresh(school_year: SchoolYear, max_age: float) -> ReportState | None:
    """Refresh when the summaries are older than ``max_age`` seconds; the state after."""
    state = ReportState.objects.filter(school_year=school_year).first()
    now = timezone.now()
    if (
        state is None
        or state.refreshed_at is None
        or (now - state.refreshed_at).total_seconds() > max_age
    ):
        refresh(school_year)
        state = ReportState.objects.filter(school_year=school_year).first()
    return state
