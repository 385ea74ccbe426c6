"""The course pages and API end to end: a learner's courses and outline, the builder, the
progress of an officer, and what each outsider gets (404)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.learning import services, transfer
from opentemis.learning.models import Course, CourseStatus, Enrolment, EnrolmentStatus
from tests.factories import make_user
from tests.learning_world import make_course


def test_my_courses_shows_progress_and_the_deadline(world: Any) -> None:
    lw = make_course(world)
    video = lw.activity("video", "Video bài giảng")
    lw.activity("quiz", "Bài kiểm tra cuối", pass_required=True)
    with system_scope():
        services.progress_record(enrolment=lw.enrolment, activity=video, state="complete")
        lw.course.due = world.year.end_date
        lw.course.save()
        services.deadline_set(
            actor=None, course=lw.course, unit=world.commune_a, due=world.year.start_date
        )
    page = world.client_for(world.teacher_a1).get(reverse("learning_mine"))
    html = page.content.decode()
    assert page.status_code == 200
    assert lw.course.title in html
    assert "Đã xong 1/2 hoạt động bắt buộc" in html
    # The commune's staggered deadline applies, not the course's.
    assert world.year.start_date.strftime("%d/%m/%Y") in html
    assert world.year.end_date.strftime("%d/%m/%Y") not in html


def test_the_course_page_says_what_is_missing(world: Any) -> None:
    lw = make_course(world)
    lw.activity("video", "Video bài giảng")
    quiz = lw.activity("quiz", "Bài kiểm tra cuối", pass_required=True)
    with system_scope():
        services.progress_record(enrolment=lw.enrolment, activity=quiz, state="failed")
    html = (
        world.client_for(world.teacher_a1)
        .get(reverse("learning_course", args=[lw.course.pk]))
        .content.decode()
    )
    missing = html.split('class="missing-list"')[1].split("</ul>")[0]
    assert "Video bài giảng" in missing and "Bài kiểm tra cuối" in missing


def test_outsiders_get_404(world: Any) -> None:
    lw = make_course(world)
    url = reverse("learning_course", args=[lw.course.pk])
    teacher_b = make_user("teacher_b", role="teacher", unit=world.school_b1, person=world.person_b1)
    assert world.client_for(teacher_b).get(url).status_code == 404
    assert world.client_for(world.principal_b1).get(url).status_code == 404
    manage = reverse("learning_course_manage", args=[lw.course.pk])
    assert world.client_for(world.principal_a1).get(manage).status_code == 404
    assert world.client_for(world.officer_a).get(manage).status_code == 200


def test_an_officer_builds_opens_and_reads_progress(world: Any) -> None:
    client = world.client_for(world.officer_a)
    lw = make_course(world, open_it=False)
    course = lw.course
    client.post(
        reverse("learning_activity_add", args=[course.pk]),
        {"section": lw.section.pk, "kind": "page", "title": "Giới thiệu", "required": "on"},
    )
    assert course.activities.filter(title="Giới thiệu").exists()
    client.post(
        reverse("learning_course_audience", args=[course.pk]),
        {"units": [world.commune_a.pk], "levels": ["TH"], "subjects": ["TH"]},
    )
    course.refresh_from_db()
    assert course.audience == {"units": [world.commune_a.pk], "levels": ["TH"], "subjects": ["TH"]}
    response = client.post(reverse("learning_course_state", args=[course.pk]), {"state": "open"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.OPEN
    with system_scope():
        # The commune's primary school staff are enrolled (school A2 is THCS: not).
        enrolled = set(Enrolment.objects.filter(course=course).values_list("person_id", flat=True))
    assert world.person_a1.pk in enrolled
    assert world.person_a2.pk not in enrolled
    page = client.get(reverse("learning_course_progress", args=[course.pk]))
    assert page.status_code == 200
    assert "Giới thiệu" in page.content.decode()


def test_enrolment_follows_the_audience_as_staff_change(world: Any) -> None:
    lw = make_course(world)
    with system_scope():
        services.course_update(actor=None, course=lw.course, audience={"levels": ["THCS"]})
        counts = services.enrol_sync(course=lw.course)
        lw.enrolment.refresh_from_db()
        # Teacher A1 was enrolled by hand: a manual enrolment is not taken back by the rule.
        assert lw.enrolment.status == EnrolmentStatus.ACTIVE
        assert counts["added"] == 1  # teacher A2 (THCS)
        a2 = Enrolment.objects.get(course=lw.course, person=world.person_a2)
        services.course_update(actor=None, course=lw.course, audience={"levels": ["THPT"]})
        services.enrol_sync(course=lw.course)
        a2.refresh_from_db()
        assert a2.status == EnrolmentStatus.LEFT
        services.course_update(actor=None, course=lw.course, audience={"levels": ["THCS"]})
        assert services.enrol_sync(course=lw.course)["back"] == 1


def test_the_api_gives_the_outline_and_the_progress(world: Any) -> None:
    lw = make_course(world)
    page = lw.activity("page", "Giới thiệu")
    with system_scope():
        services.progress_record(enrolment=lw.enrolment, activity=page, state="complete")
    learner = world.client_for(world.teacher_a1)
    mine = learner.get("/api/v1/learn/courses/").json()
    assert [c["course"]["code"] for c in mine] == ["GVPT06"]
    outline = learner.get(f"/api/v1/learn/courses/{lw.course.pk}/").json()
    assert outline["completion"]["complete"] is True
    assert outline["sections"][0]["activities"][0]["state"] == "complete"
    officer = world.client_for(world.officer_a)
    progress = officer.get(f"/api/v1/learn/courses/{lw.course.pk}/progress/").json()
    assert progress["total"]["completed"] == 1
    assert progress["funnel"][0]["done"] == 1
    assert learner.get(f"/api/v1/learn/courses/{lw.course.pk}/progress/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_module_package_round_trips(world: Any) -> None:
    lw = make_course(world)
    first = lw.activity("page", "Giới thiệu")
    second = lw.activity("quiz", "Kiểm tra", pass_required=True)
    with system_scope():
        second.prerequisites.set([first])
        content = transfer.export_course(lw.course)
        copy = transfer.import_course(
            actor=None,
            unit=world.province_b,
            school_year=world.year,
            upload=io.BytesIO(content),
        )
    assert copy.unit == world.province_b and copy.status == CourseStatus.DRAFT
    titles = list(copy.activities.order_by("position").values_list("title", flat=True))
    assert titles == ["Giới thiệu", "Kiểm tra"]
    quiz = copy.activities.get(title="Kiểm tra")
    assert list(quiz.prerequisites.values_list("title", flat=True)) == ["Giới thiệu"]
    assert Course.objects.count() == 2


def test_a_bad_package_is_refused_and_leaves_nothing(world: Any) -> None:
    from django.core.exceptions import ValidationError

    make_course(world)
    with system_scope(), pytest.raises(ValidationError):
        transfer.import_course(
            actor=None, unit=world.province_b, school_year=world.year, upload=io.BytesIO(b"PK no")
        )
    assert Course.objects.count() == 1
