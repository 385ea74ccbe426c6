"""Notices of online learning: a completed course, a product handed in and graded, a forum
reply: each told once, to the people concerned."""

from __future__ import annotations

from typing import Any

import pytest

from opentemis.core.scoping import system_scope
from opentemis.learning import services as learning
from opentemis.notifications.models import Notice, NoticeKind
from opentemis.products.demo import demo_grade, demo_product, demo_submit
from tests.factories import PersonFactory, make_user
from tests.learning_world import make_course


def _titles(user: Any) -> list[str]:
    return list(
        Notice.objects.filter(recipient=user, kind=NoticeKind.LEARNING)
        .order_by("pk")
        .values_list("title", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_the_learner_is_told_once_when_a_course_is_completed(world: Any) -> None:
    lw = make_course(world, hours="8")
    page = lw.activity("page", "Giới thiệu")
    with system_scope():
        learning.progress_record(enrolment=lw.enrolment, activity=page, state="complete")
        learning.post_hours(enrolment_pk=lw.enrolment.pk)  # asked again: told once
        titles = _titles(world.teacher_a1)
    assert titles == [f"Bạn đã hoàn thành khóa {lw.course.title}"]


@pytest.mark.django_db(transaction=True)
def test_graders_and_the_learner_are_told_about_the_product(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
    grader_person = PersonFactory(unit=world.school_a2, full_name="Lê Cốt Cán", staff_code="CC1")
    grader = make_user("cotcan", role="core_teacher", unit=world.school_a2, person=grader_person)
    other = make_user("cotcan_b", role="core_teacher", unit=world.school_a2)
    with system_scope():
        learning.grader_set(actor=None, course=lw.course, user=grader, unit=world.commune_a)
        learning.grader_set(actor=None, course=lw.course, user=other, unit=world.school_a2)
        demo_product(activity=activity)
        submission = demo_submit(activity=activity, learner=world.teacher_a1)
        assert _titles(grader) == ["Nguyễn Văn An đã nộp sản phẩm cuối khóa chờ chấm"]
        assert _titles(other) == []  # grades school A2 only
        demo_grade(submission=submission, grader=grader, passed=True)
        assert _titles(world.teacher_a1)[-1] == "Sản phẩm cuối khóa của bạn đã được chấm: Đạt"


def test_learners_are_told_of_their_own_deadline_once(world: Any) -> None:
    import datetime as dt

    from opentemis.notifications.learning_events import remind_course_deadlines

    lw = make_course(world)
    lw.activity("page", "Giới thiệu")
    lw.enrol(world.person_a2)  # school A2: the course's own deadline applies there
    make_user("teacher_a2", role="teacher", unit=world.school_a2, person=world.person_a2)
    today = world.year.start_date
    with system_scope():
        lw.course.due = today + dt.timedelta(days=7)
        lw.course.save()
        # School A1 has its own, later deadline: its learners are not told of the course's.
        learning.deadline_set(
            actor=None, course=lw.course, unit=world.school_a1, due=today + dt.timedelta(days=30)
        )
        assert remind_course_deadlines(today=today) == 1
        remind_course_deadlines(today=today)  # the same day again: no second notice
        assert remind_course_deadlines(today=today + dt.timedelta(days=1)) == 0  # 6 days away
    titles = list(
        Notice.objects.filter(kind=NoticeKind.LEARNING).values_list("recipient__username", "title")
    )
    assert titles == [
        (
            "teacher_a2",
            f"Khóa {lw.course.title} còn 7 ngày là đến hạn "
            f"({(today + dt.timedelta(days=7)).strftime('%d/%m/%Y')})",
        )
    ]
