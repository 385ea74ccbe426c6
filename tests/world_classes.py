"""The classes app's things for the route matrix (tests/test_route_matrix.py): each kind a
route of the app takes, built on the shared course (tests/learning_world.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opentemis.classes import services
from opentemis.classes.models import FaceClass
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("class", "class.session")
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "class_learn": {"pk": "class"},
    "class_manage": {"pk": "class"},
    "class_results": {"pk": "class"},
    "class_rollcall": {"pk": "class.session"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "class_code_enter": {"pk": "class"},
    "class_settings": {"pk": "class"},
    "class_roster_fill": {"pk": "class"},
    "class_session_add": {"pk": "class"},
    "class_close": {"pk": "class"},
    "class_rollcall_mark": {"pk": "class.session"},
    "class_code_open": {"pk": "class.session"},
    "class_session_cancel": {"pk": "class.session"},
    "class_results_export": {"pk": "class"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {
    "/api/v1/learn/classes/": "class",
    "/api/v1/learn/classes/sessions/": "class.session",
}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it: the learner, or the course's officer)."""
    activity = lw.activity("class", "Lớp tập trung 3 ngày")
    face_class = FaceClass.objects.create(activity=activity)
    services.roster_fill(actor=None, face_class=face_class)
    start = lw.course.school_year.start_date + dt.timedelta(days=35)
    session = None
    for day in range(3):
        made = services.session_add(
            actor=None,
            face_class=face_class,
            date=start + dt.timedelta(days=day),
            periods="8",
            place="Trường Bồi dưỡng cán bộ quản lý tỉnh An",
            lecturer_name="TS. Nguyễn Văn Giảng",
        )
        session = session or made
    assert session is not None
    services.attendance_mark(
        actor=lw.w.officer_a, session=session, enrolment=lw.enrolment, status="present", paths=None
    )
    return {"class": (activity.pk, lw.w.teacher_a1), "class.session": (session.pk, lw.w.officer_a)}
