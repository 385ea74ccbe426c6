"""A cascade to test on: province A's commune with a primary school (A1) and a lower-secondary
school (A2), core teachers designated in each, and mass teachers to assign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from opentemis.cascade.models import CoreCheck
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Cycle, Evaluation, Status
from opentemis.orgs.models import SchoolLevel
from opentemis.staff.models import Assignment, CoreDesignation, Person, Subject
from opentemis.standards.models import Framework
from opentemis.standards.services import load_builtin_frameworks
from tests.factories import PersonFactory, make_school_year, make_user


@dataclass
class CascadeWorld:
    w: Any
    core_a1: Person  # TH, school A1 (with an account)
    core_a2: Person  # TOAN, school A2
    learners_a1: list[Person]  # TH, school A1
    learners_a2: list[Person]  # TOAN, school A2
    core_user: Any

    def designate(self, person: Person, subject: str, level: str | None = None) -> None:
        with system_scope():
            CoreDesignation.objects.create(
                person=person,
                school_year=self.w.year,
                kind="teacher",
                subject=Subject.objects.get(code=subject),
            )
            if level:
                CoreCheck.objects.create(
                    person=person,
                    school_year=self.w.year,
                    unit_path=person.unit_path,
                    level=SchoolLevel.objects.get(code=level),
                    passed=True,
                )


def finalised(person: Person, year: Any, *, rating: str, levels: dict[int, str]) -> Evaluation:
    """A finalised TT 20 evaluation of ``person`` in ``year`` (its own cycle)."""
    load_builtin_frameworks()
    with system_scope():
        framework = Framework.objects.filter(code="TT20_2018_GVPT").order_by("-version").first()
        assert framework is not None
        cycle, _created = Cycle.objects.get_or_create(
            school_year=year,
            unit=person.unit,
            defaults={
                "unit_path": person.unit_path,
                "name": f"Đánh giá {year.code}",
                "self_due": year.end_date,
                "opinions_due": year.end_date,
                "review_due": year.end_date,
            },
        )
        return Evaluation.objects.create(
            cycle=cycle,
            person=person,
            framework=framework,
            kind="teacher",
            unit=person.unit,
            unit_path=person.unit_path,
            status=Status.FINALISED,
            review_levels={str(n): level for n, level in levels.items()},
            final_rating=rating,
            finalised_at=timezone.now(),
        )


def worked_since(person: Person, start: dt.date) -> None:
    with system_scope():
        Assignment.objects.create(person=person, unit=person.unit, start_date=start)


@pytest.fixture
def cw(world: Any) -> CascadeWorld:
    w = world
    core_a1 = PersonFactory(
        unit=w.school_a1, full_name="Lê Văn Cốt", staff_code="CCA1", subjects=["TH"]
    )
    core_a2 = PersonFactory(
        unit=w.school_a2, full_name="Mai Thị Cán", staff_code="CCA2", subjects=["TOAN"]
    )
    learners_a1 = [
        PersonFactory(unit=w.school_a1, staff_code=f"DTA1{i}", subjects=["TH"]) for i in range(3)
    ]
    learners_a2 = [
        PersonFactory(unit=w.school_a2, staff_code=f"DTA2{i}", subjects=["TOAN"]) for i in range(2)
    ]
    core_user = make_user("core_a1", role="teacher", unit=w.school_a1, person=core_a1)
    cw = CascadeWorld(
        w=w,
        core_a1=core_a1,
        core_a2=core_a2,
        learners_a1=learners_a1,
        learners_a2=learners_a2,
        core_user=core_user,
    )
    cw.designate(core_a1, "TH")
    cw.designate(core_a2, "TOAN")
    return cw


__all__ = ["CascadeWorld", "finalised", "make_school_year", "worked_since"]
