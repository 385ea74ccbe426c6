"""The reads of the plans API (``plans/api.py``), actor first: which plans, items and change
requests a caller reaches, and what the detail of one plan shows.

A caller reaches their own plan and the plans of the units where they hold ``plans.view`` or
``plans.manage``; anything else is a 404, as a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans.access import readable_q
from opentemis.plans.models import Plan, PlanChangeRequest, PlanItem
from opentemis.plans.rules import HoursLine, hours_lines
from opentemis.plans.services import EDITABLE, plan_due, submit_problems
from opentemis.training.selectors import requirement_hours


def reachable(actor: User) -> Q:
    """The plans ``actor`` reaches, as conditions on ``Plan``."""
    query = readable_q(actor, "unit_path")
    if actor.person_id:
        query |= Q(person_id=actor.person_id)
    return query


def plan_list(
    *, actor: User, school_year: SchoolYear, unit: Unit | None = None, status: str = ""
) -> QuerySet[Plan]:
    """The plans of the year ``actor`` reaches, narrowed to ``unit``'s subtree and a state."""
    rows = Plan.objects.filter(reachable(actor), school_year=school_year)
    if unit is not None:
        rows = rows.filter(unit_path__startswith=unit.path)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("person", "unit", "school_year").order_by(
        "unit_path", "person__full_name", "pk"
    )


def get_plan(*, actor: User, pk: int) -> Plan:
    plan: Plan | None = (
        Plan.objects.filter(reachable(actor), pk=pk)
        .select_related("person", "unit", "school_year", "catalogue")
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def get_plans(*, actor: User, pks: list[int]) -> list[Plan]:
    """Every plan ``pks`` names, or 404 if one is missing or out of reach."""
    plans = list(Plan.objects.filter(reachable(actor), pk__in=pks).select_related("person"))
    if len(plans) != len(set(pks)):
        raise Http404
    return plans


def get_item(*, plan: Plan, pk: int) -> PlanItem:
    item: PlanItem | None = PlanItem.objects.filter(plan=plan, pk=pk).first()
    if item is None:
        raise Http404
    return item


def get_change_request(*, actor: User, pk: int) -> PlanChangeRequest:
    request: PlanChangeRequest | None = (
        PlanChangeRequest.objects.filter(pk=pk)
        .filter(plan__in=Plan.objects.filter(reachable(actor)))
        .select_related("plan")
        .first()
    )
    if request is None:
        raise Http404
    return request


def get_unit(pk: int) -> Unit:
    """A unit of the caller's scope; 404 otherwise."""
    unit: Unit | None = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


@dataclass
class PlanDetail:
    plan: Plan
    items: list[PlanItem]
    hours: list[HoursLine]
    submit_problems: list[str]  # why it cannot be submitted yet (editable plans only)
    due: dt.date | None
    change_requests: list[PlanChangeRequest]


def plan_detail(plan: Plan) -> PlanDetail:
    """A reached plan with its items (and why each was suggested), its hours per programme
    against the year's requirement, what still stops its submission and its deadline."""
    required = requirement_hours(school_year=plan.school_year, title=plan.title)
    items = list(plan.items.select_related("module", "content"))
    counted: dict[str, int] = {}
    for item in items:  # planned_hours, from the items read anyway
        counted[item.programme] = counted.get(item.programme, 0) + item.hours
    planned = {k: Decimal(v) for k, v in counted.items()}
    return PlanDetail(
        plan=plan,
        items=items,
        hours=hours_lines(required, planned),
        submit_problems=(submit_problems(plan, planned=counted) if plan.status in EDITABLE else []),
        due=plan_due(unit_path=plan.unit_path, school_year=plan.school_year),
        change_requests=list(plan.change_requests.all()),
    )
