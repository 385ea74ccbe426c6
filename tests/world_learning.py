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
#: The core's page routes for the crawl, and its POST-only routes for the hostile-input test.
CORE_CRAWL: dict[str, dict[str, str]] = {}
CORE_HOSTILE: dict[str, dict[str, str]] = {}
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


def learning_kwargs(
    things: dict[str, tuple[int, Any]], which: str
) -> dict[str, list[dict[str, Any]]]:
    """URL name -> [kwargs] for the crawl (``which="CRAWL"``) or the hostile-input test
    (``"HOSTILE"``), from the things :func:`learning_things` built."""
    routes = dict(CORE_CRAWL if which == "CRAWL" else CORE_HOSTILE)
    for app in APPS:
        routes.update(getattr(app, which))
    return {
        name: [{param: things[kind][0] for param, kind in params.items()}]
        for name, params in routes.items()
    }
