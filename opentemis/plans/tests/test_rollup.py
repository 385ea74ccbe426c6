"""Roll-ups of BDTX plans (issue 12 items 4 and 7): every figure equals a recount done in
Python over the rows themselves, on several random datasets; and a unit out of reach is a 404."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from opentemis.core.scoping import system_scope
from opentemis.orgs.models import Unit
from opentemis.plans import rollup
from opentemis.plans.models import (
    EntrySource,
    EntryStatus,
    LedgerEntry,
    Outcome,
    Plan,
    PlanItem,
    PlanStatus,
    StudyForm,
    YearResult,
)
from opentemis.staff.models import Person
from opentemis.training.models import Module, Programme, ProgrammeContent, Title
from opentemis.training.services import load_builtin_catalogues
from tests.factories import PersonFactory, make_unit

pytestmark = pytest.mark.django_db

TEACHER_TITLES = (Title.GV_TH, Title.GV_THCS, Title.GV_THPT, Title.CBQL_PT)


@dataclass
class Dataset:
    people: list[Person]
    schools: list[Unit]


def build_dataset(w: Any, seed: int, size: int = 36) -> Dataset:
    """Random people in five schools (one more in commune A, one in a new commune), with random
    plans, items, forms, ledger entries and results."""
    rng = random.Random(seed)
    with system_scope():
        load_builtin_catalogues(school_year=w.year)
        extra_commune = make_unit("Xã Hòa Bình", parent=w.province_a, kind="commune")
        schools = [
            w.school_a1,
            w.school_a2,
            w.school_b1,
            make_unit("Trường Tiểu học Hòa Lạc", parent=w.commune_a, levels=("TH",)),
            make_unit(
                "Trường THCS Hòa Bình",
                parent=extra_commune,
                levels=("THCS",),
                disadvantaged_area=True,
            ),
        ]
        modules = list(Module.objects.filter(audience="GV")[:8])
        contents = [
            ProgrammeContent.objects.create(
                school_year=w.year, programme=Programme.P01, code="CT01-R", title="Năm học"
            ),
            ProgrammeContent.objects.create(
                school_year=w.year,
                programme=Programme.P02,
                unit=w.province_a,
                code="SA-R",
                title="Địa phương",
            ),
        ]
        people = [
            PersonFactory(
                unit=rng.choice(schools),
                gender=rng.choice("FM"),
                ethnicity=rng.choice(["01", "01", "02", "04"]),
                employment_status=rng.choice(["working"] * 5 + ["retired"]),
            )
            for _ in range(size)
        ]
        plans = []
        for person in people:
            if rng.random() < 0.2:
                continue  # no plan yet
            plans.append(
                Plan(
                    person=person,
                    school_year=w.year,
                    unit=person.unit,
                    unit_path=person.unit_path,
                    title=rng.choice(TEACHER_TITLES),
                    status=rng.choice(PlanStatus.values),
                )
            )
        Plan.objects.bulk_create(plans)
        items = []
        for plan in plans:
            for content in contents:
                if rng.random() < 0.8:
                    items.append(
                        PlanItem(
                            plan=plan,
                            programme=content.programme,
                            content=content,
                            hours=40,
                            form=rng.choice(StudyForm.values),
                        )
                    )
            for module in rng.sample(modules, rng.randint(0, 4)):
                items.append(
                    PlanItem(
                        plan=plan,
                        programme=Programme.P03,
                        module=module,
                        hours=10,
                        form=rng.choice(StudyForm.values),
                        starts=dt.date(2025, rng.randint(9, 12), rng.randint(1, 28)),
                    )
                )
        PlanItem.objects.bulk_create(items)
        entries, results = [], []
        for i, person in enumerate(people):
            for _ in range(rng.randint(0, 3)):
                entries.append(
                    LedgerEntry(
                        person=person,
                        school_year=w.year,
                        unit_path=person.unit_path,
                        programme=rng.choice(Programme.values),
                        source=EntrySource.SCHOOL,
                        hours=Decimal(rng.randint(1, 40)) / 2,
                        date=dt.date(2025, 10, 1),
                        description="Sinh hoạt chuyên môn",
                        status=rng.choice(EntryStatus.values),
                        external_ref=f"r{seed}-{i}-{len(entries)}",
                    )
                )
            if rng.random() < 0.5:
                results.append(
                    YearResult(
                        person=person,
                        school_year=w.year,
                        unit=person.unit,
                        unit_path=person.unit_path,
                        outcome=rng.choice(Outcome.values),
                    )
                )
        LedgerEntry.objects.bulk_create(entries)
        YearResult.objects.bulk_create(results)
    return Dataset(people=people, schools=schools)


def recount_needs(unit: Unit, year: Any, statuses: tuple[str, ...]) -> dict[Any, Any]:
    """(programme, module, content) -> {"people"|form|title: [5 sub-columns]} by hand."""
    out: dict[Any, Any] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))
    items = PlanItem.objects.select_related("plan__person", "plan__unit").filter(
        plan__school_year=year
    )
    for item in items:
        plan = item.plan
        if not plan.unit_path.startswith(unit.path) or plan.status not in statuses:
            continue
        woman = plan.person.gender == "F"
        dtts = plan.person.is_dtts
        flags = [True, woman, dtts, woman and dtts, plan.unit.disadvantaged_area]
        for group in ("people", item.form, plan.title):
            cell = out[(item.programme, item.module_id, item.content_id)][group]
            for i, flag in enumerate(flags):
                cell[i] += 1 if flag else 0
    return out


def as_recount(needs: rollup.Needs) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for row in needs.rows:
        groups = {"people": row.people.values()}
        groups.update({f: c.values() for f, c in row.by_form.items() if c.total})
        groups.update({t: c.values() for t, c in row.by_title.items()})
        out[row.key] = groups
    return out


def recount_children(unit: Unit, year: Any) -> dict[str, dict[str, Any]]:
    """Child path -> people, plans per status, confirmed hours, completed, not completed."""
    width = len(unit.path) + Unit.steplen
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "people": 0,
            "plans": defaultdict(int),
            "hours": defaultdict(Decimal),
            "done": 0,
            "not": 0,
        }
    )
    for person in Person.objects.all():
        if person.unit_path.startswith(unit.path) and person.employment_status == "working":
            out[person.unit_path[:width]]["people"] += 1
    for plan in Plan.objects.filter(school_year=year):
        if plan.unit_path.startswith(unit.path):
            out[plan.unit_path[:width]]["plans"][plan.status] += 1
    for entry in LedgerEntry.objects.filter(school_year=year):
        if entry.unit_path.startswith(unit.path) and entry.status == EntryStatus.CONFIRMED:
            out[entry.unit_path[:width]]["hours"][entry.programme] += entry.hours
    for result in YearResult.objects.filter(school_year=year):
        if result.unit_path.startswith(unit.path):
            key = "done" if result.outcome == Outcome.COMPLETED else "not"
            out[result.unit_path[:width]][key] += 1
    return out


def _figures(row: rollup.UnitFigures) -> tuple[Any, ...]:
    return (
        row.people,
        {s: n for s, n in row.plans.items() if n},
        {p: h for p, h in row.hours.items() if h},
        row.completed,
        row.not_completed,
    )


def _expected(counted: dict[str, Any]) -> tuple[Any, ...]:
    return (
        counted["people"],
        {s: n for s, n in counted["plans"].items() if n},
        {p: h for p, h in counted["hours"].items() if h},
        counted["done"],
        counted["not"],
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_rollups_equal_a_recount_over_the_rows(world: Any, seed: int) -> None:
    data = build_dataset(world, seed)
    with system_scope():
        units = [world.nation, world.province_a, world.commune_a, world.province_b, *data.schools]
        for unit in units:
            for submitted, statuses in (
                (False, (PlanStatus.APPROVED,)),
                (True, (PlanStatus.SUBMITTED, PlanStatus.APPROVED)),
            ):
                needs = rollup.needs_read(
                    unit=unit, school_year=world.year, include_submitted=submitted
                )
                assert as_recount(needs) == recount_needs(unit, world.year, statuses), unit.name
                plans = [
                    p
                    for p in Plan.objects.filter(school_year=world.year)
                    if p.unit_path.startswith(unit.path) and p.status in statuses
                ]
                assert needs.plans == len(plans)
            figures = rollup.children_read(unit=unit, school_year=world.year)
            counted = recount_children(unit, world.year)
            for child in figures.children:
                path = Unit.objects.get(pk=child.unit_id).path
                assert _figures(child) == _expected(counted.get(path, counted["-"])), child.name
            everything = {"people": 0, "plans": defaultdict(int), "hours": defaultdict(Decimal)}
            everything |= {"done": 0, "not": 0}
            for c in counted.values():
                everything["people"] += c["people"]
                everything["done"] += c["done"]
                everything["not"] += c["not"]
                for s, n in c["plans"].items():
                    everything["plans"][s] += n
                for p, h in c["hours"].items():
                    everything["hours"][p] += h
            assert _figures(figures.total) == _expected(everything), unit.name


def test_the_needs_are_one_grouped_query(world: Any) -> None:
    build_dataset(world, 7, size=60)
    with system_scope(), CaptureQueriesContext(connection) as queries:
        rollup.need_cells(
            unit_path=world.nation.path, school_year=world.year, statuses=rollup.SUBMITTED
        )
    assert len(queries.captured_queries) == 1
    assert "GROUP BY" in queries.captured_queries[0]["sql"]
    with system_scope(), CaptureQueriesContext(connection) as queries:
        rollup.needs_read(unit=world.nation, school_year=world.year)
        rollup.children_read(unit=world.nation, school_year=world.year)
    # needs: cells, module and content labels, plan count; children: 4 groups and the names.
    assert len(queries.captured_queries) <= 9


def test_rankings_share_ranks_on_ties_and_put_units_without_staff_last() -> None:
    rows = [
        rollup.UnitFigures(1, "A", "A", "school", people=4),
        rollup.UnitFigures(2, "B", "B", "school", people=2),
        rollup.UnitFigures(3, "C", "C", "school", people=0),
        rollup.UnitFigures(4, "D", "D", "school", people=4),
    ]
    rows[0].plans[PlanStatus.APPROVED] = 2
    rows[1].plans[PlanStatus.SUBMITTED] = 1
    rows[3].plans[PlanStatus.APPROVED] = 4
    rows[3].completed = 1
    ranked = rollup.Children(total=rows[0], children=rows).by_submission
    assert [(r.code, r.submission_rank) for r in ranked] == [
        ("D", 1),
        ("A", 2),
        ("B", 2),
        ("C", None),
    ]
    by_completion = rollup.Children(total=rows[0], children=rows).by_completion
    assert [(r.code, r.completion_rank) for r in by_completion][:2] == [("D", 1), ("A", 2)]


def test_a_unit_out_of_reach_is_a_404_and_a_principal_reads_their_school(world: Any) -> None:
    build_dataset(world, 5, size=12)
    with system_scope():
        with pytest.raises(Http404):
            rollup.rollup_for(actor=world.officer_a, unit=world.province_b, school_year=world.year)
        with pytest.raises(Http404):
            rollup.needs_for(actor=world.principal_a1, unit=world.school_a2, school_year=world.year)
        with pytest.raises(Http404):
            rollup.children_for(
                actor=world.teacher_a1, unit=world.school_a1, school_year=world.year
            )
        mine = rollup.rollup_for(
            actor=world.principal_a1, unit=world.school_a1, school_year=world.year
        )
        assert mine.figures.children == []
        assert (
            mine.figures.total.people
            == Person.objects.filter(unit=world.school_a1, employment_status="working").count()
        )
        whole = rollup.rollup_for(
            actor=world.officer_a, unit=world.province_a, school_year=world.year
        )
        assert {c.unit_id for c in whole.figures.children} == {
            u.pk for u in Unit.objects.filter(path__startswith=world.province_a.path, depth=3)
        }
