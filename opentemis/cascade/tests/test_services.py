"""Designation with the conditions checked, caseload balancing, reassignment (services)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404

from opentemis.accounts.models import AuditEvent
from opentemis.cascade import balancing, conditions, services
from opentemis.cascade.models import Caseload, CaseloadMethod, CoreCheck
from opentemis.cascade.tests.conftest import CascadeWorld, finalised, worked_since
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolLevel
from opentemis.staff.models import CoreDesignation, Subject
from tests.factories import PersonFactory, make_user

GOOD = {n: "Tot" for n in range(1, 16)}


# --- the conditions (pure) ----------------------------------------------------------------------


def _facts(
    years: float | None, rating: str = "", levels: dict[str, str] | None = None
) -> conditions.Facts:
    evaluation = (
        conditions.EvaluationFacts("2024-2025", "TT20_2018_GVPT", rating, levels or {})
        if rating
        else None
    )
    return conditions.Facts(years_at_level=years, evaluation=evaluation)


def test_a_teacher_meeting_every_condition_passes() -> None:
    rules = conditions.rules().for_candidate("teacher", "TH")
    assert rules is not None and rules.framework == "TT20_2018_GVPT"
    result = conditions.check(rules, _facts(6.2, "Tot", {str(n): "Tot" for n in range(1, 16)}))
    assert result.passed
    assert [o.code for o in result.outcomes] == ["years_at_level", "overall_rating", "key_criteria"]
    assert "6.2" in result.outcomes[0].reason


def test_each_condition_says_why_it_is_not_met() -> None:
    rules = conditions.rules().for_candidate("teacher", "THCS")
    levels = {str(n): "Tot" for n in range(1, 16)} | {"4": "Kha"}
    result = conditions.check(rules, _facts(3.0, "Dat", levels))
    assert not result.passed
    status = {o.code: o.status for o in result.outcomes}
    assert status == {
        "years_at_level": conditions.NOT_MET,
        "overall_rating": conditions.NOT_MET,
        "key_criteria": conditions.NOT_MET,
    }
    key = next(o for o in result.outcomes if o.code == "key_criteria")
    assert "4 (Khá)" in key.reason


def test_what_the_records_cannot_tell_is_unknown_and_not_passed() -> None:
    result = conditions.check(conditions.rules().for_candidate("teacher", "TH"), _facts(None))
    assert result.outcomes[0].status == conditions.UNKNOWN
    assert result.outcomes[1].status == conditions.NOT_MET  # no evaluation at all
    manager = conditions.check(
        conditions.rules().for_candidate("manager", "THPT"), _facts(9, "Tot", {})
    )
    assert [o.status for o in manager.outcomes] == [conditions.UNKNOWN, conditions.MET]
    assert not manager.passed
    assert conditions.check(None, _facts(9)).outcomes[0].status == conditions.UNKNOWN


def test_the_conditions_are_data_with_their_sources() -> None:
    for rule_set in conditions.rules().rule_sets:
        assert rule_set.source
        for condition in rule_set.conditions:
            assert condition.source


# --- the facts, from the records ----------------------------------------------------------------


def test_facts_read_years_at_the_level_and_the_last_evaluation(
    cw: CascadeWorld, system: Any
) -> None:
    w = cw.w
    person = cw.learners_a1[0]
    worked_since(person, dt.date(2019, 9, 1))
    finalised(person, w.year, rating="Kha", levels={3: "Tot", 4: "Kha"})
    facts = conditions.facts_for([person, cw.learners_a1[1]], {person.pk: "TH"}, w.year)
    assert facts[person.pk].years_at_level == pytest.approx(6.0, abs=0.01)
    assert facts[person.pk].evaluation is not None
    assert facts[person.pk].evaluation.rating == "Kha"
    assert facts[person.pk].evaluation.levels["4"] == "Kha"
    other = facts[cw.learners_a1[1].pk]
    assert other.years_at_level is None and other.evaluation is None


# --- designation --------------------------------------------------------------------------------


def test_a_candidate_meeting_the_conditions_is_designated_with_the_check(cw: CascadeWorld) -> None:
    w = cw.w
    person = cw.learners_a1[0]
    worked_since(person, dt.date(2015, 9, 1))
    finalised(person, w.year, rating="Tot", levels=GOOD)
    with system_scope():
        check = services.core_designate(
            actor=w.officer_a,
            person=person,
            school_year=w.year,
            kind="teacher",
            subject=Subject.objects.get(code="TH"),
            level=None,
        )
        assert check.passed and check.level is not None and check.level.code == "TH"
        assert CoreDesignation.objects.filter(person=person, school_year=w.year).exists()
        assert AuditEvent.objects.filter(action="cascade.core_designate").count() == 1


def test_a_failing_candidate_needs_a_reason_which_is_audited(cw: CascadeWorld) -> None:
    w = cw.w
    person = cw.learners_a1[0]
    with system_scope():
        with pytest.raises(ValidationError):
            services.core_designate(
                actor=w.officer_a,
                person=person,
                school_year=w.year,
                kind="teacher",
                subject=None,
                level=None,
            )
        assert not CoreDesignation.objects.filter(person=person).exists()
        assert not CoreCheck.objects.filter(person=person).exists()
        check = services.core_designate(
            actor=w.officer_a,
            person=person,
            school_year=w.year,
            kind="teacher",
            subject=None,
            level=None,
            override_reason="Giáo viên dạy giỏi cấp tỉnh; hồ sơ công tác chưa nhập.",
        )
        assert not check.passed and check.override_reason.startswith("Giáo viên dạy giỏi")
        statuses = {o["code"]: o["status"] for o in check.result}
        assert statuses["overall_rating"] == "not_met"
        event = AuditEvent.objects.get(action="cascade.core_designate")
        assert event.changes["override_reason"].startswith("Giáo viên dạy giỏi")
        assert "overall_rating" in event.changes["failing"]


def test_a_level_the_school_does_not_teach_is_refused(cw: CascadeWorld) -> None:
    with system_scope(), pytest.raises(ValidationError):
        services.core_designate(
            actor=cw.w.officer_a,
            person=cw.learners_a1[0],
            school_year=cw.w.year,
            kind="teacher",
            subject=None,
            level=SchoolLevel.objects.get(code="THPT"),
            override_reason="x",
        )


def test_another_province_cannot_designate(cw: CascadeWorld) -> None:
    officer_b = make_user("officer_b", role="unit_officer", unit=cw.w.province_b)
    with system_scope(), pytest.raises(Http404):
        services.core_designate(
            actor=officer_b,
            person=cw.learners_a1[0],
            school_year=cw.w.year,
            kind="teacher",
            subject=None,
            level=None,
            override_reason="x",
        )


def test_a_core_teacher_with_colleagues_is_not_revoked(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        with pytest.raises(ValidationError):
            services.core_revoke(actor=w.officer_a, person=cw.core_a1, school_year=w.year)
        assert CoreDesignation.objects.filter(person=cw.core_a1).exists()


# --- caseloads ----------------------------------------------------------------------------------


def test_balancing_assigns_every_mass_teacher_once_by_subject_and_place(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        result = services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        rows = {c.learner_id: c.core_id for c in Caseload.objects.filter(school_year=w.year)}
    # The five mass teachers, teacher A1 (TH, school A1) and teacher A2 (TOAN, school A2); not
    # the core teachers, not the principal, not province B's teacher.
    assert result.assigned == 7 and result.unassigned == 0 and result.cores == 2
    for person in [*cw.learners_a1, w.person_a1]:
        assert rows[person.pk] == cw.core_a1.pk
    for person in [*cw.learners_a2, w.person_a2]:
        assert rows[person.pk] == cw.core_a2.pk
    assert w.person_b1.pk not in rows and cw.core_a1.pk not in rows


def test_existing_assignments_are_kept_and_a_second_run_adds_nothing(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        services.caseload_assign(
            actor=w.officer_a, learner=cw.learners_a1[0], core=cw.core_a2, school_year=w.year
        )
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        again = services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        kept = Caseload.objects.get(learner=cw.learners_a1[0])
    assert kept.core_id == cw.core_a2.pk and kept.method == CaseloadMethod.MANUAL
    assert again.assigned == 0


def test_balancing_stops_at_the_maximum(cw: CascadeWorld, monkeypatch: Any) -> None:
    w = cw.w
    limited = balancing.Settings(2, balancing.settings().learner_positions)
    monkeypatch.setattr(balancing, "settings", lambda: limited)
    with system_scope():
        result = services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        loads = [Caseload.objects.filter(core=c).count() for c in (cw.core_a1, cw.core_a2)]
    assert loads == [2, 2] and result.unassigned == 3


def test_reassigning_one_and_moving_all_keep_the_invariants(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        learner = cw.learners_a1[0]
        services.caseload_assign(
            actor=w.officer_a,
            learner=learner,
            core=cw.core_a2,
            school_year=w.year,
            reason="Gần nhà",
        )
        assert Caseload.objects.filter(learner=learner).count() == 1
        assert Caseload.objects.get(learner=learner).core_id == cw.core_a2.pk
        event = AuditEvent.objects.get(action="cascade.caseload_assign")
        assert event.changes["core"] == [str(cw.core_a1), str(cw.core_a2)]
        moved = services.caseload_move_all(
            actor=w.officer_a, from_core=cw.core_a2, to_core=cw.core_a1, school_year=w.year
        )
        assert moved == 4
        assert not Caseload.objects.filter(core=cw.core_a2).exists()
        assert Caseload.objects.filter(school_year=w.year).count() == 7
        # Not to someone who is not core staff, nor to core staff themselves.
        with pytest.raises(ValidationError):
            services.caseload_assign(
                actor=w.officer_a, learner=learner, core=w.person_a2, school_year=w.year
            )
        with pytest.raises(ValidationError):
            services.caseload_assign(
                actor=w.officer_a, learner=cw.core_a2, core=cw.core_a1, school_year=w.year
            )


def test_a_move_past_the_maximum_is_refused(cw: CascadeWorld, monkeypatch: Any) -> None:
    w = cw.w
    with system_scope():
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        limited = balancing.Settings(4, balancing.settings().learner_positions)
        monkeypatch.setattr(balancing, "settings", lambda: limited)
        with pytest.raises(ValidationError):
            services.caseload_move_all(
                actor=w.officer_a, from_core=cw.core_a2, to_core=cw.core_a1, school_year=w.year
            )
        assert Caseload.objects.filter(core=cw.core_a2).count() == 3


def test_support_activities_are_for_the_core_teachers_colleagues(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        activity = services.support_activity_add(
            actor=cw.core_user,
            school_year=w.year,
            date=dt.date(2025, 10, 3),
            form="observe",
            colleagues=[cw.learners_a1[0].pk],
            note="Dự giờ tiết Toán lớp 3.",
        )
        assert list(activity.colleagues.all()) == [cw.learners_a1[0]]
        with pytest.raises(ValidationError):
            services.support_activity_add(
                actor=cw.core_user,
                school_year=w.year,
                date=dt.date(2025, 10, 3),
                form="observe",
                colleagues=[cw.learners_a2[0].pk],
                note="",
            )
        with pytest.raises(ValidationError):  # not core staff
            services.support_plan_save(
                actor=w.teacher_a1, school_year=w.year, text="Kế hoạch", status="draft"
            )
        plan = services.support_plan_save(
            actor=cw.core_user, school_year=w.year, text="Kế hoạch hỗ trợ", status="active"
        )
        assert plan.status == "active"


def test_nobody_else_is_counted_as_a_mass_teacher(cw: CascadeWorld) -> None:
    w = cw.w
    PersonFactory(unit=w.school_a1, staff_code="NV1", positions=["NV"])
    PersonFactory(unit=w.school_a1, staff_code="GVX", employment_status="retired")
    with system_scope():
        result = services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
    assert result.assigned == 7


def test_the_command_assigns_a_units_mass_teachers(cw: CascadeWorld) -> None:
    out = io.StringIO()
    call_command("cascade", "assign", "--unit", "SA", stdout=out)
    assert "assigned=7" in out.getvalue()
    with system_scope():
        event = AuditEvent.objects.get(action="cascade.caseload_balance")
    assert event.actor is None and event.actor_name == "manage.py cascade"
