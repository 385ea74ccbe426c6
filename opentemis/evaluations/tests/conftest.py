"""Evaluation fixtures on top of the shared world (conftest.py at the project root).

``ev``: the built-in frameworks loaded (default applications for the year), a cycle opened by
officer_a over province A, a subject group at school A1 with teacher_a1 and a colleague, and
helpers to fill levels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.staff.models import SubjectGroup
from opentemis.standards.services import load_builtin_frameworks
from tests.factories import PersonFactory, make_user

#: A filled BM1 comments and plan section: required to submit.
PLAN = {
    "strengths": "Nhiệt tình",
    "improvements": "CNTT",
    "plan_goals": "Ứng dụng CNTT trong dạy học",
    "plan_content": "Mô đun 9",
}


@dataclass
class EvalWorld:
    w: Any
    cycle: Any
    group: Any
    colleague: Any  # user, same subject group as teacher_a1
    leader: Any  # user, group leader (TTCM) of the same group

    def levels(self, code: str = "Tot", n: int = 15, **overrides: str) -> dict[str, str]:
        levels = {str(i): code for i in range(1, n + 1)}
        levels.update({k.lstrip("c"): v for k, v in overrides.items()})
        return levels

    def start(self, user: Any = None) -> Any:
        user = user or self.w.teacher_a1
        with system_scope():
            return services.evaluation_start(actor=user, cycle=self.cycle, person=user.person)

    def submitted(self, user: Any = None, levels: dict[str, str] | None = None) -> Any:
        user = user or self.w.teacher_a1
        evaluation = self.start(user)
        n = 18 if evaluation.kind == "manager" else 15
        with system_scope():
            return services.evaluation_submit(
                actor=user,
                evaluation=evaluation,
                version=evaluation.version,
                levels=levels or self.levels("Kha", n=n),
                texts=PLAN,
                priority_criteria=[15],
            )


@pytest.fixture
def ev(world: Any) -> EvalWorld:
    return build_eval_world(world)


def build_eval_world(world: Any) -> EvalWorld:
    """``ev`` on a given world; for fixtures of a wider scope too."""
    load_builtin_frameworks()
    with system_scope():
        group = SubjectGroup.objects.create(unit=world.school_a1, name="Tổ 1-2")
        world.person_a1.subject_group = group
        world.person_a1.save()
        colleague_person = PersonFactory(
            unit=world.school_a1, full_name="Lý Thị Đồng", staff_code="GVA1B", subject_group=group
        )
        leader_person = PersonFactory(
            unit=world.school_a1,
            full_name="Võ Văn Tổ",
            staff_code="TTA1",
            subject_group=group,
            positions=["TTCM", "GV"],
        )
        cycle = services.cycle_open(
            actor=world.officer_a,
            unit=world.province_a,
            school_year=world.year,
            name="Đánh giá chuẩn 2025-2026",
            self_due=dt.date(2026, 5, 15),
            opinions_due=dt.date(2026, 5, 25),
            review_due=dt.date(2026, 6, 5),
        )
    colleague = make_user(
        "colleague_a1", role="teacher", unit=world.school_a1, person=colleague_person
    )
    leader = make_user("leader_a1", role="teacher", unit=world.school_a1, person=leader_person)
    return EvalWorld(w=world, cycle=cycle, group=group, colleague=colleague, leader=leader)
