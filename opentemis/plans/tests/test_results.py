"""The year's result (issue 12 item 6): assessing items, computing from the rule in data (one
person and a whole school), confirming, and the loop back to the evidence library and next
year's evaluation. With hand-computed cases of ``rules.judge`` and a property: a confirmed
entry more never lowers a result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services as evaluation_services
from opentemis.evaluations.models import EvidenceLink
from opentemis.evidence.models import Evidence
from opentemis.plans import ledger, results, services
from opentemis.plans.models import EntrySource, Outcome, PlanItem, YearResult
from opentemis.plans.rules import Assessed, judge
from opentemis.plans.signals import plan_changed
from opentemis.training.models import TrainingYear
from tests.factories import make_school_year

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 11, 20)
REQUIRED = {"01": 40, "02": 40, "03": 40}


# --- the rule, by hand -------------------------------------------------------------------


def test_judge_hand_computed_cases() -> None:
    full = {"01": 40, "02": 40, "03": 40}
    done = judge(required=REQUIRED, counted=full, items=[], pass_score=Decimal(5))
    assert done.completed and done.reasons == []
    short = judge(
        required=REQUIRED, counted={"01": 40, "02": 40, "03": 25}, items=[], pass_score=Decimal(5)
    )
    assert not short.completed
    assert len(short.reasons) == 1 and "03" in short.reasons[0] and "25/40" in short.reasons[0]
    # The total rule: 50 + 40 + 30 = 120 is enough although programme 03 lacks 10.
    total = judge(
        required=REQUIRED,
        counted={"01": 50, "02": 40, "03": 30},
        items=[],
        pass_score=Decimal(5),
        rule={"hours": "total"},
    )
    assert total.completed
    items = [
        Assessed("GVPT 06", score=Decimal("4.5")),
        Assessed("GVPT 05", score=Decimal(3), passed=True),  # Đạt given wins over the score
        Assessed("CT01-1"),
    ]
    marked = judge(required=REQUIRED, counted=full, items=items, pass_score=Decimal(5))
    assert not marked.completed and len(marked.reasons) == 2
    assert "4.5/10" in marked.reasons[0] and "CT01-1" in marked.reasons[1]
    lenient = judge(
        required=REQUIRED, counted=full, items=items, pass_score=Decimal(4), rule={"items": "none"}
    )
    assert lenient.completed


# --- helpers -------------------------------------------------------------------------------


def approved(pw: Any) -> Any:
    plan = pw.ready()
    with system_scope():
        plan = services.plan_submit(actor=pw.w.teacher_a1, plan=plan)
        services.plans_approve(actor=pw.w.principal_a1, plans=[plan])
        plan.refresh_from_db()
    return plan


def hours(pw: Any, programme: str, amount: str, ref: str = "") -> None:
    with system_scope():
        ledger.entry_post(
            actor=None,
            person=pw.w.person_a1,
            school_year=pw.w.year,
            programme=programme,
            hours=amount,
            date=DAY,
            description=f"Chương trình {programme}",
            external_ref=ref or f"ref-{programme}-{amount}",
        )


def assess_all(pw: Any, plan: Any, score: str = "8") -> None:
    with system_scope():
        for item in plan.items.all():
            results.item_assess(actor=pw.w.principal_a1, item=item, score=score)


def compute(pw: Any) -> YearResult:
    with system_scope():
        return results.result_compute(
            actor=pw.w.principal_a1, person=pw.w.person_a1, school_year=pw.w.year
        )


# --- assessing -----------------------------------------------------------------------------


def test_items_of_an_approved_plan_are_assessed_by_the_head(pw: Any) -> None:
    plan = pw.ready()
    with system_scope():
        item = plan.items.first()
        with pytest.raises(ValidationError):  # not approved yet
            results.item_assess(actor=pw.w.principal_a1, item=item, score="7")
    plan = approved(pw)
    with system_scope():
        item = plan.items.first()
        with pytest.raises(Http404):
            results.item_assess(actor=pw.w.principal_b1, item=item, score="7")
        with pytest.raises(PermissionDenied):
            results.item_assess(actor=pw.w.teacher_a1, item=item, passed=True)
        with pytest.raises(ValidationError):
            results.item_assess(actor=pw.w.principal_a1, item=item, score="11")
        done = results.item_assess(actor=pw.w.principal_a1, item=item, score="7,5", passed=None)
        assert (done.score, done.assessed_by_id) == (Decimal("7.5"), pw.w.principal_a1.pk)
        assert AuditEvent.objects.filter(action="plans.item_assess").count() == 1


# --- computing -----------------------------------------------------------------------------


def test_the_result_follows_the_rule_and_says_why(pw: Any) -> None:
    plan = approved(pw)
    hours(pw, "01", "40")
    hours(pw, "02", "40")
    hours(pw, "03", "25")
    result = compute(pw)
    assert result.outcome == Outcome.NOT_COMPLETED
    assert any("03" in r and "25/40" in r for r in result.reasons)
    assert any("chưa được đánh giá" in r or "not assessed" in r for r in result.reasons)
    assert result.hours == {"01": "40", "02": "40", "03": "25"}
    assert result.required == REQUIRED
    assert result.rule["hours"] == "each_programme" and result.rule["pass_score"] == "5.00"
    assert result.regulation_version.startswith("TT 19/2019")
    hours(pw, "03", "15")
    assess_all(pw, plan)
    again = compute(pw)
    assert again.pk == result.pk and again.outcome == Outcome.COMPLETED and again.reasons == []
    with system_scope():
        assert YearResult.objects.count() == 1


def test_the_rule_and_pass_mark_are_data(pw: Any) -> None:
    plan = approved(pw)
    hours(pw, "01", "60")
    hours(pw, "02", "40")
    hours(pw, "03", "20")
    assess_all(pw, plan, score="4")
    assert compute(pw).outcome == Outcome.NOT_COMPLETED
    with system_scope():
        TrainingYear.objects.filter(school_year=pw.w.year).update(
            pass_score=4, result_rule={"hours": "total", "items": "all_passed"}
        )
    result = compute(pw)
    assert result.outcome == Outcome.COMPLETED, result.reasons
    assert result.rule["hours"] == "total"


def test_a_plan_not_approved_is_not_completed(pw: Any) -> None:
    pw.ready()
    for p in ("01", "02", "03"):
        hours(pw, p, "40")
    result = compute(pw)
    assert result.outcome == Outcome.NOT_COMPLETED
    assert any("duyệt" in r or "approved" in r for r in result.reasons)


def test_only_the_head_computes(pw: Any) -> None:
    approved(pw)
    with system_scope():
        with pytest.raises(Http404):
            results.result_compute(
                actor=pw.w.principal_b1, person=pw.w.person_a1, school_year=pw.w.year
            )
        with pytest.raises(PermissionDenied):
            results.result_compute(
                actor=pw.w.teacher_a1, person=pw.w.person_a1, school_year=pw.w.year
            )


def test_the_school_is_computed_at_once_in_few_queries(pw: Any) -> None:
    approved(pw)
    colleague = pw.ev.colleague
    pw.ready(colleague)
    for p in ("01", "02", "03"):
        hours(pw, p, "40")
    with system_scope(), CaptureQueriesContext(connection) as queries:
        computed = results.results_compute_school(
            actor=pw.w.principal_a1, unit=pw.w.school_a1, school_year=pw.w.year
        )
    assert len(queries.captured_queries) <= 12
    by_person = {r.person_id: r for r in computed}
    assert set(by_person) == {pw.w.person_a1.pk, colleague.person.pk}
    assert by_person[colleague.person.pk].outcome == Outcome.NOT_COMPLETED
    # The same figures as one at a time.
    single = compute(pw)
    assert (single.outcome, single.reasons) == (
        by_person[pw.w.person_a1.pk].outcome,
        by_person[pw.w.person_a1.pk].reasons,
    )
    with system_scope():
        again = results.results_compute_school(
            actor=pw.w.principal_a1, unit=pw.w.school_a1, school_year=pw.w.year
        )
        assert YearResult.objects.count() == 2 and len(again) == 2
        with pytest.raises(Http404):
            results.results_compute_school(
                actor=pw.w.principal_b1, unit=pw.w.school_a1, school_year=pw.w.year
            )


# --- confirming and the loop ---------------------------------------------------------------


def test_confirming_puts_the_result_in_the_library_and_next_years_evaluation(
    pw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    plan = approved(pw)
    for p in ("01", "02", "03"):
        hours(pw, p, "40")
    assess_all(pw, plan)
    compute(pw)
    next_year = make_school_year("2026-2027", current=False)
    with system_scope():
        cycle = evaluation_services.cycle_open(
            actor=pw.w.officer_a,
            unit=pw.w.province_a,
            school_year=next_year,
            name="Đánh giá chuẩn 2026-2027",
            self_due=dt.date(2027, 5, 15),
            opinions_due=dt.date(2027, 5, 25),
            review_due=dt.date(2027, 6, 5),
        )
        later = evaluation_services.evaluation_start(
            actor=pw.w.teacher_a1, cycle=cycle, person=pw.w.person_a1
        )
    sent: list[tuple[str, int]] = []

    def receiver(sender: Any, plan: Any, action: str, **kw: Any) -> None:
        sent.append((action, plan.pk))

    plan_changed.connect(receiver)
    try:
        with system_scope(), django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(Http404):
                results.results_confirm(
                    actor=pw.w.principal_b1, unit=pw.w.school_a1, school_year=pw.w.year
                )
            (confirmed,) = results.results_confirm(
                actor=pw.w.principal_a1, unit=pw.w.school_a1, school_year=pw.w.year
            )
    finally:
        plan_changed.disconnect(receiver)
    assert confirmed.confirmed_by_id == pw.w.principal_a1.pk and confirmed.confirmed_at
    with system_scope():
        evidence = Evidence.objects.get(pk=confirmed.evidence_id)
        link = EvidenceLink.objects.get(evaluation=later)
        assert AuditEvent.objects.filter(action="plans.results_confirm").count() == 1
    assert evidence.owner_id == pw.w.person_a1.pk and evidence.school_year_id == pw.w.year.pk
    assert evidence.kind == "link"
    assert evidence.url == f"/bdtx/people/{pw.w.person_a1.pk}/result/2025-2026/"
    assert "2025-2026" in evidence.title
    assert "Hoàn thành" in evidence.title or "Completed" in evidence.title
    assert (link.criterion, link.evidence_id) == (3, evidence.pk)
    assert sent == [("plans.results_confirm", plan.pk)]
    # This year's finalised evaluation is not touched.
    with system_scope():
        assert not EvidenceLink.objects.filter(evaluation=pw.evaluation).exists()
        # Confirming again confirms nothing more and makes no second item.
        assert (
            results.results_confirm(
                actor=pw.w.principal_a1, unit=pw.w.school_a1, school_year=pw.w.year
            )
            == []
        )
        assert Evidence.objects.filter(owner=pw.w.person_a1, kind="link").count() == 1


def test_a_changed_result_needs_confirming_again(pw: Any) -> None:
    plan = approved(pw)
    for p in ("01", "02", "03"):
        hours(pw, p, "40")
    assess_all(pw, plan)
    compute(pw)
    with system_scope():
        results.results_confirm(actor=pw.w.principal_a1, unit=pw.w.school_a1, school_year=pw.w.year)
        item = PlanItem.objects.filter(plan=plan).first()
        results.item_assess(actor=pw.w.principal_a1, item=item, passed=False)
    changed = compute(pw)
    assert changed.outcome == Outcome.NOT_COMPLETED and changed.confirmed_at is None
    with system_scope():
        (again,) = results.results_confirm(
            actor=pw.w.principal_a1, unit=pw.w.school_a1, school_year=pw.w.year
        )
        evidence = Evidence.objects.get(pk=again.evidence_id)
    assert "Không hoàn thành" in evidence.title or "Not completed" in evidence.title


# --- the property --------------------------------------------------------------------------


counted_st = st.dictionaries(
    st.sampled_from(["01", "02", "03"]),
    st.decimals(min_value=0, max_value=80, places=1, allow_nan=False, allow_infinity=False),
)
items_st = st.lists(
    st.builds(
        Assessed,
        label=st.sampled_from(["GVPT 01", "GVPT 05", "CT01-1"]),
        score=st.none() | st.decimals(min_value=0, max_value=10, places=1),
        passed=st.none() | st.booleans(),
    ),
    max_size=4,
)


@given(
    counted=counted_st,
    items=items_st,
    programme=st.sampled_from(["01", "02", "03"]),
    extra=st.decimals(min_value=Decimal("0.1"), max_value=40, places=1),
    total=st.booleans(),
)
def test_a_confirmed_entry_more_never_lowers_a_result(
    counted: dict[str, Decimal],
    items: list[Assessed],
    programme: str,
    extra: Decimal,
    total: bool,
) -> None:
    rule = {"hours": "total" if total else "each_programme"}
    before = judge(
        required=REQUIRED, counted=counted, items=items, pass_score=Decimal(5), rule=rule
    )
    more = {**counted, programme: counted.get(programme, Decimal(0)) + extra}
    after = judge(required=REQUIRED, counted=more, items=items, pass_score=Decimal(5), rule=rule)
    assert after.completed or not before.completed
    assert len(after.reasons) <= len(before.reasons)


def test_an_entry_confirmed_never_lowers_the_stored_result(pw: Any) -> None:
    plan = approved(pw)
    assess_all(pw, plan)
    for p in ("01", "02"):
        hours(pw, p, "40")
    hours(pw, "03", "39.5")
    before = compute(pw)
    with system_scope():
        (entry,) = ledger.entry_record(
            actor=pw.w.principal_a1,
            people=[pw.w.person_a1],
            school_year=pw.w.year,
            source=EntrySource.SCHOOL,
            programme="03",
            hours="0.5",
            date=DAY,
            description="Sinh hoạt chuyên môn",
        )
    after = compute(pw)
    assert before.outcome == Outcome.NOT_COMPLETED and after.outcome == Outcome.COMPLETED
    assert entry.status == "confirmed"
