"""The school's BDTX plan (issue 12 item 4): the staff's approved plans added up by form and
month, the school's own activities, the report to the superior and what the superior sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from opentemis.accounts.models import AuditEvent, User
from opentemis.core.scoping import system_scope
from opentemis.plans import schoolplan
from opentemis.plans.models import Plan, PlanItem, PlanStatus, StudyForm
from opentemis.plans.models_school import SchoolActivity, SchoolPlan, SchoolPlanStatus
from opentemis.training.models import Module, Programme, TrainingYear
from opentemis.training.services import load_builtin_catalogues
from tests.factories import PersonFactory
from tests.test_vietnamese_crawl import english_on_page

pytestmark = pytest.mark.django_db

ACTIVITY = {
    "title": "Chuyên đề: dạy học phát triển năng lực",
    "programme": "03",
    "form": StudyForm.FACE_TO_FACE,
    "month": "03/2026",
    "hours": "4",
    "description": "Tổ chuyên môn khối 4",
}


def _plan(w: Any, unit: Any, status: str, items: list[tuple[Any, str, dt.date | None]]) -> Plan:
    person = PersonFactory(unit=unit)
    plan = Plan.objects.create(
        person=person,
        school_year=w.year,
        unit=unit,
        unit_path=unit.path,
        title="gv_th",
        status=status,
    )
    for module, form, starts in items:
        PlanItem.objects.create(
            plan=plan, programme=Programme.P03, module=module, hours=10, form=form, starts=starts
        )
    return plan


@pytest.fixture
def modules(world: Any) -> list[Module]:
    with system_scope():
        load_builtin_catalogues(school_year=world.year)
        return list(Module.objects.filter(audience="GV").order_by("code")[:3])


def test_the_approved_plans_add_up_by_module_form_and_month(world: Any, modules: Any) -> None:
    m1, m2, m3 = modules
    oct_, nov = dt.date(2025, 10, 6), dt.date(2025, 11, 20)
    w = world
    with system_scope():
        _plan(w, w.school_a1, PlanStatus.APPROVED, [(m1, "tu_xa", oct_), (m2, "tap_trung", nov)])
        _plan(w, w.school_a1, PlanStatus.APPROVED, [(m1, "tu_xa", dt.date(2025, 10, 30))])
        _plan(w, w.school_a1, PlanStatus.APPROVED, [(m1, "ket_hop", None)])
        _plan(w, w.school_a1, PlanStatus.SUBMITTED, [(m3, "tu_xa", oct_)])  # not approved
        _plan(w, w.school_a2, PlanStatus.APPROVED, [(m3, "tu_xa", oct_)])  # another school
        view = schoolplan.school_plan_view(
            actor=w.principal_a1, unit=w.school_a1, school_year=w.year
        )
    assert view.approved_plans == 3
    rows = {r.code: r for r in view.rows}
    assert set(rows) == {m1.code, m2.code}
    assert rows[m1.code].people == 3
    assert rows[m1.code].by_form == {"tu_xa": 2, "ket_hop": 1}
    assert rows[m1.code].by_month == {dt.date(2025, 10, 1): 2, None: 1}
    assert rows[m2.code].by_month == {dt.date(2025, 11, 1): 1}
    assert view.months == [dt.date(2025, 10, 1), dt.date(2025, 11, 1), None]
    assert schoolplan.month_counts(view.rows) == {
        dt.date(2025, 10, 1): 2,
        dt.date(2025, 11, 1): 1,
        None: 1,
    }
    assert view.plan is None and view.status == SchoolPlanStatus.DRAFT and view.editable


def test_the_head_writes_activities_then_reports_and_reopens(world: Any) -> None:
    w = world
    with system_scope():
        activity = schoolplan.activity_add(
            actor=w.principal_a1, unit=w.school_a1, school_year=w.year, fields=ACTIVITY
        )
        assert (activity.month, activity.hours, activity.programme) == (
            dt.date(2026, 3, 1),
            4,
            "03",
        )
        schoolplan.activity_update(
            actor=w.principal_a1,
            unit=w.school_a1,
            school_year=w.year,
            activity_id=activity.pk,
            fields={**ACTIVITY, "date": "2026-03-12", "hours": "6"},
        )
        activity.refresh_from_db()
        assert (activity.date, activity.hours) == (dt.date(2026, 3, 12), 6)
        plan = schoolplan.school_plan_report(
            actor=w.principal_a1, unit=w.school_a1, school_year=w.year, note="Kính gửi Phòng"
        )
        assert plan.status == SchoolPlanStatus.REPORTED and plan.reported_by == w.principal_a1
        with pytest.raises(ValidationError):
            schoolplan.activity_add(
                actor=w.principal_a1, unit=w.school_a1, school_year=w.year, fields=ACTIVITY
            )
        with pytest.raises(ValidationError):
            schoolplan.school_plan_report(
                actor=w.principal_a1, unit=w.school_a1, school_year=w.year
            )
        schoolplan.school_plan_reopen(actor=w.principal_a1, unit=w.school_a1, school_year=w.year)
        schoolplan.activity_remove(
            actor=w.principal_a1, unit=w.school_a1, school_year=w.year, activity_id=activity.pk
        )
        assert not SchoolActivity.objects.exists()
        actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert [a for a in actions if a.startswith("plans.school")] == [
        "plans.school_activity_add",
        "plans.school_activity_update",
        "plans.school_plan_report",
        "plans.school_plan_reopen",
        "plans.school_activity_remove",
    ]


def test_activities_are_checked_with_every_reason(world: Any) -> None:
    w = world
    with system_scope(), pytest.raises(ValidationError) as caught:
        schoolplan.activity_add(
            actor=w.principal_a1,
            unit=w.school_a1,
            school_year=w.year,
            fields={"title": " ", "month": "03/2027", "hours": "900", "form": "x"},
        )
    assert set(caught.value.message_dict) == {"title", "month", "hours", "form"}
    with system_scope(), pytest.raises(ValidationError) as caught:
        schoolplan.activity_add(
            actor=w.principal_a1,
            unit=w.school_a1,
            school_year=w.year,
            fields={**ACTIVITY, "date": "2026-04-02"},
        )
    assert set(caught.value.message_dict) == {"date"}


def test_only_the_schools_head_writes_and_outsiders_get_404(world: Any) -> None:
    w = world
    with system_scope():
        for actor in (w.teacher_a1, w.principal_b1):
            with pytest.raises(Http404):
                schoolplan.activity_add(
                    actor=actor, unit=w.school_a1, school_year=w.year, fields=ACTIVITY
                )
        with pytest.raises(Http404):
            schoolplan.school_plan_view(actor=w.principal_b1, unit=w.school_a1, school_year=w.year)
        with pytest.raises(Http404):  # a commune has no school plan of its own
            schoolplan.activity_add(
                actor=w.officer_a, unit=w.commune_a, school_year=w.year, fields=ACTIVITY
            )
        # Another school's activity named in the request is a 404, never changed.
        other = schoolplan.activity_add(
            actor=w.officer_a, unit=w.school_a2, school_year=w.year, fields=ACTIVITY
        )
        with pytest.raises(Http404):
            schoolplan.activity_remove(
                actor=w.principal_a1, unit=w.school_a1, school_year=w.year, activity_id=other.pk
            )
        assert SchoolActivity.objects.filter(pk=other.pk).exists()


def test_the_superior_sees_who_reported_and_who_did_not(world: Any) -> None:
    w = world
    with system_scope():
        TrainingYear.objects.update_or_create(
            school_year=w.year, defaults={"school_plan_due": dt.date(2026, 6, 30)}
        )
        schoolplan.activity_add(
            actor=w.principal_a1, unit=w.school_a1, school_year=w.year, fields=ACTIVITY
        )
        schoolplan.school_plan_report(actor=w.principal_a1, unit=w.school_a1, school_year=w.year)
        overview = schoolplan.school_plans_overview(
            actor=w.officer_a, unit=w.province_a, school_year=w.year
        )
        assert [(r.code, r.activities) for r in overview.reported] == [("SA-TH1", 1)]
        assert [r.code for r in overview.missing] == ["SA-THCS1"]
        assert overview.due == dt.date(2026, 6, 30) and overview.schools == 2
        commune = schoolplan.school_plans_overview(
            actor=w.officer_a, unit=w.commune_a, school_year=w.year
        )
        assert commune.schools == 2
        with pytest.raises(Http404):
            schoolplan.school_plans_overview(
                actor=w.officer_a, unit=w.province_b, school_year=w.year
            )


def test_the_pages(world: Any, modules: Any) -> None:
    w = world
    with system_scope():
        _plan(w, w.school_a1, PlanStatus.APPROVED, [(modules[0], "tu_xa", dt.date(2025, 10, 6))])
    head = w.client_for(w.principal_a1)
    page = reverse("plans_school", args=[w.school_a1.pk])
    answer = head.post(
        reverse("plans_school_activity", args=[w.school_a1.pk]), {**ACTIVITY, "action": "add"}
    )
    assert answer.status_code == 302
    html = head.get(page).content.decode()
    assert ACTIVITY["title"] in html and modules[0].code in html
    refused = head.post(
        reverse("plans_school_activity", args=[w.school_a1.pk]),
        {**ACTIVITY, "title": "", "action": "add"},
    )
    assert refused.status_code == 400
    answer = head.post(reverse("plans_school_report", args=[w.school_a1.pk]), {"action": "report"})
    assert answer.status_code == 302
    with system_scope():
        assert SchoolPlan.objects.get(unit=w.school_a1).status == SchoolPlanStatus.REPORTED
    officer = w.client_for(w.officer_a)
    listing = officer.get(reverse("plans_school_plans", args=[w.province_a.pk])).content.decode()
    assert w.school_a1.name in listing and w.school_a2.name in listing
    rollup = officer.get(reverse("plans_rollup", args=[w.province_a.pk]))
    assert rollup.status_code == 200
    assert modules[0].code in rollup.content.decode()
    assert officer.get(reverse("plans_rollup", args=[w.province_b.pk])).status_code == 404
    assert w.client_for(w.teacher_a1).get(page).status_code == 404
    assert head.get(reverse("plans_school_home")).url.startswith(page)
    assert officer.get(reverse("plans_school_home")).url.startswith(
        reverse("plans_school_plans", args=[w.province_a.pk])
    )


def test_the_pages_with_figures_read_in_vietnamese(world: Any, modules: Any) -> None:
    """The crawl (tests/test_vietnamese_crawl.py) reads these pages empty; here with figures,
    an activity, a reported plan and the BDTX part of the report."""
    w = world
    with system_scope():
        _plan(w, w.school_a1, PlanStatus.APPROVED, [(modules[0], "tu_xa", dt.date(2025, 10, 6))])
        _plan(w, w.school_a1, PlanStatus.SUBMITTED, [(modules[1], "ket_hop", None)])
        schoolplan.activity_add(
            actor=w.principal_a1, unit=w.school_a1, school_year=w.year, fields=ACTIVITY
        )
        schoolplan.school_plan_report(actor=w.principal_a1, unit=w.school_a1, school_year=w.year)
    names = list(User.objects.values_list("username", flat=True))
    browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    browser.force_login(w.officer_a)
    found = {}
    for url in (
        reverse("plans_rollup", args=[w.province_a.pk]) + "?submitted=1",
        reverse("plans_rollup", args=[w.school_a1.pk]),
        reverse("plans_school", args=[w.school_a1.pk]),
        reverse("plans_school_plans", args=[w.province_a.pk]),
        reverse("report_unit", args=[w.province_a.pk]),
        reverse("report_unit", args=[w.province_a.pk]) + "?bdtx=1",
    ):
        answer = browser.get(url)
        assert answer.status_code == 200, url
        found[url] = english_on_page(answer.content.decode(), names)
    assert {url: f for url, f in found.items() if f} == {}
