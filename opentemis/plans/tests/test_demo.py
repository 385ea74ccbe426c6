"""The demo's BDTX plans (``plans.demo``): every state in the demo school, the contents and the
deadline, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.plans.demo import WITHOUT_PLAN, seed_demo_plans
from opentemis.plans.demo_ledger import seed_demo_ledger
from opentemis.plans.models import (
    ChangeStatus,
    EntrySource,
    EntryStatus,
    LedgerEntry,
    Plan,
    PlanChangeRequest,
    PlanDeadline,
    PlanStatus,
    YearResult,
)
from opentemis.plans.services import submit_problems
from opentemis.training.models import CatalogueStatus, Programme, ProgrammeContent
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def seed(pw: Any) -> Any:
    w = pw.w
    with system_scope():
        return seed_demo_plans(
            officer=w.officer_a,
            province=w.province_a,
            principal=w.principal_a1,
            teacher=w.teacher_a1,
            school_year=w.year,
        )


def counts(pw: Any) -> tuple[int, ...]:
    with system_scope():
        return (
            Plan.objects.count(),
            ProgrammeContent.objects.count(),
            PlanDeadline.objects.count(),
            PlanChangeRequest.objects.count(),
        )


def test_every_state_is_there_to_try_once(pw: Any) -> None:
    w = pw.w
    with system_scope():
        ProgrammeContent.objects.filter(pk__in=[pw.p01.pk, pw.p02.pk]).delete()
    for n in range(12):
        PersonFactory(unit=w.school_a1, full_name=f"Giáo viên {n}", staff_code=f"GVD{n:02d}")
    made = seed(pw)
    assert made.contents == 4
    with system_scope():
        national = ProgrammeContent.objects.filter(programme=Programme.P01, unit__isnull=True)
        local = ProgrammeContent.objects.filter(programme=Programme.P02, unit=w.province_a)
        assert national.count() == 2 and local.count() == 2
        assert "Giáo dục địa phương" in set(local.values_list("title", flat=True))
        plans = Plan.objects.filter(school_year=w.year, unit=w.school_a1)
        states = list(plans.values_list("status", flat=True))
        # The demo teacher's draft, suggested from their finalised evaluation.
        mine = plans.get(person=w.person_a1)
        assert mine.status == PlanStatus.DRAFT and mine.evaluation_id == pw.evaluation.pk
        assert mine.items.filter(suggested=True).exclude(reason="").exists()
        assert states.count(PlanStatus.SUBMITTED) >= 2
        assert states.count(PlanStatus.APPROVED) >= 2
        returned = plans.get(status=PlanStatus.RETURNED)
        assert returned.returned_reason
        change = PlanChangeRequest.objects.get(status=ChangeStatus.PENDING)
        assert change.plan.status == PlanStatus.APPROVED
        for plan in plans.exclude(pk=mine.pk):
            assert submit_problems(plan) == [], plan.person.full_name
            assert plan.submitted_at is not None
        assert mine.catalogue is not None
        mine.catalogue.refresh_from_db()
        assert mine.catalogue.status == CatalogueStatus.LOCKED  # in use by submitted plans
        teachers = w.school_a1.staff.filter(positions__code="GV").exclude(
            positions__is_manager=True
        )
        without = teachers.exclude(pk__in=plans.values("person_id")).count()
        assert without >= WITHOUT_PLAN
        deadline = PlanDeadline.objects.get(unit=w.province_a, school_year=w.year)
        expected = min(timezone.localdate() + dt.timedelta(days=21), w.year.end_date)
        assert deadline.due == expected and deadline.set_by == w.officer_a
    assert made.plans == {
        "draft": 1,
        "submitted": 3,
        "approved": 3,
        "returned": 1,
        "change_request": 1,
    }
    before = counts(pw)
    again = seed(pw)
    assert counts(pw) == before
    assert (again.contents, again.plans, again.deadline) == (0, {}, None)


def test_a_small_school_still_leaves_some_without_a_plan(pw: Any) -> None:
    w = pw.w
    for n in range(3):
        PersonFactory(unit=w.school_a1, full_name=f"Giáo viên {n}", staff_code=f"GVS{n}")
    seed(pw)
    with system_scope():
        plans = Plan.objects.filter(school_year=w.year, unit=w.school_a1)
        teachers = w.school_a1.staff.filter(positions__code="GV").exclude(
            positions__is_manager=True
        )
        assert teachers.exclude(pk__in=plans.values("person_id")).count() == WITHOUT_PLAN
        assert plans.filter(status=PlanStatus.DRAFT, person=w.person_a1).exists()


def test_the_demo_ledger_has_every_kind_and_state_once(pw: Any) -> None:
    w = pw.w
    with system_scope():
        ProgrammeContent.objects.filter(pk__in=[pw.p01.pk, pw.p02.pk]).delete()
    for n in range(12):
        PersonFactory(unit=w.school_a1, full_name=f"Giáo viên {n}", staff_code=f"GVL{n:02d}")
    seed(pw)
    with system_scope():
        written = seed_demo_ledger(
            principal=w.principal_a1, teacher=w.teacher_a1, school_year=w.year
        )
        entries = LedgerEntry.objects.filter(school_year=w.year)
        assert written == entries.count() > 0
        assert set(entries.values_list("source", flat=True)) == set(EntrySource.values)
        assert {
            EntryStatus.PENDING,
            EntryStatus.CONFIRMED,
            EntryStatus.REJECTED,
            EntryStatus.DISPUTED,
        } <= set(entries.values_list("status", flat=True))
        assert YearResult.objects.filter(school_year=w.year).exists()
        again = seed_demo_ledger(principal=w.principal_a1, teacher=w.teacher_a1, school_year=w.year)
        assert again == 0 and LedgerEntry.objects.filter(school_year=w.year).count() == written
