"""Building learners quickly for the tracking tests: enrolments and progress rows written
directly (the snapshot reads rows; how they were written is the learning app's business)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.learning import services
from opentemis.learning.models import (
    Activity,
    ActivityProgress,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    ProgressState,
)
from opentemis.staff.models import Person
from opentemis.training.models import Module
from opentemis.training.services import load_builtin_catalogues
from tests.factories import PersonFactory
from tests.learning_world import LearningWorld


def learner(
    course: Course,
    unit: Any,
    *,
    status: str = EnrolmentStatus.ACTIVE,
    started: bool = False,
    passed: list[Activity] | None = None,
    gender: str = "M",
    ethnicity: str = "01",
    person: Person | None = None,
) -> Enrolment:
    """A person of ``unit`` enrolled in ``course`` in the given state; ``passed``: the
    activities they passed."""
    now = timezone.now() - dt.timedelta(seconds=1)
    with system_scope():
        if person is None:
            person = PersonFactory(unit=unit, gender=gender, ethnicity=ethnicity)
        completed = status == EnrolmentStatus.COMPLETED
        enrolment = Enrolment.objects.create(
            course=course,
            person=person,
            unit_path=person.unit_path,
            status=status,
            started_at=now if (started or completed or passed) else None,
            completed_at=now if completed else None,
        )
        ActivityProgress.objects.bulk_create(
            [
                ActivityProgress(
                    enrolment=enrolment,
                    activity=a,
                    unit_path=enrolment.unit_path,
                    state=ProgressState.PASSED,
                    completed_at=now,
                )
                for a in passed or []
            ]
        )
    return enrolment


_codes = {"n": 0}


def new_course(w: Any) -> LearningWorld:
    """A new open course of province A with its own code (no learner), one section."""
    _codes["n"] += 1
    with system_scope():
        if not Module.objects.exists():
            load_builtin_catalogues(school_year=w.year)
        course = services.course_create(
            actor=None,
            unit=w.province_a,
            school_year=w.year,
            title=f"Khóa {_codes['n']}",
            code=f"T{_codes['n']}",
            hours="10",
        )
        section = services.section_add(actor=None, course=course, title="Phần 1")
        course.status = CourseStatus.OPEN
        course.save(update_fields=["status"])
    return LearningWorld(w=w, course=course, section=section, enrolment=None, module=None)  # type: ignore[arg-type]
