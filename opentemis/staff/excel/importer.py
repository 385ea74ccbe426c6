"""The staff import: rows resolved against the database, checked and written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import perm_paths, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.db import column_of
from opentemis.core.imports.flow import ImportRun, run_import
from opentemis.core.imports.issues import Issues
from opentemis.core.imports.reader import FileRejected
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.core.text import fold
from opentemis.orgs.models import Unit
from opentemis.staff.ethnicities import is_minority
from opentemis.staff.excel import results
from opentemis.staff.excel.columns import BATCH, COLUMN_BY_KEY, HELP_SHEET, PERSON_FIELDS
from opentemis.staff.excel.parsing import _Row
from opentemis.staff.excel.reader import read_rows
from opentemis.staff.excel.results import ImportResult
from opentemis.staff.models import Assignment, EmploymentStatus, Person, SubjectGroup
from opentemis.staff.services import search_text_for

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Applying rows to the database
# ---------------------------------------------------------------------------------------------


@dataclass
class _Existing:
    """A person already recorded under a staff code in the file (values as stored)."""

    pk: int
    unit_id: int
    unit_path: str
    unit_name: str
    subject_group_id: int | None
    version: int
    values: dict[str, Any]


@dataclass
class _Plan:
    """What one valid row will do: create a person, update one, or leave one as it is."""

    row: _Row
    existing: _Existing | None
    unit_id: int
    values: dict[str, Any]  # every PERSON_FIELDS value plus subject_group_id, after the row
    positions: frozenset[int] | None  # None: links stay as they are
    subjects: frozenset[int] | None
    new_group: tuple[int, str] | None = None  # (unit id, folded name) of a group to create
    moved: bool = False
    changed: bool = True
    person_id: int = 0  # the existing person's id, or the new one's once inserted
    unit_path: str = ""  # the target unit's path, copied onto the person (set in _write)


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reach(actor: User, perm: str) -> Callable[[str], bool]:
    """A fast ``has_perm_on`` for many rows: the prefixes are computed once."""
    paths = perm_paths(actor, perm)
    if paths is None:
        return lambda path: True
    return lambda path: any(path.startswith(p) for p in paths)


def _load_existing(codes: list[str], lock: bool) -> dict[str, _Existing]:
    """Everyone already holding one of ``codes``, wherever they work.

    Staff codes are unique nationally, so a code used in another province must be found (and
    refused) rather than collide on insert: this lookup runs in the system scope on purpose and
    only the actor-reachable records' values are ever used.
    """
    found: dict[str, _Existing] = {}
    names = [
        "id",
        "staff_code",
        "unit_id",
        "unit__path",
        "unit__name",
        "subject_group_id",
        "version",
        *PERSON_FIELDS,
    ]
    with system_scope():
        for chunk in _chunks(codes):
            qs = Person.objects.filter(staff_code__in=chunk)
            if lock:
                qs = qs.select_for_update(of=("self",))
            for values in qs.values_list(*names):
                record = dict(zip(names, values, strict=True))
                found[record["staff_code"]] = _Existing(
                    pk=record["id"],
                    unit_id=record["unit_id"],
                    unit_path=record["unit__path"],
                    unit_name=record["unit__name"],
                    subject_group_id=record["subject_group_id"],
                    version=record["version"],
                    values={name: record[name] for name in PERSON_FIELDS},
                )
    return found


def _load_links(
    through: type[Model], column: str, person_ids: list[int]
) -> dict[int, frozenset[int]]:
    links: dict[int, set[int]] = {pk: set() for pk in person_ids}
    for chunk in _chunks(person_ids):
        for person_id, other_id in through._default_manager.filter(person_id__in=chunk).values_list(
            "person_id", column
        ):
            links[person_id].add(other_id)
    return {pk: frozenset(ids) for pk, ids in links.items()}


def staff_import(
    *,
    actor: User,
    unit: Unit,
    file: Any,
    dry_run: bool = False,
    partial: bool = False,
) -> ImportResult:
    """Import a staff spreadsheet into ``unit``'s subtree; see the package docstring.

    ``file`` is a path, bytes or a binary file object (an ``UploadedFile``). By default the
    import is all-or-nothing; ``partial=True`` writes the valid rows and reports the others.
    Rows are matched to people by staff code: new codes are created, known codes are updated
    (empty cells keep the recorded value), identical rows are left untouched. ``dry_run``
    checks the file and counts what it would do, writing nothing.
    """
    require_perm_on(actor, Perm.IMPORT_STAFF, unit.path)
    result = ImportResult(dry_run=dry_run)

    def check(run: ImportRun) -> list[_Plan]:
        result.file_name = run.source.name
        rows, result.rows = read_rows(run.source, run.issues)
        if not rows:
            raise FileRejected(
                _(
                    "The file has no data rows under the header. Fill in one row per person "
                    "and upload it again."
                )
            )
        plans = _plan(actor=actor, unit=unit, rows=rows, issues=run.issues, lock=run.lock)
        result.skipped = len(run.issues.bad_rows)
        result.created = sum(1 for p in plans if p.existing is None)
        result.updated = sum(1 for p in plans if p.existing is not None and p.changed)
        result.unchanged = sum(1 for p in plans if p.existing is not None and not p.changed)
        result.transferred = sum(1 for p in plans if p.moved)
        return plans

    def write(plans: list[_Plan]) -> bool:
        if not result.to_save:
            return False  # a file identical to the records leaves no trace, not even an audit
        _write(actor=actor, plans=plans, result=result)
        audit(
            actor=actor,
            action="staff.import",
            unit=unit,
            changes={**result.counts(), "file": Path(result.file_name).name[-200:]},
        )
        return True

    with actor_scope(actor):
        outcome = run_import(
            file=file,
            check=check,
            write=write,
            dry_run=dry_run,
            partial=partial,
            cap=results.ERROR_CAP,  # read at each import (a test lowers it)
            conflict_message=_(
                "Some of these people were saved by someone else while the file was being "
                "imported, so nothing was saved. Import the file again."
            ),
        )
    result.written = outcome.written
    result.file_name = outcome.file_name
    result.errors = outcome.issues
    result.errors_truncated = outcome.truncated
    return result


def _plan(*, actor: User, unit: Unit, rows: list[_Row], issues: Issues, lock: bool) -> list[_Plan]:
    """Resolve every row against the database; returns the plans of the rows without errors."""
    can_change = _reach(actor, Perm.CHANGE_STAFF)
    units = {
        code.upper(): (pk, path, name)
        for pk, code, path, name in Unit.objects.filter(path__startswith=unit.path).values_list(
            "id", "code", "path", "name"
        )
    }
    existing = _load_existing([r.staff_code for r in rows if r.staff_code], lock=lock)
    reachable = [e.pk for e in existing.values() if can_change(e.unit_path)]
    positions = _load_links(Person.positions.through, "position_id", reachable)
    subjects = _load_links(Person.subjects.through, "subject_id", reachable)
    group_units = {unit.pk} | {e.unit_id for e in existing.values()}
    group_units |= {
        units[r.unit_code.upper()][0] for r in rows if r.unit_code and r.unit_code.upper() in units
    }
    groups = {
        (unit_id, fold(name)): pk
        for pk, unit_id, name in SubjectGroup.objects.filter(unit_id__in=group_units).values_list(
            "id", "unit_id", "name"
        )
    }
    plans: list[_Plan] = []
    for row in rows:
        person = existing.get(row.staff_code) if row.staff_code else None
        target = (
            _target_unit(row, person, unit, units, can_change, issues) if row.staff_code else None
        )
        if target is None:
            continue
        if person is None:
            missing = [
                k for k in ("full_name", "gender") if k not in row.fields and k not in row.invalid
            ]
            for key in missing:
                issues.add(
                    _("a new person needs this value; fill it in."),
                    row=row.number,
                    column=COLUMN_BY_KEY[key].header,
                )
            if missing or row.invalid & {"full_name", "gender"}:
                continue
        if issues.is_bad(row.number):
            continue
        moved = person is not None and person.unit_id != target
        values = dict(person.values) if person is not None else dict(NEW_PERSON)
        values.update(row.fields)
        new_group = None
        if row.group_name is not None:
            group_key = (target, fold(row.group_name))
            values["subject_group_id"] = groups.get(group_key)
            new_group = group_key if group_key not in groups else None
        elif person is not None and not moved:
            values["subject_group_id"] = person.subject_group_id
        else:
            values["subject_group_id"] = None  # a group belongs to a school: moving leaves it
        plan = _Plan(
            row=row,
            existing=person,
            unit_id=target,
            values=values,
            positions=row.positions,
            subjects=row.subjects,
            new_group=new_group,
            moved=moved,
            person_id=person.pk if person else 0,
        )
        if person is not None:
            if plan.positions == positions[person.pk]:
                plan.positions = None  # unchanged links are not rewritten
            if plan.subjects == subjects[person.pk]:
                plan.subjects = None
            plan.changed = (
                moved
                or new_group is not None
                or plan.positions is not None
                or plan.subjects is not None
                or values["subject_group_id"] != person.subject_group_id
                or any(values[name] != person.values[name] for name in PERSON_FIELDS)
            )
        plans.append(plan)
    return [p for p in plans if not issues.is_bad(p.row.number)]


NEW_PERSON: dict[str, Any] = {
    "full_name": "",
    "gender": "",
    "date_of_birth": None,
    "ethnicity": "01",
    "phone": "",
    "email": "",
    "qualification": "",
    "employment_status": EmploymentStatus.WORKING.value,
}


def _target_unit(
    row: _Row,
    person: _Existing | None,
    unit: Unit,
    units: dict[str, tuple[int, str, str]],
    can_change: Callable[[str], bool],
    issues: Issues,
) -> int | None:
    """The id of the unit the row's person will belong to, or None after recording why not."""
    code_header = COLUMN_BY_KEY["staff_code"].header
    unit_header = COLUMN_BY_KEY["unit_code"].header
    if person is not None and not can_change(person.unit_path):
        issues.add(
            _(
                "the staff code «%(value)s» already belongs to a person managed by another "
                "unit; check the code, or ask that unit to transfer the person."
            )
            % {"value": row.staff_code},
            row=row.number,
            column=code_header,
            value=row.staff_code,
        )
        return None
    if row.unit_code is not None:
        target = units.get(row.unit_code.upper())
        if target is None:
            issues.add(
                _(
                    "«%(value)s» is not the code of a unit in %(unit)s; use a unit code listed "
                    "in the sheet «%(sheet)s», or leave the cell empty for %(unit)s itself."
                )
                % {"value": row.unit_code, "unit": unit.name, "sheet": HELP_SHEET},
                row=row.number,
                column=unit_header,
                value=row.unit_code,
            )
            return None
    elif person is not None:
        target = (person.unit_id, person.unit_path, person.unit_name)
        if not person.unit_path.startswith(unit.path):
            issues.add(
                _(
                    "this person works at %(current)s, outside %(unit)s; to move them here, "
                    "enter the code of their new unit in this column."
                )
                % {"current": person.unit_name, "unit": unit.name},
                row=row.number,
                column=unit_header,
            )
            return None
    else:
        target = (unit.pk, unit.path, unit.name)
    if not can_change(target[1]):
        issues.add(
            _(
                "you may not change the staff of %(unit)s; ask an administrator of that unit to "
                "import this row."
            )
            % {"unit": target[2]},
            row=row.number,
            column=unit_header,
            value=row.unit_code,
        )
        return None
    return target[0]


def _write(*, actor: User, plans: list[_Plan], result: ImportResult) -> None:
    """Write the plans with prepared statements run with ``executemany``.

    These bypass the ORM's save path and the scoped manager on purpose: every row was checked
    against the actor's CHANGE_STAFF reach in ``_plan``, and the ORM's per-object work was most of
    the time (``bulk_update`` alone took 40 s for 5,000 rows on SQLite; ``bulk_create`` compiles
    every value). Identifiers come from the models' metadata; every value is a bound parameter.
    """
    ops = connection.ops
    today = ops.adapt_datefield_value(timezone.localdate())
    now = ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    changed = [p for p in plans if p.existing is not None and p.changed]
    new_plans = [p for p in plans if p.existing is None]
    result.groups_created = _create_groups(plans)
    unit_paths = dict(
        Unit.dangerously_unscoped.filter(pk__in={p.unit_id for p in plans}).values_list(
            "id", "path"
        )
    )
    for plan in plans:
        plan.unit_path = unit_paths[plan.unit_id]

    _dangerously_execute_many(
        _insert_sql(Person, ["staff_code", *PERSON_ROW, "version", "created_at", "updated_at"]),
        [[p.row.staff_code, *_person_row(p), 1, now, now] for p in new_plans],
    )
    ids: dict[str, int] = {}
    for chunk in _chunks([p.row.staff_code for p in new_plans]):
        ids.update(Person.objects.filter(staff_code__in=chunk).values_list("staff_code", "id"))
    for plan in new_plans:
        plan.person_id = ids[plan.row.staff_code]

    quote = ops.quote_name
    version = quote("version")
    assignments = ", ".join(f"{quote(column_of(Person, n))} = %s" for n in PERSON_ROW)
    _dangerously_execute_many(
        f"UPDATE {quote(Person._meta.db_table)} SET {assignments}, "  # noqa: S608
        f"{quote('updated_at')} = %s, {version} = {version} + 1 WHERE {quote('id')} = %s",
        [[*_person_row(p), now, p.person_id] for p in changed],
    )

    for attr, through, column in (
        ("positions", Person.positions.through, "position_id"),
        ("subjects", Person.subjects.through, "subject_id"),
    ):
        touched = [p.person_id for p in changed if getattr(p, attr) is not None]
        for chunk in _chunks(touched):
            through.objects.filter(person_id__in=chunk).delete()
        links = [
            [p.person_id, pk]
            for p in [*new_plans, *changed]
            for pk in sorted(getattr(p, attr) or ())
        ]
        _dangerously_execute_many(
            _insert_sql(through, ["person", column.removesuffix("_id")]), links
        )

    # History: new people start an assignment today; moved people close theirs and open one.
    moved = [p for p in changed if p.moved]
    for chunk in _chunks([p.person_id for p in moved]):
        Assignment.objects.filter(person_id__in=chunk, end_date__isnull=True).update(end_date=today)
    note = _("Moved by a staff import")
    _dangerously_execute_many(
        _insert_sql(Assignment, ["person", "unit", "start_date", "note", "recorded_by"]),
        [[p.person_id, p.unit_id, today, "", actor_id] for p in new_plans]
        + [[p.person_id, p.unit_id, today, note, actor_id] for p in moved],
    )


# Person columns written from a plan, in this order (see _person_row).
PERSON_ROW = [*PERSON_FIELDS, "search_text", "is_dtts", "unit", "unit_path", "subject_group"]


def _person_row(plan: _Plan) -> list[Any]:
    values = plan.values
    born = values["date_of_birth"]
    row = [values[name] for name in PERSON_FIELDS]
    row[PERSON_FIELDS.index("date_of_birth")] = (
        connection.ops.adapt_datefield_value(born) if born else None
    )
    return [
        *row,
        search_text_for(values["full_name"], plan.row.staff_code),
        is_minority(values["ethnicity"]),
        plan.unit_id,
        plan.unit_path,
        values["subject_group_id"],
    ]


def _insert_sql(model: type[Model], names: list[str]) -> str:
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column_of(model, name)) for name in names)
    marks = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608


def _dangerously_execute_many(sql: str, params: list[list[Any]]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(params):
            cursor.executemany(sql, chunk)


def _create_groups(plans: list[_Plan]) -> int:
    """Subject groups named in the file but missing in their school are created once each."""
    wanted: dict[tuple[int, str], str] = {}
    for plan in plans:
        if plan.new_group is not None and plan.row.group_name:
            wanted.setdefault(plan.new_group, plan.row.group_name)
    if not wanted:
        return 0
    created = SubjectGroup.objects.bulk_create(
        [SubjectGroup(unit_id=unit_id, name=name) for (unit_id, _key), name in wanted.items()]
    )
    ids = {(g.unit_id, fold(g.name)): g.pk for g in created}
    for plan in plans:
        if plan.new_group is not None:
            plan.values["subject_group_id"] = ids[plan.new_group]
    return len(created)
