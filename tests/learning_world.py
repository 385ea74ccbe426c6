"""A course to learn in, for the tests of the learning apps: offered by province A (its officer
``w.officer_a`` manages it), open, with one section, and teacher A1 enrolled.

Each activity app adds its own activity with ``activity_add`` (learning.services) and its own
row. Use :func:`make_course` inside a test with the ``world`` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentemis.core.scoping import system_scope
from opentemis.learning import services
from opentemis.learning.models import Activity, Course, CourseStatus, Enrolment, Section
from opentemis.training.models import Module
from opentemis.training.services import load_builtin_catalogues


@dataclass
class LearningWorld:
    w: Any
    course: Course
    section: Section
    enrolment: Enrolment  # teacher A1's
    module: Module | None

    def activity(self, kind: str, title: str = "", **fields: Any) -> Activity:
        with system_scope():
            return services.activity_add(
                actor=None, section=self.section, kind=kind, title=title or kind, **fields
            )

    def enrol(self, person: Any) -> Enrolment:
        with system_scope():
            return services.enrol_person(actor=None, course=self.course, person=person)


def make_course(w: Any, *, hours: str = "10", open_it: bool = True) -> LearningWorld:
    """Province A's course on the year's first GV module, teacher A1 enrolled."""
    with system_scope():
        if not Module.objects.exists():
            load_builtin_catalogues(school_year=w.year)
        module = Module.objects.filter(audience="GV").order_by("pk").first()
        course = services.course_create(
            actor=None,
            unit=w.province_a,
            school_year=w.year,
            title="Mô-đun GVPT 06: Kiểm tra, đánh giá học sinh",
            code="GVPT06",
            hours=hours,
            module=module,
        )
        section = services.section_add(actor=None, course=course, title="Phần 1")
        if open_it:
            course.status = CourseStatus.OPEN
            course.save(update_fields=["status"])
        enrolment = services.enrol_person(actor=None, course=course, person=w.person_a1)
    return LearningWorld(w=w, course=course, section=section, enrolment=enrolment, module=module)
