"""The TEMIS report's satisfaction part (issue 14 item 6): the year's survey answers pooled per
aspect for the unit and its child units, withheld below the minimum and by complement, equal to
a recount, on the page, in the API and in the exports."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from opentemis.core.scoping import system_scope
from opentemis.learning import services as learning
from opentemis.learning.models import CourseStatus
from opentemis.reports.exports import report_sheets
from opentemis.reports.exports.pdf import report_pdf
from opentemis.reports.exports.xlsx import report_xlsx
from opentemis.reports.satisfaction import satisfaction_figures, satisfaction_part
from opentemis.reports.selectors import report_for
from opentemis.surveys import items, services
from tests.factories import PersonFactory, make_unit, make_user
from tests.learning_world import LearningWorld, make_course

ITEMS = items.get(items.default_version())


def _all(value: int) -> dict[str, int]:
    return {item.code: value for item in ITEMS.items}


def _figures(unit: Any, year: Any) -> Any:
    with system_scope():  # the CLI's way (report_for_system)
        return satisfaction_figures(unit=unit, school_year=year)


def _answer(
    lw: Any, survey: Any, unit: Any, n: int, answered: int, prefix: str, score: int
) -> None:
    with system_scope():
        enrolments = [
            lw.enrol(PersonFactory(unit=unit, staff_code=f"{prefix}{i}")) for i in range(n)
        ]
        for i, enrolment in enumerate(enrolments[:answered]):
            answers = {**_all(score), "tac_dong": score - (i % 2)}
            services.answer_submit(actor=None, survey=survey, enrolment=enrolment, answers=answers)


def test_the_satisfaction_part(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        school_a3 = make_unit(
            "Trường Mầm non Hòa An", parent=world.commune_a, kind="school", code="SA-MN1"
        )
    _answer(lw, survey, world.school_a1, 6, 6, "A", 9)
    _answer(lw, survey, world.school_a2, 5, 5, "B", 4)
    part = _figures(world.commune_a, world.year)
    assert part is not None and part.courses == 1 and part.left_out == 0
    assert part.total.answers == 11
    # recount: 6 x 9 and 5 x 4 on muc_tieu; tac_dong alternates score, score - 1
    assert part.total.means["muc_tieu"] == float(
        (Decimal(6 * 9 + 5 * 4) / 11).quantize(Decimal("0.01"))
    )
    tac_dong = [9, 8, 9, 8, 9, 8, 4, 3, 4, 3, 4]
    assert part.total.means["tac_dong"] == float(
        (Decimal(sum(tac_dong)) / 11).quantize(Decimal("0.01"))
    )
    rows = {r.name: r for r in part.children}
    assert rows["Trường Tiểu học Hòa An"].answers == 6
    assert rows["Trường Tiểu học Hòa An"].means["muc_tieu"] == 9.0
    # school A2: 7 aspects at 4, tac_dong (4 + 3 + 4 + 3 + 4) / 5 = 3.6: index 3.95, band [2, 4)
    assert rows["Trường THCS Hòa An"].index == 3.95
    assert rows["Trường THCS Hòa An"].answers == 5 and rows["Trường THCS Hòa An"].band == "Thấp"
    # a third school with 5 learners, 2 answers: withheld, and the smallest shown one with it
    _answer(lw, survey, school_a3, 5, 2, "C", 2)
    part = _figures(world.commune_a, world.year)
    assert part is not None and part.total.answers == 13
    rows = {r.name: r for r in part.children}
    assert rows["Trường Mầm non Hòa An"].answers is None and not rows["Trường Mầm non Hòa An"].means
    assert rows["Trường THCS Hòa An"].answers is None  # the complement
    assert rows["Trường Tiểu học Hòa An"].answers == 6
    # the small school's own report: withheld too (the same decision everywhere)
    own = _figures(school_a3, world.year)
    assert own is not None and own.total.answers is None and not own.total.means
    thcs = _figures(world.school_a2, world.year)
    assert thcs is not None and thcs.total.answers is None
    # the province: its one commune, 13 answers (+ teacher A1 enrolled, not answering)
    province = _figures(world.province_a, world.year)
    assert province is not None and province.total.answers == 13
    assert [r.answers for r in province.children] == [13]
    # the other province: nothing filed there
    other = _figures(world.province_b, world.year)
    assert other is not None and other.total.answers is None and other.children == []


def _second_course(world: Any, first: Any) -> LearningWorld:
    with system_scope():
        course = learning.course_create(
            actor=None,
            unit=world.province_a,
            school_year=world.year,
            title="Mô-đun GVPT 07",
            code="GVPT07",
            hours="10",
            module=first.module,
        )
        section = learning.section_add(actor=None, course=course, title="Phần 1")
        course.status = CourseStatus.OPEN
        course.save(update_fields=["status"])
        enrolment = learning.enrol_person(actor=None, course=course, person=world.person_a1)
    return LearningWorld(
        w=world, course=course, section=section, enrolment=enrolment, module=first.module
    )


def test_a_small_course_is_left_out_and_pooled_figures_respect_each_course(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
    _answer(lw, survey, world.school_a1, 6, 6, "A", 9)
    _answer(lw, survey, world.school_a2, 5, 5, "B", 4)
    other = _second_course(world, lw)
    with system_scope():
        survey2 = services.survey_for(other.activity("survey", "Khảo sát 2"))
    _answer(other, survey2, world.school_a1, 5, 3, "D", 7)  # 3 answers in all: left out
    part = _figures(world.commune_a, world.year)
    assert part is not None and part.courses == 1 and part.left_out == 1
    assert part.total.answers == 11
    # now course 2 has 5 at A1 and 1 at A2 (filed at the commune: A2 has 1 learner there)
    _answer(other, survey2, world.school_a1, 2, 2, "E", 7)
    _answer(other, survey2, world.school_a2, 1, 1, "F", 7)
    part = _figures(world.commune_a, world.year)
    assert part is not None and part.courses == 2 and part.total.answers == 17
    rows = {r.key: r for r in part.children}
    # course 2's own table withholds its 1 answer filed at the commune and, beside it, A1:
    # the pooled A1 would give course 2's A1 away (pooled minus course 1's), so withheld
    assert rows[world.school_a1.path].answers is None


def test_page_api_and_exports(world: Any) -> None:
    lw = make_course(world)
    with system_scope():
        survey = services.survey_for(lw.activity("survey", "Khảo sát"))
    _answer(lw, survey, world.school_a1, 6, 6, "A", 9)
    _answer(lw, survey, world.school_a2, 5, 5, "B", 4)
    client = Client()
    client.force_login(world.officer_a)
    url = reverse("report_unit", args=[world.commune_a.pk])
    page = client.get(url, {"year": world.year.code}).content.decode()
    assert 'id="satisfaction"' in page and "Mục tiêu" in page and ("6,67" in page or "6.67" in page)
    api = client.get(
        reverse("api:report-unit", args=[world.commune_a.pk]), {"year": world.year.code}
    ).json()
    assert api["satisfaction"]["total"]["answers"] == 11
    assert api["satisfaction"]["total"]["means"]["muc_tieu"] == 6.73
    data = report_for(actor=world.officer_a, unit=world.commune_a, school_year=world.year)
    sheets = {s.key: s for s in report_sheets(data)}
    assert "satisfaction" in sheets
    workbook = load_workbook(io.BytesIO(report_xlsx(data)))
    sheet = workbook[next(n for n in workbook.sheetnames if n.startswith("Mức độ hài lòng"))]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Mục tiêu" in values and 6.73 in values
    assert report_pdf(data).startswith(b"%PDF")
    # a reader without the learning view: no part (a teacher does not reach the report)
    nobody = make_user("viewer_x", role="teacher", unit=world.school_a1)
    assert satisfaction_part(actor=nobody, unit=world.commune_a, school_year=world.year) is None
