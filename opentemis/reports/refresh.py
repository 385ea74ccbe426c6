"""Keeping the report summaries (EvalCell, StaffCell) equal to a recount of the raw rows.

Two operations, both for one school year:

* :func:`rebuild` recounts every unit, one province at a time (grouped queries over that
  province's staff, evaluations and training needs, a bottom-up sum, the rows written), so its
  memory is that of the largest province; the nation is summed from the provinces at the end.
* :func:`refresh` is incremental: it finds the units whose staff or evaluations changed since the
  last run in the year's change feed (``Evaluation.updated_at`` and ``PeerOpinion.updated_at``
  of the year's evaluations, ``Person.updated_at``, and the audit log, which every service
  writes in the same transaction, so transfers and imports are seen on both sides; an event of
  an evaluation or cycle counts for that record's year only), recounts only those units' own
  figures, and adds the difference to their stored rows and their ancestors' (reading no
  unchanged sibling, and rewriting only the breakdown cells with a difference). When the tree
  may have changed (an import, a unit moved or edited) the ancestors are re-added from their
  children's stored rows instead. A read of a report calls it
  when the summaries are older than ``REPORT_MAX_STALENESS`` seconds, so a finalised evaluation
  is in every report that covers it at the latest that long after
  (docs/decisions/0009-reports.md).

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

Tests (tests/test_refresh.py, tests/test_rebuild.py) check that after any sequence of changes
and refreshes the summaries equal a full recount, unit by unit, column by column.
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
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from opentemis.accounts.models import AuditEvent
from opentemis.core.replicas import on_primary
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import (
    LOCKED_STATUSES,
    Cycle,
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

    def add(self, other: EvalFigures, sign: int = 1) -> None:
        """Add ``other`` (``sign=-1``: take it away; :meth:`prune` after)."""
        for k, v in other.counts.items():
            self.counts[k] += sign * v
        for k, v in other.ratings.items():
            self.ratings[k] += sign * v
        criteria = self.criteria
        for number, levels in other.criteria.items():
            mine = criteria.get(number)
            if mine is None:
                criteria[number] = [sign * n for n in levels]
            else:
                criteria[number] = [a + sign * b for a, b in zip(mine, levels, strict=True)]
        for k, v in other.needs.items():
            self.needs[k] = self.needs.get(k, 0) + sign * v
        for k, v in other.modules.items():
            self.modules[k] = self.modules.get(k, 0) + sign * v

    def prune(self) -> None:
        """Drop the criteria, needs and modules a subtraction brought to zero: a recount never
        holds them."""
        self.criteria = {k: v for k, v in self.criteria.items() if any(v)}
        self.needs = {k: v for k, v in self.needs.items() if v}
        self.modules = {k: v for k, v in self.modules.items() if v}

    def is_empty(self) -> bool:
        return not any(self.counts.values()) and not any(self.ratings.values())

    def is_zero(self) -> bool:
        """Nothing at all, maps included (a difference that changes no stored figure)."""
        return (
            self.is_empty()
            and not any(any(levels) for levels in self.criteria.values())
            and not any(self.needs.values())
            and not any(self.modules.values())
        )


@dataclass
class UnitFigures:
    eval: dict[EvalKey, EvalFigures] = field(default_factory=lambda: defaultdict(EvalFigures))
    staff: dict[StaffKey, int] = field(default_factory=lambda: defaultdict(int))

    def add(
        self, other: UnitFigures, parts: tuple[str, ...] = ("eval", "staff"), sign: int = 1
    ) -> None:
        if "eval" in parts:
            for key, figures in other.eval.items():
                self.eval[key].add(figures, sign)
        if "staff" in parts:
            for skey, n in other.staff.items():
                self.staff[skey] += sign * n


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
    school_year: SchoolYear,
    units: dict[int, UnitInfo],
    everything: bool,
    staff_of: Iterable[int] | None = None,
) -> dict[int, UnitFigures]:
    """The figures of the staff and evaluations attached to each of ``units`` directly
    (``staff_of``: count the staff of these units only; the others' are left at zero)."""
    result: dict[int, UnitFigures] = defaultdict(UnitFigures)
    through = Person.positions.through.objects
    people = Person.objects.filter(employment_status=EmploymentStatus.WORKING)
    evaluations = Evaluation.objects.filter(cycle__school_year=school_year)
    if not everything:
        ids = list(units)
        people = people.filter(unit_id__in=ids if staff_of is None else list(staff_of))
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
    # "In an evaluated position" is "has a first evaluated position": an EXISTS filter would
    # be planned as a semi-join hashing every person's positions in the country (1.3 million).
    rows = (
        people.annotate(mgr=manager, pos=position, band=_age_band(school_year))
        .filter(pos__isnull=False)
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
    """Evaluation figures of ``units`` by one grouped statement (no row-by-row work in Python).

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
    # The counted evaluations, read once (one scan of the evaluations and their people) and
    # grouped three ways in the same statement: completion and ratings; per-criterion levels
    # (the JSON of the reviewer's levels, expanded and counted by the database, one map per
    # group); training needs by criterion with the framework, for the BDTX modules (criterion
    # -> module table, data). Three statements over the same evaluations cost three scans of
    # a school's scattered rows (issue 15).
    base = (
        latest.annotate(
            has_opinion=opinion,
            r_unit=F("unit_id"),
            r_kind=F("kind"),
            r_gender=F("person__gender"),
            r_dtts=F("person__is_dtts"),
            r_framework=F("framework__code"),
        )
        .values(
            "id",
            "r_unit",
            "r_kind",
            "r_gender",
            "r_dtts",
            "r_framework",
            "status",
            "submitted_at",
            "final_rating",
            "review_levels",
            "has_opinion",
        )
        .order_by()
    )
    inner, params = base.query.sql_with_params()
    expand = (
        "CROSS JOIN LATERAL jsonb_each_text(ev.review_levels) kv"
        if connection.vendor == "postgresql"
        else "CROSS JOIN json_each(ev.review_levels) kv"
    )
    statuses = list(LOCKED_STATUSES)
    locked_sql = f"ev.status IN ({', '.join(['%s'] * len(statuses))})"
    keys = "ev.r_unit, ev.r_kind, ev.r_gender, ev.r_dtts"

    def total(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    # Every part gives: part, unit, kind, gender, dtts, name, framework, 8 numbers.
    count_columns = [
        "COUNT(*)",
        total("ev.submitted_at IS NOT NULL"),
        total("ev.has_opinion"),
        total(locked_sql),
        *(total(f"{locked_sql} AND ev.final_rating = %s") for _code in RATING_FIELDS),
    ]
    count_params = [*statuses, *[p for code in RATING_FIELDS for p in (*statuses, code)]]
    # Per-criterion levels: summed per criterion, then one JSON map per group,
    # {"<criterion>": [Chưa đạt, Đạt, Khá, Tốt]} as stored (a row per group, not per criterion).
    by_index = sorted(LEVEL_CODES, key=lambda code: LEVEL_INDEX[code])
    level_columns = ", ".join(f"{total('kv.value = %s')} AS n{i}" for i in range(len(by_index)))
    levels_list = ", ".join(f"n{i}" for i in range(len(by_index)))
    if connection.vendor == "postgresql":
        # json, not jsonb: built as text, no key sorting (a third of the time of jsonb here).
        level_map = f"CAST(json_object_agg(k, json_build_array({levels_list})) AS TEXT)"
    else:
        level_map = f"json_group_object(k, json_array({levels_list}))"
    pad = ", ".join(["0"] * 4)
    seven = ", ".join(["0"] * 7)
    # Table names come from the models and ``inner`` is Django's own compiled SQL (its values
    # are parameters): nothing from users is formatted into the statement.
    sql = (
        f"WITH ev AS ({inner}) "  # noqa: S608
        f"SELECT 'c', {keys}, '', '', {', '.join(count_columns)} FROM ev GROUP BY {keys} "
        f"UNION ALL SELECT 'l', r_unit, r_kind, r_gender, r_dtts, {level_map}, '', 0, {seven} "
        f"FROM (SELECT {keys}, kv.key AS k, {level_columns} FROM ev {expand} "
        f"WHERE {locked_sql} GROUP BY {keys}, kv.key) levels "
        "GROUP BY r_unit, r_kind, r_gender, r_dtts "
        f"UNION ALL SELECT 'n', {keys}, CAST(tn.criterion AS TEXT), ev.r_framework, COUNT(*), "
        f"0, 0, 0, {pad} FROM ev JOIN {TrainingNeed._meta.db_table} tn "
        f"ON tn.evaluation_id = ev.id WHERE {locked_sql} "
        f"GROUP BY {keys}, tn.criterion, ev.r_framework"
    )
    sql_params = [*params, *count_params, *by_index, *statuses, *statuses]
    cells: dict[tuple[int, str, str, bool], EvalFigures | None] = {}
    modules: dict[tuple[str, str], list[str]] = {}  # BDTX modules of (framework, criterion)

    def cell(unit_id: int, kind: str, gender: str, dtts: bool) -> EvalFigures | None:
        if (unit_id, kind, gender, dtts) in cells:
            return cells[(unit_id, kind, gender, dtts)]
        info = units.get(unit_id)
        target = None
        if info is not None:
            population = population_of(manager=kind == EvaluationKind.MANAGER, level=info.level)
            key = (population, info.level, gender == "F", dtts, info.disadvantaged)
            target = result[unit_id].eval[key]
        cells[(unit_id, kind, gender, dtts)] = target
        return target

    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        for part, unit_id, kind, gender, dtts, name, framework, *numbers in cursor:
            target = cell(unit_id, kind, gender, bool(dtts))
            if target is None:
                continue
            if part == "c":
                started, self_evaluated, opinions, finalised, *ratings = numbers
                target.counts["started"] += started
                target.counts["self_evaluated"] += self_evaluated
                target.counts["opinions"] += opinions
                target.counts["finalised"] += finalised
                for code, n in zip(RATING_FIELDS, ratings, strict=True):
                    target.ratings[code] += n
            elif part == "l":
                criteria: dict[str, list[int]] = json.loads(name)
                if target.criteria:
                    target.add(EvalFigures(counts={}, ratings={}, criteria=criteria))
                else:
                    target.criteria = criteria
            else:
                n = numbers[0]
                target.needs[name] = target.needs.get(name, 0) + n
                if (framework, name) not in modules:
                    modules[(framework, name)] = modules_for(framework, int(name))
                for module in modules[(framework, name)]:
                    target.modules[module] = target.modules.get(module, 0) + n


# --- roll-up and storage ----------------------------------------------------------------------


def _parent(path: str) -> str:
    return path[: -Unit.steplen]


def _stored(
    school_year: SchoolYear,
    parts: tuple[str, ...],
    *,
    parent_paths: set[str] | None = None,
    unit_ids: set[int] | None = None,
    skip: set[int] | frozenset[int] = frozenset(),
) -> dict[int, tuple[str, UnitFigures]]:
    """Stored subtree figures of the children of ``parent_paths`` or of the units ``unit_ids``
    (except ``skip``), with each unit's parent path: {unit id: (parent path, figures)}. Read as
    tuples, not model objects."""
    result: dict[int, tuple[str, UnitFigures]] = {}

    def slot(unit_id: int, parent_path: str) -> UnitFigures:
        if unit_id not in result:
            result[unit_id] = (parent_path, UnitFigures())
        return result[unit_id][1]

    def rows_of(model: Any) -> Any:
        qs = model.objects.filter(school_year=school_year)
        if parent_paths is not None:
            qs = qs.filter(parent_path__in=parent_paths)
        if unit_ids is not None:
            qs = qs.filter(unit_id__in=unit_ids)
        return qs.exclude(unit_id__in=skip) if skip else qs

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
        for row in rows_of(EvalCell).values_list(*fields):
            key = row[2:7]
            figures = _stored_figures(row)
            cells = slot(row[0], row[1]).eval
            if key in cells:
                cells[key].add(figures)
            else:
                cells[key] = figures  # (one row per key: no copy)
    if "staff" in parts:
        for row in rows_of(StaffCell).values_list(
            "unit_id", "parent_path", *key_fields, "dimension", "key", "count"
        ):
            slot(row[0], row[1]).staff[row[2:9]] += row[9]
    return result


def _rows(
    school_year: SchoolYear, unit: UnitInfo, figures: UnitFigures, parts: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The summary rows of one unit, as column values (no model objects)."""
    base = {
        "school_year_id": school_year.pk,
        "unit_id": unit.pk,
        "unit_path": unit.path,
        "parent_path": _parent(unit.path),
    }
    cells = []
    eval_figures = figures.eval.items() if "eval" in parts else ()
    for (population, level, woman, dtts, disadvantaged), f in eval_figures:
        if f.is_empty():
            continue
        f.prune()
        cells.append(
            {
                **base,
                "population": population,
                "level": level,
                "woman": woman,
                "dtts": dtts,
                "disadvantaged": disadvantaged,
                **f.counts,
                **{RATING_FIELDS[code]: n for code, n in f.ratings.items()},
                "criteria": f.criteria,
                "needs": f.needs,
                "modules": f.modules,
            }
        )
    staff = [
        {
            **base,
            "population": k[0],
            "level": k[1],
            "woman": k[2],
            "dtts": k[3],
            "disadvantaged": k[4],
            "dimension": k[5],
            "key": k[6],
            "count": n,
        }
        for k, n in (figures.staff.items() if "staff" in parts else ())
        if n
    ]
    return cells, staff


def _write(
    school_year: SchoolYear,
    units: Iterable[UnitInfo],
    subtree: dict[int, UnitFigures],
    parts: tuple[str, ...],
    *,
    replace: bool,
) -> None:
    """Store the subtree figures of ``units`` (``replace``: in place of their rows)."""
    units = list(units)
    if replace:
        ids = [info.pk for info in units]
        for part, model in (("eval", EvalCell), ("staff", StaffCell)):
            if part in parts:
                for start in range(0, len(ids), 5000):
                    chunk = ids[start : start + 5000]
                    model.objects.filter(school_year=school_year, unit_id__in=chunk).delete()
    eval_rows: list[dict[str, Any]] = []
    staff_rows: list[dict[str, Any]] = []
    for info in units:
        cells, staff = _rows(school_year, info, subtree[info.pk], parts)
        eval_rows += cells
        staff_rows += staff
    if "eval" in parts:
        _insert(EvalCell, eval_rows)
    if "staff" in parts:
        _insert(StaffCell, staff_rows)


def _roll_up(
    school_year: SchoolYear,
    affected: dict[int, UnitInfo],
    own: dict[int, UnitFigures],
    parts: tuple[str, ...] = ("eval", "staff"),
) -> int:
    """Subtree figures of every affected unit, recounted, stored in place of the old ones.

    ``affected`` holds every ancestor of each of its units. The subtree of an affected unit is
    its own figures, those of its affected descendants, and the stored subtree figures of its
    descendants' unaffected children (nothing inside those changed, or they would be affected).
    Used when the tree itself may have changed (:data:`SUBTREE_ACTIONS`); other changes go
    through :func:`_apply_deltas`, which reads far fewer rows.
    """
    by_path = {info.path: info for info in affected.values()}
    subtree = {pk: UnitFigures() for pk in affected}
    for pk, figures in own.items():
        if pk in subtree:
            subtree[pk].add(figures, parts)
    # Unchanged children of affected units: their stored subtree figures, to their parent.
    stored = _stored(school_year, parts, parent_paths=set(by_path), skip=set(affected))
    for parent_path, figures in stored.values():
        parent = by_path.get(parent_path)
        if parent is not None:
            subtree[parent.pk].add(figures, parts)
    # Bottom-up: each unit, once complete, is added to its parent (which is affected too).
    for info in sorted(affected.values(), key=lambda i: -len(i.path)):
        parent = by_path.get(_parent(info.path))
        if parent is not None:
            subtree[parent.pk].add(subtree[info.pk], parts)
    _write(school_year, affected.values(), subtree, parts, replace=True)
    return len(affected)


def _apply_deltas(
    school_year: SchoolYear,
    changed: dict[int, UnitInfo],
    own: dict[int, UnitFigures],
    parts: tuple[str, ...],
    same_staff: set[int] | frozenset[int] = frozenset(),
) -> int:
    """Store the figures of the units whose own rows ``changed``, and of their ancestors, from
    the change of each unit's own figures.

    A unit's old own figures are its stored subtree figures less those of its children (none
    for a school); the difference to its recounted ``own`` figures is added to the stored rows
    of the unit and of each ancestor. So a refresh reads the rows of the changed units and of
    their ancestors only, never their unchanged siblings (a commune's other schools, a
    province's other communes). The tree must not have moved since the rows were written
    (:func:`refresh` recounts otherwise). ``same_staff``: units whose staff did not change and
    was not recounted (their "to evaluate" stays as stored).
    """
    affected = _with_ancestors(changed)
    by_path = {info.path: info for info in affected.values()}
    old = _stored(school_year, parts, unit_ids=set(affected))
    children: dict[str, list[UnitFigures]] = defaultdict(list)
    paths = {info.path for info in changed.values()}
    for parent_path, figures in _stored(school_year, parts, parent_paths=paths).values():
        children[parent_path].append(figures)
    # Each changed unit's difference: new own figures less old own ones (the old subtree
    # less the children's rows).
    delta: dict[int, UnitFigures] = {}
    for pk, info in changed.items():
        difference = UnitFigures()
        difference.add(own.get(pk, UnitFigures()), parts)
        if pk in old:
            difference.add(old[pk][1], parts, sign=-1)
        for figures in children.get(info.path, ()):
            difference.add(figures, parts)
        if pk in same_staff:  # its staff was not recounted: "to evaluate" has not moved
            for cell in difference.eval.values():
                cell.counts["to_evaluate"] = 0
        delta[pk] = difference
    # Bottom-up: each unit's rows get its own difference and its descendants', which are
    # summed into its parent's before the parent's turn (one addition per unit, not per
    # changed unit and ancestor).
    subtree = {pk: old[pk][1] if pk in old else UnitFigures() for pk in affected}
    for info in sorted(affected.values(), key=lambda i: -len(i.path)):
        if info.pk not in delta:
            continue
        below = delta[info.pk]
        subtree[info.pk].add(below, parts)
        parent = by_path.get(_parent(info.path))
        if parent is not None:
            if parent.pk in delta:
                delta[parent.pk].add(below, parts)
            else:
                delta[parent.pk] = below  # (applied already below: handed up, not copied)
    _write(school_year, affected.values(), subtree, parts, replace=True)
    return len(affected)


def _stored_figures(row: tuple[Any, ...]) -> EvalFigures:
    """The figures of a stored evaluation row read as a tuple: two leading columns, the five of
    its key, then the counts, the ratings, criteria, needs and modules (in that order)."""
    n_counts, n_ratings = len(COUNT_FIELDS), len(RATING_FIELDS)
    counts = row[7 : 7 + n_counts]
    ratings = row[7 + n_counts : 7 + n_counts + n_ratings]
    criteria, needs, modules = row[7 + n_counts + n_ratings :]
    return EvalFigures(
        counts=dict(zip(COUNT_FIELDS, counts, strict=True)),
        ratings=dict(zip(RATING_FIELDS, ratings, strict=True)),
        criteria=criteria,
        needs=needs,
        modules=modules,
    )


def _eval_cells(
    school_year: SchoolYear,
    *,
    unit_ids: Iterable[int] | None = None,
    parent_paths: Iterable[str] | None = None,
    row_ids: Iterable[int] | None = None,
) -> list[tuple[int, Any, EvalKey, EvalFigures]]:
    """Stored evaluation rows of the units ``unit_ids``, of the children of ``parent_paths``
    or with the ids ``row_ids``: (row id, unit id, key, figures), read as tuples (the parent's
    path in place of the unit id for ``parent_paths``)."""
    fields = (
        "pk",
        "unit_id" if parent_paths is None else "parent_path",
        "population",
        "level",
        "woman",
        "dtts",
        "disadvantaged",
        *COUNT_FIELDS,
        *RATING_FIELDS.values(),
        "criteria",
        "needs",
        "modules",
    )
    result: list[tuple[int, Any, EvalKey, EvalFigures]] = []
    for column, values in (("unit_id", unit_ids), ("parent_path", parent_paths), ("pk", row_ids)):
        if values is None:
            continue
        listed = list(values)
        for start in range(0, len(listed), 5000):
            chunk = listed[start : start + 5000]
            qs = EvalCell.objects.filter(school_year=school_year, **{f"{column}__in": chunk})
            for row in qs.values_list(*fields):
                result.append((row[0], row[1], row[2:7], _stored_figures(row)))
    return result


def _same(recounted: EvalFigures, stored: EvalFigures, same_staff: bool) -> bool:
    """Whether a recounted cell equals a stored one (no difference to add): compared whole,
    maps included ("to evaluate" left out when the staff was not recounted)."""
    return (
        recounted.ratings == stored.ratings
        and all(
            n == stored.counts[name]
            for name, n in recounted.counts.items()
            if not (same_staff and name == "to_evaluate")
        )
        and recounted.criteria == stored.criteria
        and recounted.needs == stored.needs
        and recounted.modules == stored.modules
    )


def _apply_eval_deltas(
    school_year: SchoolYear,
    changed: dict[int, UnitInfo],
    own: dict[int, UnitFigures],
    same_staff: set[int] | frozenset[int] = frozenset(),
) -> int:
    """:func:`_apply_deltas` for the evaluation rows, touching only the rows that change.

    Each changed unit's difference (its recounted own figures less its stored rows less its
    children's rows) is computed first, cells that change nothing dropped, and summed up the
    tree. Then only the stored rows of the (unit, key) pairs with a difference are read in
    full, added to and written back; the other rows of the ancestors (their other breakdown
    cells: a school's finalisation moves one cell of each ancestor, not its dozens) are left
    as they are, JSON maps unread. A rebuild writes the same rows (tests/test_rebuild.py).
    """
    affected = _with_ancestors(changed)
    by_path = {info.path: info for info in affected.values()}
    # The changed units' rows (all of them: their old own figures) and their children's.
    old: dict[int, dict[EvalKey, tuple[int, EvalFigures]]] = defaultdict(dict)
    for row_id, unit_id, key, figures in _eval_cells(school_year, unit_ids=changed):
        old[unit_id][key] = (row_id, figures)
    below: dict[int, UnitFigures] = defaultdict(UnitFigures)  # children's rows, per parent
    parent_of = {info.path: pk for pk, info in changed.items()}
    for _row_id, parent_path, key, figures in _eval_cells(school_year, parent_paths=parent_of):
        below[parent_of[parent_path]].eval[key].add(figures)
    # Each changed unit's own difference, without the cells that change nothing.
    delta: dict[int, dict[EvalKey, EvalFigures]] = {}
    for pk in changed:
        difference: dict[EvalKey, EvalFigures] = defaultdict(EvalFigures)
        recounted = own[pk].eval if pk in own else {}
        stored = old.get(pk, {})
        for key, figures in recounted.items():
            if (
                pk not in below
                and key in stored
                and _same(figures, stored[key][1], pk in same_staff)
            ):
                continue  # (most cells of a changed school: compared, not subtracted)
            difference[key].add(figures)
        for key, (_row_id, figures) in stored.items():
            if key in difference or pk in below or key not in recounted:
                difference[key].add(figures, sign=-1)
        for key, figures in below[pk].eval.items() if pk in below else ():
            difference[key].add(figures)
        for key, cell in list(difference.items()):
            if pk in same_staff:  # its staff was not recounted: "to evaluate" has not moved
                cell.counts["to_evaluate"] = 0
            if cell.is_zero():
                del difference[key]
        delta[pk] = difference
    # Bottom-up: each unit's difference is its own plus its descendants'.
    for info in sorted(affected.values(), key=lambda i: -len(i.path)):
        parent = by_path.get(_parent(info.path))
        if parent is None or not delta.get(info.pk):
            continue
        into = delta.setdefault(parent.pk, {})
        for key, cell in delta[info.pk].items():
            if key in into:
                into[key].add(cell)
            else:
                into[key] = EvalFigures()
                into[key].add(cell)
    # The stored rows of the pairs with a difference: ancestors' read by id, from their keys.
    touched = {pk: cells for pk, cells in delta.items() if cells}
    wanted = [
        row_id
        for row_id, unit_id, *key in EvalCell.objects.filter(
            school_year=school_year, unit_id__in=[pk for pk in touched if pk not in changed]
        ).values_list("pk", "unit_id", "population", "level", "woman", "dtts", "disadvantaged")
        if tuple(key) in touched[unit_id]
    ]
    for row_id, unit_id, key, figures in _eval_cells(school_year, row_ids=wanted):
        old[unit_id][key] = (row_id, figures)
    stale: list[int] = []
    new: dict[int, UnitFigures] = {}
    for pk, cells in touched.items():
        rows = new[pk] = UnitFigures()
        for key, cell in cells.items():
            if key in old.get(pk, {}):
                row_id, stored_cell = old[pk][key]
                stale.append(row_id)
                rows.eval[key] = stored_cell
            rows.eval[key].add(cell)
    for start in range(0, len(stale), 5000):
        EvalCell.objects.filter(pk__in=stale[start : start + 5000]).delete()
    _write(school_year, [affected[pk] for pk in new], new, ("eval",), replace=False)
    return len(affected)


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert summary rows: COPY on PostgreSQL (a deadline-day refresh writes ~100,000),
    bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.wrap_database_errors,  # Django's errors, as for the ORM's statements
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[f.attname]) if f.attname in json_fields else row[f.attname]
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
            # The grouped counts of a refresh (per criterion) spill to disk at the default
            # 4 MB; for this transaction only.
            cursor.execute("SELECT set_config('work_mem', '64MB', true)")


def rebuild(school_year: SchoolYear) -> int:
    """Recount every unit of ``school_year``; returns the number of units with figures.

    Streamed one top-level subtree (a province) at a time: its units' own figures are counted
    by grouped queries restricted to its units, summed bottom-up, written, and forgotten but
    for the province's own subtree figures, which the nation's are summed from at the end. So
    the memory it takes is that of the largest province, not of the country.
    """
    with system_scope(), transaction.atomic():
        started = timezone.now()
        state = _state(school_year, lock=True)
        if state is None:
            return 0  # another rebuild or refresh holds the year; it will be as fresh
        for model in (EvalCell, StaffCell):
            model.objects.filter(school_year=school_year).delete()
        units = _unit_info(None)
        top = 2 * Unit.steplen  # a province's path length
        chunks: dict[str, dict[int, UnitInfo]] = defaultdict(dict)
        roots: dict[int, UnitInfo] = {}
        for info in units.values():
            if len(info.path) < top:
                roots[info.pk] = info
            else:
                chunks[info.path[:top]][info.pk] = info
        del units
        count = 0
        heads: list[tuple[UnitInfo, UnitFigures]] = []  # each province and its figures
        for path in sorted(chunks):
            chunk = chunks.pop(path)
            own = _own(school_year, chunk, everything=False)
            written, head = _sum_and_write(school_year, chunk, own)
            count += written
            if head is not None:
                heads.append(head)
            del own, chunk
        # The top (the nation): its own figures and its provinces' subtree figures.
        count += _sum_tops(school_year, roots, _own(school_year, roots, everything=False), heads)
        if connection.vendor == "postgresql":
            # The year's rows are all new: fresh statistics, or the planner guesses a handful
            # of rows and sorts where it should hash (the report's grouped reads).
            with connection.cursor() as cursor:
                for model in (EvalCell, StaffCell):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        state.refreshed_at = state.rebuilt_at = state.watermark = started
        state.save()
        return count


def _sum_and_write(
    school_year: SchoolYear, chunk: dict[int, UnitInfo], own: dict[int, UnitFigures]
) -> tuple[int, tuple[UnitInfo, UnitFigures] | None]:
    """Sum one province's subtree bottom-up and write the rows of every unit with figures;
    the number written, and the province (the chunk's shortest path) with its figures."""
    affected = {pk: chunk[pk] for pk in own}
    # Every ancestor inside the chunk of a unit with figures.
    by_path = {info.path: info for info in chunk.values()}
    for info in list(affected.values()):
        path = _parent(info.path)
        while path in by_path and by_path[path].pk not in affected:
            affected[by_path[path].pk] = by_path[path]
            path = _parent(path)
    if not affected:
        return 0, None
    subtree = {pk: UnitFigures() for pk in affected}
    for pk, figures in own.items():
        subtree[pk].add(figures)
    own.clear()
    for info in sorted(affected.values(), key=lambda i: -len(i.path)):
        parent = by_path.get(_parent(info.path))
        if parent is not None and parent.pk in subtree:
            subtree[parent.pk].add(subtree[info.pk])
    head = min(affected.values(), key=lambda i: len(i.path))
    _write(school_year, affected.values(), subtree, ("eval", "staff"), replace=False)
    return len(affected), (head, subtree[head.pk])


def _sum_tops(
    school_year: SchoolYear,
    tops: dict[int, UnitInfo],
    own: dict[int, UnitFigures],
    heads: list[tuple[UnitInfo, UnitFigures]],
) -> int:
    """Write the units above the provinces (the nation): their own figures plus the subtree
    figures of the provinces (``heads``, written already)."""
    by_path = {info.path: info for info in tops.values()}
    affected = {pk: tops[pk] for pk in own if pk in tops}
    for info in [*affected.values(), *(head for head, _figures in heads)]:
        path = _parent(info.path)
        while path in by_path:
            affected[by_path[path].pk] = by_path[path]
            path = _parent(path)
    subtree = {pk: UnitFigures() for pk in affected}
    for pk in affected:
        if pk in own:
            subtree[pk].add(own[pk])
    for head, figures in heads:
        parent = by_path.get(_parent(head.path))
        if parent is not None:
            subtree[parent.pk].add(figures)
    for info in sorted(affected.values(), key=lambda i: -len(i.path)):
        parent = by_path.get(_parent(info.path))
        if parent is not None:
            subtree[parent.pk].add(subtree[info.pk])
    _write(school_year, affected.values(), subtree, ("eval", "staff"), replace=False)
    return len(affected)


EVALUATION_ACTIONS = ("evaluation.", "cycle.")
# The models whose records the evaluation and cycle events name (accounts.services.audit).
EVENT_OBJECTS: dict[str, Any] = {"evaluations.evaluation": Evaluation, "evaluations.cycle": Cycle}


@dataclass
class Changes:
    """What the change feed holds for one school year since a time."""

    evaluations: set[int] = field(default_factory=set)  # units whose evaluations changed
    staff: set[int] = field(default_factory=set)  # units whose staff changed
    tree: bool = False  # a unit moved or changed, or an import: recount, don't add deltas


def _other_years(school_year: SchoolYear, named: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Which of the evaluations and cycles ``named`` ({label: object ids}) belong to another
    school year than ``school_year``: (label, id) pairs. One indexed query per model. A record
    no longer there (deleted) is counted in every year, as before."""
    other: set[tuple[str, str]] = set()
    for label, ids in named.items():
        model = EVENT_OBJECTS[label]
        year_field = "cycle__school_year_id" if model is Evaluation else "school_year_id"
        pks = [int(i) for i in ids if i.isdigit()]
        for start in range(0, len(pks), 5000):
            chunk = pks[start : start + 5000]
            for pk, year_id in model.objects.filter(pk__in=chunk).values_list("pk", year_field):
                if year_id != school_year.pk:
                    other.add((label, str(pk)))
    return other


def _changed_units(school_year: SchoolYear, since: dt.datetime) -> Changes:
    """The change feed of ``school_year`` since ``since``.

    Evaluations and colleagues' opinions are of one year; so are the audit events of
    evaluations and cycles, through the record they name: an event of another year's record is
    left out (a current-year finalisation never makes last year's refresh recount its school,
    issue 15). Staff and unit changes are of every year: each year's "to evaluate" is today's
    staff (docs/decisions/0009-reports.md).
    """
    changes = Changes()
    changes.evaluations = set(
        Evaluation.objects.filter(cycle__school_year=school_year, updated_at__gte=since)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    changes.evaluations |= set(
        PeerOpinion.objects.filter(
            evaluation__cycle__school_year=school_year, updated_at__gte=since
        )
        .values_list("evaluation__unit_id", flat=True)
        .distinct()
    )
    changes.staff = set(
        Person.objects.filter(updated_at__gte=since).values_list("unit_id", flat=True).distinct()
    )
    events = AuditEvent.objects.filter(at__gte=since, unit_id__isnull=False)
    evaluation_events: list[tuple[int, str, str]] = []
    for unit_id, action, label, object_id in events.values_list(
        "unit_id", "action", "object_type", "object_id"
    ).distinct():
        if not action.startswith(EVALUATION_ACTIONS):
            changes.staff.add(unit_id)
        elif label in EVENT_OBJECTS:
            evaluation_events.append((unit_id, label, object_id))
        else:
            changes.evaluations.add(unit_id)  # names no record: every year, to be safe
    named: dict[str, set[str]] = defaultdict(set)
    for _unit_id, label, object_id in evaluation_events:
        named[label].add(object_id)
    other = _other_years(school_year, named)
    changes.evaluations |= {
        unit_id
        for unit_id, label, object_id in evaluation_events
        if (label, object_id) not in other
    }
    subtree_roots = list(
        events.filter(action__in=SUBTREE_ACTIONS).values_list("unit__path", flat=True).distinct()
    )
    if subtree_roots:
        changes.tree = True
        query = Q()
        for path in subtree_roots:
            query |= Q(path__startswith=path)
        changes.staff |= set(Unit.objects.filter(query).values_list("pk", flat=True))
    return changes


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
            changes = _changed_units(school_year, since)
            count = _apply(school_year, changes) if changes.evaluations or changes.staff else 0
            locked.refreshed_at = locked.watermark = started
            locked.save(update_fields=["refreshed_at", "watermark"])
            return count


def _apply(school_year: SchoolYear, changes: Changes) -> int:
    """Rewrite the rows the changes touch; the number of units rewritten.

    A staff change moves "to evaluate" too: its units' evaluation rows are redone. An
    evaluation change leaves the staff rows as they are (the bulk of a deadline-day refresh).
    """
    eval_changed = _unit_info(changes.evaluations | changes.staff)
    staff_changed = {pk: eval_changed[pk] for pk in changes.staff if pk in eval_changed}
    if changes.tree:
        # Paths may have moved under the stored rows: recount the units and their ancestors
        # from their unchanged children's rows instead of adding differences.
        eval_units = _with_ancestors(eval_changed)
        staff_units = _with_ancestors(staff_changed) if staff_changed else {}
        own = _own(school_year, {**eval_units, **staff_units}, everything=False)
        count = _roll_up(school_year, eval_units, own, parts=("eval",))
        if staff_units:
            _roll_up(school_year, staff_units, own, parts=("staff",))
        return count
    # Units whose evaluations only changed keep their staff, so their "to evaluate": their
    # staff is not recounted and the difference leaves that figure alone.
    own = _own(school_year, eval_changed, everything=False, staff_of=staff_changed)
    same_staff = set(eval_changed) - set(staff_changed)
    count = _apply_eval_deltas(school_year, eval_changed, own, same_staff=same_staff)
    if staff_changed:
        _apply_deltas(school_year, staff_changed, own, parts=("staff",))
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
