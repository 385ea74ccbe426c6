"""Forum fixtures: province A's course with a forum split by school; teacher A1 (school A1)
and teacher A2 (school A2) enrolled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from opentemis.core.scoping import system_scope
from opentemis.forums import access, services
from opentemis.forums.models import Thread
from opentemis.learning.models import Activity, Enrolment
from tests.factories import make_user
from tests.learning_world import LearningWorld, make_course


@dataclass
class ForumWorld:
    lw: LearningWorld
    activity: Activity
    teacher_a2: Any
    enrolment_a2: Enrolment

    @property
    def w(self) -> Any:
        return self.lw.w

    def viewer(self, user: Any) -> access.Viewer:
        with system_scope():
            return access.forum_viewer(user, self.activity.pk)

    def ask(self, user: Any, title: str = "Câu hỏi", body: str = "Nội dung", **kw: Any) -> Thread:
        with system_scope():
            return services.thread_create(viewer=self.viewer(user), title=title, body=body, **kw)


@pytest.fixture
def fw(world: Any) -> ForumWorld:
    lw = make_course(world)
    activity = lw.activity("forum", "Diễn đàn hỏi đáp")
    teacher_a2 = make_user(
        "teacher_a2", role="teacher", unit=world.school_a2, person=world.person_a2
    )
    with system_scope():
        services.forum_save(actor=None, activity=activity, grouping="school")
    enrolment_a2 = lw.enrol(world.person_a2)
    return ForumWorld(lw=lw, activity=activity, teacher_a2=teacher_a2, enrolment_a2=enrolment_a2)
