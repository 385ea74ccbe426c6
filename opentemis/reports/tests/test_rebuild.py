"""The streamed rebuild (one province at a time) and the refresh by differences store exactly
what a straightforward recount of the raw rows gives: every count, rating, per-criterion level,
training need and BDTX module, and every staff margin."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import LOCKED_STATUSES, Evaluation, TrainingNeed
from opentemis.orgs.models import Unit
from opentemis.reports import refresh
from opentemis.reports.models import EvalCell, StaffCell
from opentemis.reports.tests.test_refresh import (
    finalise,
    finalise_principal,
    population,
    preschool_school,
    recount,
)
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.standards.frameworks import modules_for
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LEVELS = ["ChuaDat", "Dat", "Kha", "Tot"]
COLUMNS = (
    "to_evaluate",
    "started",
    "self_evaluated",
    "opinions",
    "finalised",
    "rating_chuadat",
    "rating_dat",
    "rating_kha",
    "rating_tot",
)


def eval_rows(year: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Every stored evaluation row, all columns, by unit and breakdown key."""
    with system_scope():
        return {
            (c.unit_id, c.population, c.level, c.woman, c.dtts, c.disadvantaged): (
                *(getattr(c, name) for name in COLUMNS),
                c.criteria,
                c.needs,
                c.modules,
                c.unit_path,
                c.parent_path,
            )
            for c in EvalCell.objects.filter(school_year=year)
        }


def staff_rows(year: Any) -> Counter[tuple[Any, ...]]:
    """Every stored staff row (they have no unique key: counted)."""
    with system_scope():
        return Counter(
            StaffCell.objects.filter(school_year=year).values_list(
                "unit_id",
                "population",
                "level",
                "woman",
                "dtts",
                "disadvantaged",
                "dimension",
                "key",
                "count",
                "unit_path",
                "parent_path",
            )
        )


def maps_recount(year: Any) -> dict[int, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """Per unit subtree and key: (criteria, needs, modules), from the raw rows, written out
    here independently of reports.refresh."""
    result: dict[int, dict[tuple[Any, ...], Any]] = {}
    with system_scope():
        info = {}
        units = list(Unit.objects.all())
        for unit in units:
            levels = sorted(unit.levels.all(), key=lambda lvl: lvl.order)
            info[unit.pk] = (levels[0].code if levels else "", unit.disadvantaged_area)
        latest = {
            e.person_id: e
            for e in Evaluation.objects.filter(cycle__school_year=year)
            .select_related("person", "framework")
            .order_by("id")
        }
        needs = defaultdict(list)
        for need in TrainingNeed.objects.all():
            needs[need.evaluation_id].append(need.criterion)
    for unit in units:
        maps: dict[tuple[Any, ...], Any] = {}
        for e in latest.values():
            if e.status not in LOCKED_STATUSES or not e.unit_path.startswith(unit.path):
                continue
            level, disadvantaged = info[e.unit_id]
            key = (
                population(e.kind == "manager", level),
                level,
                e.person.gender == "F",
                e.person.is_dtts,
                disadvantaged,
            )
            criteria, need_map, modules = maps.setdefault(key, ({}, {}, {}))
            for number, code in e.review_levels.items():
                criteria.setdefault(str(number), [0, 0, 0, 0])[LEVELS.index(code)] += 1
            for criterion in needs[e.pk]:
                need_map[str(criterion)] = need_map.get(str(criterion), 0) + 1
                for module in modules_for(e.framework.code, criterion):
                    modules[module] = modules.get(module, 0) + 1
        if maps:
            result[unit.pk] = maps
    return result


def staff_recount() -> Counter[tuple[Any, ...]]:
    """Working staff in evaluated positions per unit subtree, by (dimension "level", key), and
    per dimension in all: written out here from the raw rows."""
    evaluated = ("GV", "TTCM", "TPCM", "TPT", "HT", "PHT")
    counts: Counter[tuple[Any, ...]] = Counter()
    with system_scope():
        units = list(Unit.objects.all())
        level_of = {}
        for unit in units:
            levels = sorted(unit.levels.all(), key=lambda lvl: lvl.order)
            level_of[unit.pk] = levels[0].code if levels else ""
        people = [
            p
            for p in Person.objects.filter(employment_status="working")
            if any(pos.code in evaluated for pos in p.positions.all())
        ]
    for unit in units:
        for p in people:
            if p.unit_path.startswith(unit.path):
                counts[(unit.pk, "level", level_of[p.unit_id])] += 1
                for dimension in ("position", "age_band", "qualification"):
                    counts[(unit.pk, dimension, "*")] += 1
    return counts


def staff_stored(year: Any) -> Counter[tuple[Any, ...]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for row, n in staff_rows(year).items():
        unit_id, dimension, key, count = row[0], row[6], row[7], row[8]
        counts[(unit_id, dimension, key if dimension == "level" else "*")] += count * n
    return counts


def stored_counts(year: Any) -> dict[int, dict[tuple[Any, ...], tuple[int, ...]]]:
    """The columns test_refresh.recount gives (started, not opinions), by unit."""
    result: dict[int, dict[tuple[Any, ...], tuple[int, ...]]] = defaultdict(dict)
    for key, row in eval_rows(year).items():
        counts = dict(zip(COLUMNS, row, strict=False))
        result[key[0]][key[1:]] = (
            counts["to_evaluate"],
            counts["started"],
            counts["self_evaluated"],
            counts["finalised"],
            counts["rating_chuadat"],
            counts["rating_dat"],
            counts["rating_kha"],
            counts["rating_tot"],
        )
    return dict(result)


def stored_maps(year: Any) -> dict[int, dict[tuple[Any, ...], tuple[Any, ...]]]:
    result: dict[int, dict[tuple[Any, ...], Any]] = defaultdict(dict)
    for key, row in eval_rows(year).items():
        criteria, needs, modules = row[len(COLUMNS) : len(COLUMNS) + 3]
        if criteria or needs or modules:
            result[key[0]][key[1:]] = (criteria, needs, modules)
    return dict(result)


def dataset(ev: Any) -> None:
    """Both provinces, a preschool, a commune with its own staff, all kinds of results."""
    preschool = preschool_school(ev)
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha", c3="Dat", c7="ChuaDat"))
    finalise(ev, preschool.teacher, ev.levels("Dat", c2="Tot"))
    finalise_principal(ev, preschool.principal)
    ev.submitted(user=ev.colleague)
    with system_scope():
        PersonFactory(unit=ev.w.school_b1, gender="F", ethnicity="02", staff_code="GVB1X")
        PersonFactory(unit=ev.w.commune_a, gender="F", staff_code="GVXA")


def check(year: Any) -> None:
    assert stored_counts(year) == recount(year)
    maps = stored_maps(year)
    assert maps == maps_recount(year)
    assert maps  # there are criteria, needs and modules to compare
    assert staff_stored(year) == staff_recount()


def test_the_streamed_rebuild_equals_a_recount_of_the_raw_rows(ev):
    dataset(ev)
    refresh.rebuild(ev.w.year)
    check(ev.w.year)
    with system_scope():  # every row carries its unit's path and its parent's
        for cell in EvalCell.objects.filter(school_year=ev.w.year).select_related("unit"):
            assert cell.unit_path == cell.unit.path
            assert cell.parent_path == cell.unit.path[: -Unit.steplen]


def test_the_rebuild_counts_one_province_at_a_time(ev, monkeypatch):
    """Streaming: each query for own figures covers one province's units (or the top), so
    what is held in memory is one province's, never the country's."""
    dataset(ev)
    calls: list[set[str]] = []
    real = refresh._own

    def spy(school_year: Any, units: dict[int, Any], everything: bool) -> Any:
        assert not everything
        calls.append({info.path[: 2 * Unit.steplen] for info in units.values()})
        return real(school_year, units, everything)

    monkeypatch.setattr(refresh, "_own", spy)
    refresh.rebuild(ev.w.year)
    provinces = {ev.w.province_a.path, ev.w.province_b.path}
    assert [c for c in calls if len(c) != 1] == []  # one province (or the nation) per query
    assert provinces <= set().union(*calls)
    check(ev.w.year)


def test_a_refresh_by_differences_stores_what_a_rebuild_stores(ev):
    """After finalisations, a reopening, a transfer and new staff, the refreshed rows are the
    rebuilt rows, column by column (JSON maps with no zero left over)."""
    from opentemis.staff.services import person_transfer

    year = ev.w.year
    refresh.rebuild(year)
    dataset(ev)
    refresh.refresh(year)
    check(year)
    with system_scope():
        evaluation = Evaluation.objects.get(person=ev.w.person_a1)
        services.evaluation_reopen(actor=ev.w.officer_a, evaluation=evaluation, reason="Nhầm")
        person = Person.objects.get(pk=ev.w.person_a2.pk)
        person_transfer(actor=ev.w.officer_a, person=person, to_unit=ev.w.school_a1)
    refresh.refresh(year)
    check(year)
    refreshed = (eval_rows(year), staff_rows(year))
    refresh.rebuild(year)
    assert (eval_rows(year), staff_rows(year)) == refreshed


def cells_by_key(year: Any) -> dict[tuple[Any, ...], tuple[int, tuple[Any, ...]]]:
    """Every stored evaluation row: its id and values, by unit and breakdown key."""
    values = eval_rows(year)
    with system_scope():
        ids = {
            (c.unit_id, c.population, c.level, c.woman, c.dtts, c.disadvantaged): c.pk
            for c in EvalCell.objects.filter(school_year=year)
        }
    return {key: (ids[key], row) for key, row in values.items()}


def test_a_refresh_rewrites_only_the_cells_a_change_moves(ev):
    """A finalisation moves one breakdown cell of its school and of each ancestor: those rows
    are rewritten, every other row (the ancestors' other cells included) is left as it was,
    and the result is still the rebuilt one."""
    dataset(ev)
    year = ev.w.year
    refresh.rebuild(year)
    before = cells_by_key(year)
    with system_scope():  # the colleague's submitted evaluation (dataset), finalised
        evaluation = Evaluation.objects.get(person=ev.colleague.person)
        assert evaluation.unit_id == ev.w.school_a1.pk
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot", c2="Dat"),
        )
    refresh.refresh(year)
    check(year)
    after = cells_by_key(year)
    school = ev.w.school_a1
    with system_scope():
        ancestors = {u.pk for u in Unit.objects.all() if school.path.startswith(u.path)}
    moved = {key for key in after if key not in before or after[key][1] != before[key][1]}
    # The school's cell and one cell of each ancestor, no other.
    assert {key[0] for key in moved} == ancestors
    assert len(moved) == len(ancestors)
    for key, (pk, row) in before.items():
        if key not in moved:
            assert after[key] == (pk, row)  # not rewritten
    # Ancestors have other cells (the preschool's, the other province's), left alone.
    assert any(key[0] in ancestors and key not in moved for key in before)
    refreshed = eval_rows(year)
    refresh.rebuild(year)
    assert eval_rows(year) == refreshed


def test_a_refresh_that_empties_a_cell_deletes_its_rows(ev):
    """A cell's only person leaves before being evaluated: the rows of that cell are deleted
    from the school and every ancestor where it was the only one (no row of zeros is left),
    as after a rebuild."""
    year = ev.w.year
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha", c3="Dat"))
    refresh.rebuild(year)
    before = set(eval_rows(year))
    with system_scope():
        person = PersonFactory(unit=ev.w.school_b1, gender="F", ethnicity="02", staff_code="GVL")
    refresh.refresh(year)
    check(year)
    added = set(eval_rows(year)) - before
    assert ev.w.school_b1.pk in {key[0] for key in added}  # a new cell, school and ancestors
    with system_scope():
        person.employment_status = EmploymentStatus.RETIRED
        person.save()
    refresh.refresh(year)
    check(year)
    assert set(eval_rows(year)) == before  # the new cells are gone again
    refreshed = eval_rows(year)
    refresh.rebuild(year)
    assert eval_rows(year) == refreshed
