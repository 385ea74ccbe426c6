"""Plan fixtures on top of the evaluation world: the shipped BDTX data loaded in the year, a
programme-01 content, a programme-02 content of province A, and teacher_a1's evaluation
finalised by principal_a1 with criterion 6 at Đạt and criterion 5 at Chưa đạt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services as evaluation_services
from opentemis.evaluations.tests.conftest import build_eval_world
from opentemis.plans import services
from opentemis.plans.models import Plan
from opentemis.training.models import Module, Programme, ProgrammeContent
from opentemis.training.services import load_builtin_catalogues


@dataclass
class PlanWorld:
    w: Any
    ev: Any
    evaluation: Any
    p01: ProgrammeContent
    p02: ProgrammeContent

    def open(self, user: Any = None) -> Plan:
        user = user or self.w.teacher_a1
        with system_scope():
            return services.plan_open(actor=user, person=user.person, school_year=self.w.year)

    def ready(self, user: Any = None) -> Plan:
        """The opened plan with its objectives and outputs written (submittable)."""
        user = user or self.w.teacher_a1
        plan = self.open(user)
        with system_scope():
            if not plan.items.filter(programme=Programme.P03).exists():
                # No finalised evaluation, so no suggestion: the person picks a module.
                module = Module.objects.filter(catalogue_id=plan.catalogue_id).first()
                services.item_add(actor=user, plan=plan, module=module, fields={"hours": 40})
            for programme, content in (("01", self.p01), ("02", self.p02)):
                if not plan.items.filter(programme=programme).exists():
                    services.item_add(actor=user, plan=plan, content=content)
            plan.refresh_from_db()
            return services.plan_update(
                actor=user,
                plan=plan,
                version=plan.version,
                objectives="Nâng cao năng lực kiểm tra, đánh giá",
                outputs="Bộ đề kiểm tra theo định hướng năng lực",
            )


def finalised(ev: Any, levels: dict[str, str]) -> Any:
    evaluation = ev.submitted(levels=levels)
    with system_scope():
        return evaluation_services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=levels,
            acknowledge_no_opinions=True,
        )


@pytest.fixture
def pw(world: Any) -> PlanWorld:
    ev = build_eval_world(world)
    with system_scope():
        load_builtin_catalogues(school_year=world.year)
        p01 = ProgrammeContent.objects.create(
            school_year=world.year,
            programme=Programme.P01,
            code="CT01-1",
            title="Nhiệm vụ năm học",
            hours=40,
        )
        p02 = ProgrammeContent.objects.create(
            school_year=world.year,
            programme=Programme.P02,
            unit=world.province_a,
            code="SA-1",
            title="Giáo dục địa phương Tỉnh An",
            hours=40,
        )
    evaluation = finalised(ev, ev.levels("Kha", c6="Dat", c5="ChuaDat", c9="Tot"))
    return PlanWorld(w=world, ev=ev, evaluation=evaluation, p01=p01, p02=p02)
