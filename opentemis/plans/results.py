"""The year's BDTX result (issue 12 item 6; TT 19/2019 Đ.10-11): each assessed content of the
plan, then "Hoàn thành / Không hoàn thành kế hoạch BDTX" with its reasons, confirmed by the head
of the school.

The result follows from data, through ``rules.judge``: the requirement of the plan's title
(``training.selectors.requirement_hours``), the confirmed hours of the ledger, the plan's items
as assessed, the year's pass mark and result rule (``training.TrainingYear``). What it was
judged by is stored with it (figures, reasons, rule, regulation version, bdtx.md R17).

Closing the loop: on confirmation each person gets an evidence item in their library (a link to
their result page, for the year), and an evaluation of theirs not finalised yet, of a later
school year, cites it for the criterion ``TrainingYear.evidence_criteria`` names for its
framework. An evaluation started later finds it in the person's library (title "Kết quả BDTX
năm học …", school year set); evaluations has no hook to suggest evidence yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import LOCKED_STATUSES, Evaluation, EvidenceLink
from opentemis.evidence.models import Evidence, EvidenceKind
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans.ledger import (
    can_manage,
    confirmed_hours,
    grouped_hours,
    is_self,
    require_manager,
    require_view,
    requirements_by_title,
)
from opentemis.plans.models import Outcome, Plan, PlanItem, PlanStatus, YearResult
from opentemis.plans.rules import DEFAULT_RULE, Assessed, Judgement, judge, periods_text
from opentemis.plans.signals import send_plan_changed
from opentemis.staff.models import Person
from opentemis.training.models import TrainingYear
from opentemis.training.selectors import requirement_hours

MAX_SCORE = Decimal(10)


def outcome_label(outcome: str) -> str:
    """ "Hoàn thành" / "Không hoàn thành", as the page and the files show it."""
    return _("Completed") if outcome == Outcome.COMPLETED else _("Not completed")


# --- assessing items ----------------------------------------------------------------------


def clean_score(value: Any) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        score = Decimal(-1)
    if not score.is_finite() or not Decimal(0) <= score <= MAX_SCORE:
        raise ValidationError(_("The score is a number from 0 to 10."))
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError(_("The score takes at most two decimals."))
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def item_assess(
    *, actor: User, item: PlanItem, score: Any = None, passed: bool | None = None
) -> PlanItem:
    """The head assesses an item of an approved plan: a score on 10 and/or Đạt / Chưa đạt
    (TT 19/2019 Đ.10). Both empty clears the assessment."""
    plan = Plan.objects.select_for_update(of=("self",)).get(pk=item.plan_id)
    require_manager(actor, plan.unit_path, plan.person_id)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only the items of an approved plan are assessed."))
    current = PlanItem.objects.select_for_update().get(pk=item.pk, plan=plan)
    current.score = clean_score(score)
    current.passed = passed
    assessed = current.score is not None or current.passed is not None
    current.assessed_by = actor if assessed else None
    current.assessed_at = timezone.now() if assessed else None
    current.save(update_fields=["score", "passed", "assessed_by", "assessed_at"])
    audit(
        actor=actor,
        action="plans.item_assess",
        obj=plan,
        unit_id=plan.unit_id,
        changes={
            "item": current.pk,
            "score": None if current.score is None else str(current.score),
            "passed": current.passed,
        },
    )
    return current


def item_label(item: PlanItem) -> str:
    """An item as the reasons name it: the module's or content's code and title."""
    source = item.module or item.content
    if source is None:
        return _("Programme %(p)s item") % {"p": item.programme}
    return f"{source.code} {source.title}".strip()


def assessed(items: Sequence[PlanItem]) -> list[Assessed]:
    return [Assessed(label=item_label(i), score=i.score, passed=i.passed) for i in items]


# --- computing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRules:
    pass_score: Decimal
    rule: dict[str, str]
    regulation_version: str
    source: str
    to_verify: str
    evidence_criteria: dict[str, int]


def year_rules(school_year: SchoolYear) -> YearRules:
    year = TrainingYear.objects.filter(school_year=school_year).first()
    if year is None:
        return YearRules(Decimal(5), dict(DEFAULT_RULE), "", "", "", {})
    return YearRules(
        pass_score=Decimal(year.pass_score),
        rule={**DEFAULT_RULE, **(year.result_rule or {})},
        regulation_version=year.regulation_version,
        source=year.result_source,
        to_verify=year.result_to_verify,
        evidence_criteria=dict(year.evidence_criteria or {}),
    )


def judge_plan(
    *,
    plan: Plan,
    items: Sequence[PlanItem],
    required: dict[str, int],
    counted: dict[str, Decimal],
    rules: YearRules,
) -> Judgement:
    """``rules.judge`` on the plan's figures; a plan not approved is one more reason (its
    items are not assessed then: they are not listed as such)."""
    approved = plan.status == PlanStatus.APPROVED
    judgement = judge(
        required=required,
        counted=counted,
        items=assessed(items) if approved else [],
        pass_score=rules.pass_score,
        rule=rules.rule,
    )
    if not approved:
        judgement.reasons.insert(0, _("the BDTX plan is not approved"))
        return Judgement(
            completed=False, lines=judgement.lines, reasons=judgement.reasons, rule=judgement.rule
        )
    return judgement


def _fill(
    result: YearResult,
    *,
    plan: Plan,
    judgement: Judgement,
    required: dict[str, int],
    counted: dict[str, Decimal],
    rules: YearRules,
) -> bool:
    """Write the judgement on ``result``; True when the outcome or the reasons changed (a
    confirmed result then needs confirming again)."""
    outcome = Outcome.COMPLETED if judgement.completed else Outcome.NOT_COMPLETED
    changed = result.outcome != outcome or list(result.reasons or []) != judgement.reasons
    result.plan = plan
    result.unit_id = plan.unit_id
    result.unit_path = plan.unit_path
    result.outcome = outcome
    # The same text from SQLite and PostgreSQL (a sum of numeric(5,1) is 40.0 on the latter).
    result.hours = {p: periods_text(Decimal(v)) for p, v in sorted(counted.items())}
    result.required = dict(sorted(required.items()))
    result.reasons = list(judgement.reasons)
    result.rule = {
        **judgement.rule,
        "pass_score": str(rules.pass_score),
        "source": rules.source,
        "to_verify": rules.to_verify,
    }
    result.regulation_version = rules.regulation_version or plan.regulation_version
    if changed and result.confirmed_at is not None:
        result.confirmed_at = None
        result.confirmed_by = None
    return changed


@transaction.atomic
def result_compute(*, actor: User, person: Person, school_year: SchoolYear) -> YearResult:
    """The person's result of the year from their plan, confirmed hours and assessments
    (created or brought up to date)."""
    plan = (
        Plan.objects.filter(person=person, school_year=school_year)
        .select_related("school_year")
        .first()
    )
    if plan is None:
        require_view(actor, person)
        raise ValidationError(_("%(name)s has no BDTX plan this year.") % {"name": person})
    require_manager(actor, plan.unit_path, plan.person_id)
    rules = year_rules(school_year)
    required = requirement_hours(school_year=school_year, title=plan.title)
    counted = confirmed_hours(person=person, school_year=school_year)
    items = list(plan.items.select_related("module", "content"))
    judgement = judge_plan(plan=plan, items=items, required=required, counted=counted, rules=rules)
    result = (
        YearResult.objects.select_for_update()
        .filter(person=person, school_year=school_year)
        .first()
    ) or YearResult(person=person, school_year=school_year)
    _fill(result, plan=plan, judgement=judgement, required=required, counted=counted, rules=rules)
    result.save()
    audit(
        actor=actor,
        action="plans.result_compute",
        obj=result,
        unit_id=plan.unit_id,
        changes={"outcome": result.outcome, "reasons": result.reasons},
    )
    return result


@transaction.atomic
def results_compute_school(*, actor: User, unit: Unit, school_year: SchoolYear) -> list[YearResult]:
    """Everyone of the unit's subtree with a plan of the year, at once, in a fixed number of
    queries (plans, items, requirements, the grouped ledger, existing results, then one bulk
    insert and one bulk update). The head's own result is left to their superior."""
    require_perm_on(actor, Perm.MANAGE_PLANS, unit.path)
    plans = [
        p
        for p in Plan.objects.filter(
            school_year=school_year, unit_path__startswith=unit.path
        ).select_related("person")
        if not is_self(actor, p.person_id) and can_manage(actor, p.unit_path)
    ]
    rules = year_rules(school_year)
    items: dict[int, list[PlanItem]] = defaultdict(list)
    for item in PlanItem.objects.filter(plan__in=[p.pk for p in plans]).select_related(
        "module", "content"
    ):
        items[item.plan_id].append(item)
    required_by_title = requirements_by_title(school_year=school_year)
    hours = grouped_hours(unit_path=unit.path, school_year=school_year)
    existing = {
        r.person_id: r
        for r in YearResult.objects.select_for_update().filter(
            school_year=school_year, person__in=[p.person_id for p in plans]
        )
    }
    new: list[YearResult] = []
    updated: list[YearResult] = []
    for plan in plans:
        required = required_by_title.get(plan.title, {})
        counted = hours.get(plan.person_id, ({}, {}))[0]
        judgement = judge_plan(
            plan=plan, items=items[plan.pk], required=required, counted=counted, rules=rules
        )
        result = existing.get(plan.person_id)
        if result is None:
            result = YearResult(person_id=plan.person_id, school_year=school_year)
            new.append(result)
        else:
            updated.append(result)
        _fill(
            result, plan=plan, judgement=judgement, required=required, counted=counted, rules=rules
        )
    now = timezone.now()
    for result in new + updated:
        result.computed_at = now  # auto_now is not applied by bulk writes
    YearResult.objects.bulk_create(new)
    YearResult.objects.bulk_update(
        updated,
        [
            "plan",
            "unit",
            "unit_path",
            "outcome",
            "hours",
            "required",
            "reasons",
            "rule",
            "regulation_version",
            "computed_at",
            "confirmed_by",
            "confirmed_at",
        ],
    )
    completed = sum(1 for r in new + updated if r.outcome == Outcome.COMPLETED)
    audit(
        actor=actor,
        action="plans.results_compute",
        obj=unit,
        unit=unit,
        changes={
            "school_year": school_year.code,
            "people": len(plans),
            "completed": completed,
        },
    )
    return sorted(new + updated, key=lambda r: r.person_id)


# --- confirming and closing the loop ---------------------------------------------------


def result_path(person_id: int, school_year: SchoolYear) -> str:
    """The person's result page (where the evidence item points)."""
    return reverse("bdtx_result", args=[person_id, school_year.code])


def evidence_title(result: YearResult, school_year: SchoolYear) -> str:
    return _("BDTX result of the school year %(year)s: %(outcome)s") % {
        "year": school_year.code,
        "outcome": outcome_label(result.outcome),
    }


def _result_evidence(result: YearResult, school_year: SchoolYear, actor: User) -> Evidence:
    """The evidence item in the person's library for this result: made by the system when the
    head confirms (the library's own writes are the owner's, ``evidence.services``), a link
    to the result page, for the result's year; kept and retitled when confirmed again."""
    url = result_path(result.person_id, school_year)
    title = evidence_title(result, school_year)
    evidence = result.evidence or (
        Evidence.objects.filter(owner_id=result.person_id, kind=EvidenceKind.LINK, url=url).first()
    )
    if evidence is None:
        return Evidence.objects.create(
            owner_id=result.person_id,
            kind=EvidenceKind.LINK,
            title=title,
            url=url,
            school_year=school_year,
            created_by=actor,
        )
    if evidence.title != title:
        evidence.title = title
        evidence.save(update_fields=["title"])
    return evidence


def later_evaluations(
    *, person_id: int, school_year: SchoolYear, criteria: dict[str, int]
) -> list[tuple[Evaluation, int]]:
    """The person's evaluations not finalised yet, of a cycle whose year starts after the
    result's, whose framework names a criterion for the result; with that criterion."""
    if not criteria:
        return []
    found = (
        Evaluation.objects.filter(
            person_id=person_id,
            cycle__school_year__start_date__gt=school_year.start_date,
            framework__code__in=list(criteria),
        )
        .exclude(status__in=LOCKED_STATUSES)
        .select_related("framework")
    )
    return [(e, criteria[e.framework.code]) for e in found]


def _cite_in_later_evaluations(
    actor: User, result: YearResult, evidence: Evidence, rules: YearRules
) -> int:
    """Cite the evidence in the person's later evaluations; how many links were made. The
    system links (``evaluations.services.evidence_attach`` is the person's own write), in the
    system scope: the person may have moved to a school outside the head's reach since."""
    made = 0
    with system_scope():
        for evaluation, criterion in later_evaluations(
            person_id=result.person_id,
            school_year=result.school_year,
            criteria=rules.evidence_criteria,
        ):
            _row, created = EvidenceLink.objects.get_or_create(
                evaluation=evaluation, criterion=criterion, evidence=evidence
            )
            if created:
                made += 1
                audit(
                    actor=actor,
                    action="plans.result_evidence_link",
                    obj=evaluation,
                    unit_id=evaluation.unit_id,
                    changes={"criterion": criterion, "evidence": evidence.pk},
                )
    return made


@transaction.atomic
def results_confirm(
    *, actor: User, unit: Unit, school_year: SchoolYear, results: Sequence[YearResult] = ()
) -> list[YearResult]:
    """The head confirms the computed results of the unit's subtree (all not confirmed yet, or
    those given; their own is for their superior). Each person gets the result in their
    evidence library, cited in their later evaluation where one is open, and is notified."""
    require_perm_on(actor, Perm.MANAGE_PLANS, unit.path)
    query = YearResult.objects.select_for_update(of=("self",)).filter(
        school_year=school_year, unit_path__startswith=unit.path, confirmed_at__isnull=True
    )
    if results:
        query = query.filter(pk__in=[r.pk for r in results])
    waiting = list(query.select_related("plan", "evidence", "school_year").order_by("pk"))
    own = [r for r in waiting if is_self(actor, r.person_id)]
    if own and results:
        raise PermissionDenied(_("Your own result is confirmed by your superior."))
    rules = year_rules(school_year)
    now = timezone.now()
    confirmed = []
    for result in waiting:
        if result in own or not can_manage(actor, result.unit_path):
            continue
        result.confirmed_by = actor
        result.confirmed_at = now
        result.evidence = _result_evidence(result, school_year, actor)
        result.save(update_fields=["confirmed_by", "confirmed_at", "evidence"])
        links = _cite_in_later_evaluations(actor, result, result.evidence, rules)
        audit(
            actor=actor,
            action="plans.results_confirm",
            obj=result,
            unit_id=result.unit_id,
            changes={"outcome": result.outcome, "evidence": result.evidence.pk, "links": links},
        )
        if result.plan is not None:
            send_plan_changed(
                result.plan, "plans.results_confirm", actor, {"outcome": result.outcome}
            )
        confirmed.append(result)
    return confirmed


# --- reads --------------------------------------------------------------------------------


def person_result(*, actor: User, person: Person, school_year: SchoolYear) -> YearResult | None:
    """The person's result of the year (None: not computed), for the person and whoever reads
    plans of their unit; anyone else 404."""
    require_view(actor, person)
    return (
        YearResult.objects.filter(person=person, school_year=school_year)
        .select_related("confirmed_by", "evidence", "plan")
        .first()
    )


def school_results(*, actor: User, unit: Unit, school_year: SchoolYear) -> QuerySet[YearResult]:
    require_perm_on(actor, Perm.VIEW_PLANS, unit.path)
    return (
        YearResult.objects.filter(school_year=school_year, unit_path__startswith=unit.path)
        .select_related("person", "confirmed_by")
        .order_by("person__full_name", "person_id")
    )


def assessable_items(*, actor: User, unit: Unit, school_year: SchoolYear) -> list[PlanItem]:
    """The items of the approved plans of the unit's subtree (the head's own left out)."""
    require_perm_on(actor, Perm.MANAGE_PLANS, unit.path)
    return [
        i
        for i in PlanItem.objects.filter(
            plan__school_year=school_year,
            plan__unit_path__startswith=unit.path,
            plan__status=PlanStatus.APPROVED,
        )
        .select_related("plan__person", "module", "content")
        .order_by("plan__person__full_name", "plan_id", "programme", "position", "id")
        if not is_self(actor, i.plan.person_id)
    ]


def get_item_for_manager(*, actor: User, pk: int) -> PlanItem:
    item = PlanItem.objects.select_related("plan").filter(pk=pk).first()
    if item is None:
        raise Http404
    require_manager(actor, item.plan.unit_path, item.plan.person_id)
    return item
