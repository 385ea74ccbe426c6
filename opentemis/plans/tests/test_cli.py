"""`manage.py bdtx_plans`: the drafts of a whole unit, the same as each person would find on
opening their plan; made once; counted by state; the deadline set in an officer's name."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opentemis.accounts.models import AuditEvent, User
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation, Status
from opentemis.plans import services
from opentemis.plans.bulk import draft_plans_for
from opentemis.plans.models import Plan, PlanDeadline, PlanStatus, YearResult
from opentemis.staff.models import Person
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("bdtx_plans", *args, stdout=out)
    return out.getvalue()


def item_fields(i: Any) -> tuple[Any, ...]:
    return (
        i.position,
        i.programme,
        i.module_id,
        i.content_id,
        i.hours,
        i.form,
        i.suggested,
        i.reason,
    )


def snapshot(year: Any) -> dict[int, Any]:
    """person -> what their plan holds (everything a draft decides)."""
    with system_scope():
        return {
            plan.person_id: (
                plan.title,
                plan.catalogue_id,
                plan.evaluation_id,
                plan.regulation_version,
                plan.unit_path,
                plan.status,
                [item_fields(i) for i in plan.items.order_by("position")],
            )
            for plan in Plan.objects.filter(school_year=year).prefetch_related("items")
        }


def test_draft_makes_what_plan_open_makes_for_each_person(pw: Any) -> None:
    w = pw.w
    with system_scope():
        # An acknowledged result feeds the plan as a finalised one does.
        Evaluation.objects.filter(pk=pw.evaluation.pk).update(status=Status.ACKNOWLEDGED)
        PersonFactory(unit=w.school_a1, full_name="Mai Văn Nghỉ", staff_code="GVA1N")
        Person.objects.filter(staff_code="GVA1N").update(employment_status="retired")
    out = run("draft", "--unit", "SA")
    made = snapshot(w.year)
    assert w.person_a1.pk in made and w.person_a2.pk in made and w.person_b1.pk not in made
    with system_scope():
        retired = Person.objects.get(staff_code="GVA1N")
    assert retired.pk not in made
    assert f"SA {w.year.code}: {len(made)} draft plans made, 0 already there" in out
    teacher = made[w.person_a1.pk]
    suggested = [i for i in teacher[6] if i[6]]
    assert teacher[2] == pw.evaluation.pk and suggested and all(i[7] for i in suggested)
    # Each plan's history says it was opened, as when its person opens it.
    with system_scope():
        assert AuditEvent.objects.filter(action="plans.open").count() == len(made)
    client = Client()
    client.force_login(w.officer_a)
    log = client.get(reverse("audit_list"))
    assert log.status_code == 200 and "BDTX" in log.content.decode()
    with system_scope():
        Plan.objects.filter(school_year=w.year).delete()
        for person_pk in made:
            person = Person.objects.get(pk=person_pk)
            user = User.objects.filter(person=person).first() or make_user(
                f"u{person.pk}", role="teacher", unit=person.unit, person=person
            )
            services.plan_open(actor=user, person=person, school_year=w.year)
    assert snapshot(w.year) == made


def test_draft_is_made_once_and_keeps_existing_plans(pw: Any) -> None:
    mine = pw.ready()
    first = run("draft", "--unit", "SA-TH1")
    assert "1 already there" in first
    again = run("draft", "--unit", "SA-TH1")
    assert "0 draft plans made" in again
    with system_scope():
        assert Plan.objects.get(pk=mine.pk).objectives  # untouched
        assert Plan.objects.filter(person=pw.w.person_a1).count() == 1


def test_draft_reads_in_batches(pw: Any) -> None:
    """The queries do not grow with the people drafted (the province benchmark's path)."""

    def queries(unit: Any) -> int:
        with system_scope(), CaptureQueriesContext(connection) as captured:
            result = draft_plans_for(unit, pw.w.year)
        assert result.created > 0
        return len(captured.captured_queries)

    for n in range(3):
        PersonFactory(unit=pw.w.school_a2, full_name=f"Giáo viên {n}", staff_code=f"GVA2{n}")
    few = queries(pw.w.school_a2)
    for n in range(30):
        PersonFactory(unit=pw.w.school_a2, full_name=f"Giáo viên {n}", staff_code=f"GVA2X{n}")
    many = queries(pw.w.school_a2)  # the 30 without a plan yet
    # (SQLite splits a long INSERT in two; one query per person would add 30.)
    assert many <= few + 3, (few, many)


def test_status_counts_plans_by_state(pw: Any) -> None:
    plan = pw.ready()
    with system_scope():
        services.plan_submit(actor=pw.w.teacher_a1, plan=plan)
    out = run("status", "--unit", "SA-TH1", "--year", pw.w.year.code)
    assert "submitted  1" in out and "draft      0" in out
    people = sum(1 for line in out.splitlines() if line.startswith("  no plan"))
    assert people == 1
    run("draft", "--unit", "SA-TH1")
    after = run("status", "--unit", "SA-TH1")
    assert "no plan    0" in after
    with system_scope():
        drafts = Plan.objects.filter(unit=pw.w.school_a1, status=PlanStatus.DRAFT).count()
    assert f"draft      {drafts}" in after


def test_deadline_is_set_in_an_officers_name(pw: Any) -> None:
    due = pw.w.year.end_date - dt.timedelta(days=30)
    out = run("deadline", "--unit", "SA", "--due", due.isoformat(), "--as", "officer_a")
    assert f"plans due {due.isoformat()}" in out
    with system_scope():
        deadline = PlanDeadline.objects.get(unit=pw.w.province_a)
    assert (deadline.due, deadline.set_by) == (due, pw.w.officer_a)
    with pytest.raises(CommandError, match="may not set"):
        run("deadline", "--unit", "SA", "--due", due.isoformat(), "--as", "principal_b1")
    with pytest.raises(CommandError, match="Not a date"):
        run("deadline", "--unit", "SA", "--due", "31/05", "--as", "officer_a")
    with pytest.raises(CommandError, match="No unit"):
        run("status", "--unit", "NOPE")
    with pytest.raises(CommandError, match="No school year"):
        run("status", "--unit", "SA", "--year", "1990-1991")


def approved_plan(pw: Any) -> Plan:
    plan = pw.ready()
    with system_scope():
        plan = services.plan_submit(actor=pw.w.teacher_a1, plan=plan)
        services.plans_approve(actor=pw.w.principal_a1, plans=[plan])
        plan.refresh_from_db()
    return plan


def test_results_are_computed_and_confirmed_in_the_heads_name(pw: Any) -> None:
    approved_plan(pw)
    out = run("results", "--unit", "SA-TH1", "--as", "principal_a1")
    assert f"SA-TH1 {pw.w.year.code}: 1 results computed, 0 completed" in out
    assert "GVA1" in out and "not_completed" in out
    with system_scope():
        result = YearResult.objects.get(person=pw.w.person_a1, school_year=pw.w.year)
        assert result.confirmed_at is None
        assert AuditEvent.objects.filter(
            action="plans.results_compute", actor=pw.w.principal_a1
        ).exists()
    confirmed = run("results", "--unit", "SA-TH1", "--as", "principal_a1", "--confirm")
    assert "1 results confirmed" in confirmed
    with system_scope():
        result.refresh_from_db()
    assert result.confirmed_by == pw.w.principal_a1 and result.evidence_id is not None
    with pytest.raises(CommandError, match="may not manage"):
        run("results", "--unit", "SA-TH1", "--as", "principal_b1")
    with pytest.raises(CommandError, match="may not manage"):
        run("results", "--unit", "SA-TH1", "--as", "teacher_a1")
    with pytest.raises(CommandError, match="No account"):
        run("results", "--unit", "SA-TH1", "--as", "nobody")


def test_needs_are_printed_per_module_and_form(pw: Any) -> None:
    plan = approved_plan(pw)
    with system_scope():
        module_item = plan.items.filter(programme="03").select_related("module").first()
    assert module_item is not None and module_item.module is not None
    out = run("needs", "--unit", "SA")
    assert f"SA {pw.w.year.code}: 1 plans (approved)" in out
    assert "tap_trung" in out and "ket_hop" in out
    line = next(row for row in out.splitlines() if module_item.module.code in row)
    assert line.split()[0] == "03" and module_item.module.title in line
    empty = run("needs", "--unit", "SB")
    assert "0 plans" in empty and module_item.module.code not in empty
    assert "1 plans (submitted, approved)" in run("needs", "--unit", "SA", "--submitted")
