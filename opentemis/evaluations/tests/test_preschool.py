"""Preschool people are evaluated against their own standards (TT 26/2018 for teachers, TT 25/2018
for principals and deputies) and never against one that does not apply to them: the page, the
API and the paper import all refuse it (one check, standards.applicability). A level below a
requirement suspended by TT 29/2021 needs a written reason (decision 0013). The demo follows
the same rule."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Evaluation, EvaluationKind, Status
from opentemis.evaluations.tests.conftest import PLAN
from opentemis.evaluations.tests.test_api import api
from opentemis.standards.models import Framework
from tests.factories import PersonFactory, make_unit, make_user

pytestmark = pytest.mark.django_db

TT20, TT14, TT26, TT25 = "TT20_2018_GVPT", "TT14_2018_HTPT", "TT26_2018_GVMN", "TT25_2018_HTMN"


@dataclass
class Preschool:
    school: Any
    teacher: Any  # user
    principal: Any  # user
    colleague: Any  # user


@pytest.fixture
def mn(ev: Any) -> Preschool:
    """A preschool in commune A (under the open cycle), its principal and two teachers."""
    school = make_unit(
        "Trường Mầm non Hòa An", parent=ev.w.commune_a, kind="school", code="SA-MN1", levels=("MN",)
    )
    head = PersonFactory(
        unit=school, full_name="Đỗ Thị Mai", staff_code="HTMN1", gender="F", positions=["HT"]
    )
    teacher = PersonFactory(
        unit=school, full_name="Lê Thị Hoa", staff_code="GVMN1", gender="F", subjects=["MN"]
    )
    colleague = PersonFactory(
        unit=school, full_name="Phan Thị Cúc", staff_code="GVMN2", gender="F", subjects=["MN"]
    )
    return Preschool(
        school=school,
        teacher=make_user("gv_mn1", role="teacher", unit=school, person=teacher),
        principal=make_user("ht_mn1", role="principal", unit=school, person=head),
        colleague=make_user("gv_mn2", role="teacher", unit=school, person=colleague),
    )


def latest(code: str) -> Framework:
    return Framework.objects.filter(code=code).latest("version")


def wrong_draft(ev: Any, user: Any) -> Evaluation:
    """A draft against TT 20, as the demo made them before (written past the services)."""
    person = user.person
    with system_scope():
        return Evaluation.objects.create(
            cycle=ev.cycle,
            person=person,
            framework=latest(TT20),
            kind=EvaluationKind.TEACHER,
            unit_id=person.unit_id,
            unit_path=person.unit_path,
        )


# --- starting ---------------------------------------------------------------------------------


def test_preschool_teacher_pressing_start_gets_tt26(ev, mn):
    client = ev.w.client_for(mn.teacher)
    response = client.post(reverse("evaluation_me"))
    with system_scope():
        evaluation = Evaluation.objects.select_related("framework").get(person=mn.teacher.person)
    assert response.url == reverse("evaluation_self", args=[evaluation.pk])
    assert evaluation.framework.code == TT26 and evaluation.kind == EvaluationKind.TEACHER
    body = client.get(response.url).content.decode()
    assert "Quy định chuẩn nghề nghiệp giáo viên mầm non" in body
    assert 'name="level_15"' in body and 'name="level_16"' not in body
    # Criterion 3's suspended requirement is shown as suspended, with its source.
    assert "ngưng hiệu lực" in body and "Thông tư 29/2021/TT-BGDĐT" in body
    # Criteria known only in English say so.
    assert "Bản dịch tiếng Anh" in body


def test_preschool_principal_starts_against_tt25(ev, mn):
    with system_scope():
        evaluation = services.evaluation_start(
            actor=mn.principal, cycle=ev.cycle, person=mn.principal.person
        )
    assert evaluation.framework.code == TT25 and evaluation.kind == EvaluationKind.MANAGER


def test_general_education_still_gets_tt20_and_tt14(ev):
    assert ev.start().framework.code == TT20
    assert ev.start(ev.w.principal_a1).framework.code == TT14


def test_the_api_starts_tt26_for_a_preschool_teacher(ev, mn):
    response = api(mn.teacher).post("/api/v1/evaluations/me/")
    assert response.status_code == 201, response.content
    assert response.json()["framework"]["code"] == TT26
    assert len(response.json()["criteria"]) == 15


def test_service_refuses_a_framework_that_does_not_apply(ev, mn):
    wrong_draft(ev, mn.teacher)
    with system_scope(), translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.evaluation_start(actor=mn.teacher, cycle=ev.cycle, person=mn.teacher.person)
    [message] = exc.value.messages
    assert "Không thể đánh giá Lê Thị Hoa theo Thông tư 20/2018" in message
    assert "Mầm non" in message and "Thông tư 26/2018" in message


def test_page_refuses_it_with_the_message(ev, mn):
    wrong_draft(ev, mn.teacher)
    client = ev.w.client_for(mn.teacher)
    response = client.post(reverse("evaluation_me"), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("evaluation_home")
    assert "Không thể đánh giá Lê Thị Hoa theo Thông tư 20/2018" in body


def test_api_refuses_it_with_the_message(ev, mn):
    wrong_draft(ev, mn.teacher)
    response = api(mn.teacher).post("/api/v1/evaluations/me/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400, response.content
    assert "Thông tư 26/2018" in response.content.decode()


def test_paper_import_refuses_it(ev, mn, settings, tmp_path):
    from opentemis.evaluations.paper import paper_import_check, paper_template_xlsx

    settings.MEDIA_ROOT = tmp_path / "media"
    wrong_draft(ev, mn.teacher)
    content = paper_template_xlsx(actor=mn.principal, unit=mn.school, cycle=ev.cycle)
    workbook = load_workbook(io.BytesIO(content))
    # The template has a TT 26 sheet for the school's teachers (and one for the wrong draft).
    assert any("TT 26-2018" in name for name in workbook.sheetnames)
    ws = next(ws for ws in workbook.worksheets if any(c.value == "GVMN1" for c in ws["A"]))
    headers = {cell.value: cell.column for cell in ws[2] if cell.value}
    row = next(c.row for c in ws["A"] if c.value == "GVMN1")
    for number in range(1, 16):
        ws.cell(row=row, column=headers[f"Tiêu chí {number}"], value="Khá")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with translation.override("vi"):
        result = paper_import_check(
            actor=mn.principal, unit=mn.school, cycle=ev.cycle, file=buffer.getvalue()
        )
    assert not result.ok
    assert any("Không thể đánh giá Lê Thị Hoa" in e.problem for e in result.errors)


def test_defaults_do_not_reach_a_level_nobody_configured(ev, mn):
    """GDTX centres' directors (GD) have no standard here: they are told so, not given TT 14."""
    centre = make_unit(
        "Trung tâm GDTX", parent=ev.w.province_a, kind="gdtx_centre", levels=("GDTX",)
    )
    director = PersonFactory(unit=centre, staff_code="GDTX1", positions=["GD"])
    user = make_user("gd_1", role="teacher", unit=centre, person=director)
    with system_scope(), pytest.raises(ValidationError):
        services.evaluation_start(actor=user, cycle=ev.cycle, person=director)


# --- the suspended requirement (TT 29/2021) ---------------------------------------------------


def _levels(**overrides: str) -> dict[str, str]:
    levels = {str(n): "Kha" for n in range(1, 16)}
    levels.update({k.lstrip("c"): v for k, v in overrides.items()})
    return levels


def test_criterion_3_below_dat_needs_a_written_reason_to_submit(ev, mn):
    with system_scope():
        evaluation = services.evaluation_start(
            actor=mn.teacher, cycle=ev.cycle, person=mn.teacher.person
        )
        with translation.override("vi"), pytest.raises(ValidationError) as exc:
            services.evaluation_submit(
                texts=PLAN,
                actor=mn.teacher,
                evaluation=evaluation,
                version=evaluation.version,
                levels=_levels(c3="ChuaDat"),
            )
        assert "ngưng hiệu lực" in exc.value.messages[0]
        assert Evaluation.objects.get(pk=evaluation.pk).status == Status.DRAFT
        # Another criterion at Chưa đạt needs no reason: nothing of it is suspended.
        submitted = services.evaluation_submit(
            texts=PLAN,
            actor=mn.teacher,
            evaluation=evaluation,
            version=evaluation.version,
            levels=_levels(c3="ChuaDat"),
            notes={"3": "Chưa có kế hoạch học tập, bồi dưỡng trong năm học."},
        )
    assert submitted.status == Status.SUBMITTED and submitted.self_rating == "ChuaDat"
    with translation.override("en"):
        explanation = services.rate_levels(submitted.framework, submitted.self_levels).explanation()
    assert any("criterion 3" in line and "suspended" in line for line in explanation)


def test_the_reviewer_needs_a_reason_too(ev, mn):
    with system_scope():
        evaluation = services.evaluation_start(
            actor=mn.teacher, cycle=ev.cycle, person=mn.teacher.person
        )
        evaluation = services.evaluation_submit(
            texts=PLAN,
            actor=mn.teacher,
            evaluation=evaluation,
            version=evaluation.version,
            levels=_levels(),
        )
        with pytest.raises(ValidationError):
            services.evaluation_finalise(
                actor=mn.principal,
                evaluation=evaluation,
                version=evaluation.version,
                levels=_levels(c3="ChuaDat"),
            )
        final = services.evaluation_finalise(
            actor=mn.principal,
            evaluation=evaluation,
            version=evaluation.version,
            levels=_levels(c3="ChuaDat", c5="ChuaDat"),
            comments={"3": "Chưa hoàn thành các khóa bồi dưỡng bắt buộc."},
        )
    assert final.final_rating == "ChuaDat"


# --- the demo -----------------------------------------------------------------------------------


def test_demo_evaluates_no_preschool_person_against_tt20_or_tt14(world):
    """Both demo cycles (this year in progress, last year finished): preschool people get TT 26
    or TT 25, everybody else TT 20 or TT 14, every rating computed from the right criteria."""
    from opentemis.evaluations.demo import seed_demo_cycle
    from opentemis.reports.demo import seed_previous_year

    school = make_unit(
        "Trường Mầm non An", parent=world.commune_a, kind="school", code="SA-MN9", levels=("MN",)
    )
    PersonFactory(unit=school, staff_code="HTMN9", positions=["HT"])
    PersonFactory(unit=school, staff_code="PHTMN9", positions=["PHT"])
    for i in range(6):
        PersonFactory(
            unit=school, staff_code=f"GVMN9{i}", positions=["GV"] if i else ["TTCM", "GV"]
        )
    with system_scope():
        cycle = seed_demo_cycle(
            officer=world.officer_a,
            province=world.province_a,
            demo_school=world.school_a1,
            demo_teacher=world.person_a1,
            seed=7,
        )
        last = seed_previous_year(officer=world.officer_a, province=world.province_a, seed=7)
        rows = list(
            Evaluation.objects.filter(cycle__in=[cycle, last]).values_list(
                "person__unit__levels__code", "framework__code", "kind", "self_levels"
            )
        )
    assert rows
    seen = set()
    for level, code, kind, levels in rows:
        expected = {
            ("MN", "teacher"): TT26,
            ("MN", "manager"): TT25,
        }.get((level, kind), TT14 if kind == "manager" else TT20)
        assert code == expected, (level, kind, code)
        assert len(levels) <= (18 if code in (TT14, TT25) else 15)
        seen.add(code)
    assert {TT26, TT25} <= seen


# --- printed forms and other pages ------------------------------------------------------------


def test_printed_forms_are_the_preschool_ones(ev, mn, settings, tmp_path):
    from opentemis.core.scoping import actor_scope
    from opentemis.evaluations.printing import official_forms, pdf
    from opentemis.evaluations.tests.test_printing import _text

    settings.MEDIA_ROOT = tmp_path / "media"
    with system_scope():
        teacher = services.evaluation_start(
            actor=mn.teacher, cycle=ev.cycle, person=mn.teacher.person
        )
        teacher = services.evaluation_submit(
            texts=PLAN,
            actor=mn.teacher,
            evaluation=teacher,
            version=teacher.version,
            levels=_levels(),
        )
    principal = ev.submitted(user=mn.principal, levels=ev.levels("Tot", n=18))
    with actor_scope(mn.teacher):
        text = _text(pdf.render(official_forms.self_evaluation(teacher)))
    assert "PHIẾU TỰ ĐÁNH GIÁ CỦA GIÁO VIÊN MẦM NON" in text
    assert "Nhóm, lớp chủ nhiệm" in text and "Môn dạy" not in text
    assert "Tiêu chí 5. Nuôi dưỡng và chăm sóc sức khỏe trẻ em" in text
    with actor_scope(mn.principal):
        text = _text(pdf.render(official_forms.self_evaluation(principal)))
    assert "CƠ SỞ GIÁO DỤC MẦM NON" in text and "TT 25" in text
    assert "Tiêu chí 18." in text


def test_review_and_framework_pages_show_the_suspension(ev, mn):
    with system_scope():
        evaluation = services.evaluation_start(
            actor=mn.teacher, cycle=ev.cycle, person=mn.teacher.person
        )
        services.evaluation_submit(
            texts=PLAN,
            actor=mn.teacher,
            evaluation=evaluation,
            version=evaluation.version,
            levels=_levels(),
        )
    review = ev.w.client_for(mn.principal).get(reverse("evaluation_review", args=[evaluation.pk]))
    assert review.status_code == 200
    assert "ngưng hiệu lực" in review.content.decode()
    detail = ev.w.client_for(mn.teacher).get(
        reverse("framework_detail", args=[evaluation.framework_id])
    )
    body = detail.content.decode()
    assert "ngưng hiệu lực" in body and "<s>Đạt chuẩn trình độ đào tạo</s>" in body
    assert "cần kiểm chứng" not in body.lower()  # to-verify notes are for administrators


def test_a_wrong_framework_can_be_neither_submitted_nor_finalised(ev, mn):
    evaluation = wrong_draft(ev, mn.teacher)
    levels = {str(n): "Kha" for n in range(1, 16)}
    with system_scope(), pytest.raises(ValidationError):
        services.evaluation_submit(
            texts=PLAN,
            actor=mn.teacher,
            evaluation=evaluation,
            version=evaluation.version,
            levels=levels,
        )
    with system_scope():  # submitted past the services (as the old demo did)
        Evaluation.objects.filter(pk=evaluation.pk).update(
            status=Status.SUBMITTED, self_levels=levels
        )
        evaluation.refresh_from_db()
        with pytest.raises(ValidationError):
            services.evaluation_finalise(
                actor=mn.principal, evaluation=evaluation, version=evaluation.version, levels=levels
            )
        assert Evaluation.objects.get(pk=evaluation.pk).status == Status.SUBMITTED
