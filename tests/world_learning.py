"""The learning apps' things for the route matrix (tests/test_route_matrix.py): the shared
course of province A with teacher A1 enrolled, then each activity app's own (its
``tests/world_<app>.py``)."""

from __future__ import annotations

from typing import Any

from opentemis.core.scoping import system_scope
from tests import (
    world_classes,
    world_forums,
    world_materials,
    world_packages,
    world_products,
    world_quizzes,
    world_surveys,
)
from tests.learning_world import make_course

APPS = (
    world_materials,
    world_packages,
    world_quizzes,
    world_products,
    world_forums,
    world_classes,
    world_surveys,
)
CORE_KINDS: tuple[str, ...] = ("course", "course.activity", "enrolment")
KINDS: tuple[str, ...] = CORE_KINDS + tuple(k for app in APPS for k in app.KINDS)


def learning_things(w: Any) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, owner's account) for every learning kind."""
    lw = make_course(w)
    page = lw.activity("page", "Giới thiệu mô-đun")
    found: dict[str, tuple[int, Any]] = {
        "course": (lw.course.pk, w.officer_a),
        "course.activity": (page.pk, w.teacher_a1),
        "enrolment": (lw.enrolment.pk, w.teacher_a1),
    }
    with system_scope():
        for app in APPS:
            found.update(app.things(lw))
    return found
