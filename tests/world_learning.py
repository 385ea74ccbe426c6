"""The learning apps' things for the route matrix (tests/test_route_matrix.py): the shared
course of province A with teacher A1 enrolled, then each activity app's own (its
``tests/world_<app>.py``)."""

from __future__ import annotations

from typing import Any

from opentemis.core.scoping import system_scope
from tests import (
    world_audits,
    world_cascade,
    world_certificates,
    world_classes,
    world_forums,
    world_loop,
    world_materials,
    world_packages,
    world_products,
    world_quizzes,
    world_surveys,
    world_tracking,
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
    world_certificates,
    world_cascade,
    world_tracking,
    world_audits,
    world_loop,
)
CORE_KINDS: tuple[str, ...] = ("course", "course.activity", "enrolment")
#: The core's page routes for the crawl, and its POST-only routes for the hostile-input test.
CORE_CRAWL: dict[str, dict[str, str]] = {
    "learning_course": {"pk": "course"},
    "learning_course_manage": {"pk": "course"},
    "learning_course_progress": {"pk": "course"},
}
CORE_HOSTILE: dict[str, dict[str, str]] = {
    "learning_activity": {"pk": "course.activity"},
    **{
        name: {"pk": "course"}
        for name in (
            "learning_course_audience",
            "learning_section_add",
            "learning_activity_add",
            "learning_course_state",
            "learning_course_sync",
            "learning_course_deadline",
            "learning_course_grader",
            "learning_course_export",
        )
    },
}
#: The API's paths with an id: the path before ``{id}`` -> the kind of the id.
CORE_API_IDS: dict[str, str] = {
    "/api/v1/learn/courses/": "course",
    "/api/v1/learn/enrolments/": "enrolment",
}
#: Every learning route the crawl skips (POST only, or a file) for the hostile-input test.
HOSTILE_ROUTES: frozenset[str] = frozenset(CORE_HOSTILE).union(*(app.HOSTILE for app in APPS))
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


def learning_api_ids(things: dict[str, tuple[int, Any]]) -> dict[str, int]:
    """An id for each ``{id}`` of the learning API's paths, by the path before it (each app's
    ``API_IDS``: path head -> kind)."""
    heads = dict(CORE_API_IDS)
    for app in APPS:
        heads.update(getattr(app, "API_IDS", {}))
    return {head: things[kind][0] for head, kind in heads.items()}
