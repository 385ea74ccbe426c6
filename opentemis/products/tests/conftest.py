"""Products fixtures: files land in a temporary MEDIA_ROOT; a course of province A with a
final product that must be passed, teacher A1 and a teacher of school A2 enrolled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from opentemis.cascade.models import Caseload
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity, Enrolment
from opentemis.products.demo import demo_product
from opentemis.staff.models import CoreDesignation, Subject
from tests.factories import PersonFactory, make_user
from tests.learning_world import LearningWorld, make_course


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    root = tmp_path / "media"
    root.mkdir()
    with override_settings(MEDIA_ROOT=str(root)):
        yield root


@dataclass
class ProductWorld:
    lw: LearningWorld
    activity: Activity
    teacher_a2: Any
    enrolment_a2: Enrolment

    @property
    def w(self) -> Any:
        return self.lw.w


@pytest.fixture
def pw(world: Any) -> ProductWorld:
    lw = make_course(world)
    activity = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
    teacher_a2 = make_user(
        "teacher_a2", role="teacher", unit=world.school_a2, person=world.person_a2
    )
    with system_scope():
        demo_product(activity=activity)
    enrolment_a2 = lw.enrol(world.person_a2)
    return ProductWorld(lw=lw, activity=activity, teacher_a2=teacher_a2, enrolment_a2=enrolment_a2)


@dataclass
class GradingWorld:
    """Grading that never stalls: teacher A2 (school A2, teaches TOAN) is in the caseload of
    core teacher ``core_a`` (school A1, designated for TOAN); ``core_b`` (school A2, TOAN)
    may claim A2's product from the pool; ``core_ly`` (LY) and ``core_far`` (TOAN, province
    B, outside the course's audience) may not. ``lecturer`` second-marks in province A,
    ``lecturer_b`` in province B."""

    pw: ProductWorld
    core_a: Any
    core_b: Any
    core_ly: Any
    core_far: Any
    lecturer: Any
    lecturer_b: Any

    @property
    def w(self) -> Any:
        return self.pw.w


def core_teacher(w: Any, username: str, unit: Any, subject: str) -> Any:
    with system_scope():
        person = PersonFactory(unit=unit, full_name=f"Cốt cán {username}", subjects=[subject])
        CoreDesignation.objects.create(
            person=person,
            school_year=w.year,
            kind="teacher",
            subject=Subject.objects.get(code=subject),
        )
    return make_user(username, role="core_teacher", unit=unit, person=person)


@pytest.fixture
def gw(pw: ProductWorld) -> GradingWorld:
    w = pw.w
    core_a = core_teacher(w, "core_a", w.school_a1, "TOAN")
    with system_scope():
        Caseload.objects.create(
            school_year=w.year,
            learner=w.person_a2,
            core=core_a.person,
            unit_path=w.person_a2.unit_path,
        )
    return GradingWorld(
        pw=pw,
        core_a=core_a,
        core_b=core_teacher(w, "core_b", w.school_a2, "TOAN"),
        core_ly=core_teacher(w, "core_ly", w.school_a2, "LY"),
        core_far=core_teacher(w, "core_far", w.school_b1, "TOAN"),
        lecturer=make_user("lecturer_a", role="lecturer", unit=w.province_a),
        lecturer_b=make_user("lecturer_b", role="lecturer", unit=w.province_b),
    )
