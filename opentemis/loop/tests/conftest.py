"""A closed loop to follow: teacher A1 was rated Đạt on criterion 1 and Chưa đạt on criterion 6
last year (finalised); this year's plan holds module GVPT 01 (which develops criterion 1), the
course of that module is completed, its 10 periods posted to the ledger and its module
certificate issued (province A issues certificates), and this year's self-evaluation cites an
evidence item for criterion 1. Teacher A2 (DTTS, school A2) was weak on criterion 1 too, but
has no plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from opentemis.certificates import services as certificates
from opentemis.certificates.models import Certificate
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Cycle, Evaluation, EvidenceLink
from opentemis.evidence.models import Evidence
from opentemis.learning.services import progress_record
from opentemis.orgs.models import SchoolYear
from opentemis.plans import services as plan_services
from opentemis.plans.models import Plan, PlanItem
from opentemis.staff.models import Person
from opentemis.standards.models import Framework
from opentemis.standards.services import load_builtin_frameworks
from tests.factories import make_school_year
from tests.learning_world import LearningWorld, make_course


def levels(**low: str) -> dict[str, str]:
    found = {str(i): "Tot" for i in range(1, 16)}
    found.update({k.lstrip("c"): v for k, v in low.items()})
    return found


def cycle(year: SchoolYear, unit: Any, name: str) -> Cycle:
    return Cycle.objects.create(
        school_year=year,
        unit=unit,
        unit_path=unit.path,
        name=name,
        self_due=year.end_date,
        opinions_due=year.end_date,
        review_due=year.end_date,
    )


def finalised(c: Cycle, person: Person, rated: dict[str, str]) -> Evaluation:
    return Evaluation.objects.create(
        cycle=c,
        person=person,
        framework=Framework.objects.get(code="TT20_2018_GVPT"),
        kind="teacher",
        unit=person.unit,
        unit_path=person.unit_path,
        status="finalised",
        self_levels=rated,
        review_levels=rated,
        finalised_at=timezone.now() - dt.timedelta(days=200),
    )


@dataclass
class LoopScene:
    w: Any
    lw: LearningWorld
    last: Evaluation
    plan: Plan
    evidence: Evidence
    certificate: Certificate


@pytest.fixture
def loop(world: Any, django_capture_on_commit_callbacks: Any) -> LoopScene:
    load_builtin_frameworks()
    last_year = make_school_year("2024-2025", current=False)
    lw = make_course(world)  # GVPT 01, criterion 1; teacher A1 enrolled
    with system_scope():
        before = cycle(last_year, world.province_a, "Đánh giá chuẩn 2024-2025")
        last = finalised(before, world.person_a1, levels(c1="Dat", c6="ChuaDat"))
        finalised(before, world.person_a2, levels(c1="Dat"))
        plan = plan_services.plan_open(
            actor=world.teacher_a1, person=world.person_a1, school_year=world.year
        )
        assert plan.evaluation_id == last.pk
        PlanItem.objects.get_or_create(
            plan=plan, module=lw.module, defaults={"programme": "03", "hours": 10}
        )
        certificates.issuer_save(
            actor=None, unit=world.province_a, values={"name": "Sở Giáo dục và Đào tạo A"}
        )
        lesson = lw.activity("page", "Bài học")
        # The hours post on commit, then the certificate is issued on the completion's signal.
        with django_capture_on_commit_callbacks(execute=True):
            progress_record(enrolment=lw.enrolment, activity=lesson, state="complete")
        now = cycle(world.year, world.province_a, "Đánh giá chuẩn 2025-2026")
        this_year = Evaluation.objects.create(
            cycle=now,
            person=world.person_a1,
            framework=last.framework,
            kind="teacher",
            unit=world.school_a1,
            unit_path=world.school_a1.path,
        )
        item = Evidence.objects.create(
            owner=world.person_a1, kind="link", url="https://example.edu.vn/bai", title="Bài dạy"
        )
        EvidenceLink.objects.create(evaluation=this_year, criterion=1, evidence=item)
        certificate = Certificate.objects.get(enrolment=lw.enrolment)
    return LoopScene(w=world, lw=lw, last=last, plan=plan, evidence=item, certificate=certificate)
