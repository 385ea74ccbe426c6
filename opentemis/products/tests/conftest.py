"""Products fixtures: files land in a temporary MEDIA_ROOT; a course of province A with a
final product that must be passed, teacher A1 and a teacher of school A2 enrolled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity, Enrolment
from opentemis.products.demo import demo_product
from tests.factories import make_user
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
