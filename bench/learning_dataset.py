"""The learning bench's dataset (issue 13): on the national dataset, two national courses of
the current year offered by the ministry (the root unit), each with a page, a video, a SCORM
lesson, a test, a final product and a survey, and everyone at work enrolled in both (≈ 2.4
million enrolments) by the product's own path (``learning.services.enrol_sync``, timed). Made
once; later runs reuse it. ``kinds`` hooks let the activity apps give each activity its rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from opentemis.learning import services
from opentemis.learning.models import Activity, Course, CourseStatus, Enrolment
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.training.models import Module
from opentemis.training.services import load_builtin_catalogues

CODES = ("BENCH-GVPT06", "BENCH-GVPT02")
ACTIVITIES = (
    ("page", "Giới thiệu mô-đun", False),
    ("video", "Video bài giảng", False),
    ("scorm", "Bài học tương tác (SCORM)", True),
    ("quiz", "Bài kiểm tra cuối mô-đun", True),
    ("product", "Sản phẩm cuối khóa", True),
    ("survey", "Khảo sát mức độ hài lòng", False),
)

Hook = Callable[[Activity], None]


def national_courses(year: SchoolYear, hooks: dict[str, Hook] | None = None) -> dict[str, Any]:
    """The two courses (made once) and their enrolments; returns what was done and timed."""
    hooks = hooks or {}
    root = Unit.objects.get(depth=1)
    if not Module.objects.filter(catalogue__school_year=year).exists():
        load_builtin_catalogues(school_year=year)
    modules = list(Module.objects.filter(catalogue__school_year=year, audience="GV")[:2])
    report: dict[str, Any] = {"courses": [], "enrol": []}
    for code, module in zip(CODES, modules, strict=False):
        course = Course.objects.filter(school_year=year, unit=root, code=code).first()
        if course is None:
            course = services.course_create(
                actor=None,
                unit=root,
                school_year=year,
                title=f"{module.code} · {module.title}"[:500],
                code=code,
                hours="10",
                module=module,
            )
            section = services.section_add(actor=None, course=course, title="Nội dung mô-đun")
            for kind, title, must_pass in ACTIVITIES:
                activity = services.activity_add(
                    actor=None, section=section, kind=kind, title=title, pass_required=must_pass
                )
                if kind in hooks:
                    hooks[kind](activity)
            course.options = {"bench_hooks": bool(hooks)}
            course.status = CourseStatus.OPEN
            course.save(update_fields=["status"])
        if hooks and not course.options.get("bench_hooks"):
            # A course made without the apps' rows (an earlier, partial run): give them now.
            for activity in course.activities.order_by("position"):
                if activity.kind in hooks:
                    hooks[activity.kind](activity)
            course.options = {**course.options, "bench_hooks": True}
            course.save(update_fields=["options"])
        report["courses"].append(course.pk)
        if not Enrolment.objects.filter(course=course).exists():
            started = time.perf_counter()
            counts = services.enrol_sync(course=course)
            seconds = time.perf_counter() - started
            timing = {
                "course": code,
                **counts,
                "seconds": round(seconds, 1),
                "per_second": round(counts["added"] / seconds),
                "measured": time.strftime("%Y-%m-%d %H:%M"),
            }
            # Kept on the course: later runs reuse the enrolments and report when they were made.
            course.options = {**course.options, "bench_enrol": timing}
            course.save(update_fields=["options"])
            report["enrol"].append(timing)
        elif course.options.get("bench_enrol"):
            report["enrol"].append({**course.options["bench_enrol"], "earlier_run": True})
    report["enrolments"] = Enrolment.objects.filter(course_id__in=report["courses"]).count()
    return report
