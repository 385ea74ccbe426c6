"""Reads of BDTX plans (actor first), for the plan pages: a person's own plan, and the plans of
a unit for whoever holds ``plans.view`` or ``plans.manage`` on it. Anything outside the actor's
reach is a 404, as a missing record is (the scoped managers are the net beneath).

The figures a page shows come from the one place that says them: the hours from
``services.planned_hours`` and ``rules.hours_lines``, the requirement from
``training.selectors.requirement_hours``, what blocks a submission from
``services.submit_problems``, the deadline from ``services.plan_due``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.plans.access import manages_plans_on, readable_q, reads_plans_on
from opentemis.plans.drafting import province_of
from opentemis.plans.models import ChangeStatus, Plan, PlanChangeRequest, PlanItem, PlanStatus
from opentemis.plans.rules import HoursLine, hours_lines
from opentemis.plans.services import is_owner, plan_due, planned_hours, submit_problems
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.training.models import Module, Programme, ProgrammeContent
from opentemis.training.selectors import audience_of, contents_for, requirement_hours

#: The status of a person who has not opened their plan yet (not a plan's status).
MISSING = "missing"
#: The units whose staff have plans (a picker lists these).
STAFFED_KINDS = (UnitKind.SCHOOL, UnitKind.GDTX_CENTRE, UnitKind.TEACHER_TRAINING)
PICKER_LIMIT = 500


# --- one plan ---------------------------------------------------------------------------------


def _plans() -> QuerySet[Plan]:
    return Plan.objects.select_related("person", "unit", "school_year", "catalogue", "evaluation")


def own_plan(*, actor: User, pk: int) -> Plan:
    """The actor's own plan ``pk``; 404 for anyone else's."""
    if actor.person_id is None:
        raise Http404
    return get_object_or_404(_plans(), pk=pk, person_id=actor.person_id)


def own_item(*, actor: User, pk: int) -> PlanItem:
    """An item of the actor's own plan; 404 for anyone else's."""
    if actor.person_id is None:
        raise Http404
    mine = Plan.objects.filter(person_id=actor.person_id)
    return get_object_or_404(
        PlanItem.objects.select_related("plan", "module", "content"), pk=pk, plan__in=mine
    )


def plan_for_reader(*, actor: User, pk: int) -> Plan:
    """Plan ``pk`` for its owner or for someone who reads the plans of its unit; 404 else."""
    plan = get_object_or_404(_plans(), pk=pk)
    if not is_owner(actor, plan) and not reads_plans_on(actor, plan.unit_path):
        raise Http404
    return plan


def change_request_for_manager(*, actor: User, pk: int) -> PlanChangeRequest:
    """A change request of a plan whose unit ``actor`` manages the plans of; 404 else."""
    request = get_object_or_404(
        PlanChangeRequest.objects.select_related("plan", "plan__person"), pk=pk
    )
    if not manages_plans_on(actor, request.plan.unit_path):
        raise Http404
    return request


# --- what a plan page shows -------------------------------------------------------------------


@dataclass
class ProgrammeBlock:
    """One programme of a plan: its items and its hours against the requirement."""

    code: str
    label: str
    items: list[PlanItem]
    line: HoursLine


@dataclass
class PlanPage:
    plan: Plan
    blocks: list[ProgrammeBlock]
    lines: list[HoursLine]
    due: dt.date | None
    requests: list[PlanChangeRequest] = field(default_factory=list)

    @property
    def planned_total(self) -> Decimal:
        return sum((line.counted for line in self.lines), Decimal(0))

    @property
    def required_total(self) -> int:
        return sum(line.required for line in self.lines)

    @property
    def pending_request(self) -> PlanChangeRequest | None:
        return next((r for r in self.requests if r.status == ChangeStatus.PENDING), None)

    @property
    def overdue(self) -> bool:
        """Past the deadline and not submitted yet."""
        return (
            self.due is not None
            and self.plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)
            and timezone.localdate() > self.due
        )


def hours_of(plan: Plan) -> list[HoursLine]:
    """Each programme's planned periods against the requirement of the plan's title."""
    required = requirement_hours(school_year=plan.school_year, title=plan.title)
    return hours_lines(required, {k: Decimal(v) for k, v in planned_hours(plan).items()})


def plan_page(*, actor: User, plan: Plan) -> PlanPage:
    """Everything the plan page shows of ``plan`` (already read within the actor's reach)."""
    items = list(plan.items.select_related("module", "content").order_by("position", "id"))
    lines = hours_of(plan)
    labels = dict(Programme.choices)
    blocks = [
        ProgrammeBlock(
            code=line.programme,
            label=str(labels[line.programme]),
            items=[i for i in items if i.programme == line.programme],
            line=line,
        )
        for line in lines
    ]
    return PlanPage(
        plan=plan,
        blocks=blocks,
        lines=lines,
        due=plan_due(unit_path=plan.unit_path, school_year=plan.school_year),
        requests=list(PlanChangeRequest.objects.filter(plan=plan).select_related("decided_by")),
    )


def problems_of(plan: Plan) -> list[str]:
    """Why the plan cannot be submitted yet (the service's list)."""
    return submit_problems(plan)


def addable_modules(*, actor: User, plan: Plan) -> list[Module]:
    """The modules of the plan's catalogue, for its title's audience, not in the plan yet."""
    if plan.catalogue_id is None:
        return []
    taken = plan.items.filter(module__isnull=False).values("module_id")
    return list(
        Module.objects.filter(catalogue_id=plan.catalogue_id, audience=audience_of(plan.title))
        .exclude(pk__in=taken)
        .order_by("position", "code")
    )


def addable_contents(*, actor: User, plan: Plan) -> list[ProgrammeContent]:
    """The programme-01/02 contents that apply to the plan's person and are not in it yet."""
    taken = set(plan.items.filter(content__isnull=False).values_list("content_id", flat=True))
    applying = contents_for(
        school_year=plan.school_year, title=plan.title, province=province_of(plan.unit)
    )
    return [c for c in applying if c.pk not in taken]


# --- a unit's plans ----------------------------------------------------------------------------


def plan_units(*, actor: User) -> QuerySet[Unit]:
    """The schools (and other staffed units) whose plans ``actor`` reads, for a picker."""
    return Unit.objects.filter(readable_q(actor, "path"), kind__in=STAFFED_KINDS).order_by("path")[
        :PICKER_LIMIT
    ]


def get_plan_unit(*, actor: User, pk: int) -> Unit:
    """Unit ``pk`` if ``actor`` reads its plans; 404 otherwise (not even confirmed to exist)."""
    unit = get_object_or_404(Unit.objects.all(), pk=pk)
    if not reads_plans_on(actor, unit.path):
        raise Http404
    return unit


def default_plan_unit(*, actor: User) -> Unit | None:
    """The unit the approval page opens on: the actor's own school when they read its plans,
    else their highest unit where they do."""
    if actor.person_id is not None:
        person = Person.objects.filter(pk=actor.person_id).select_related("unit").first()
        if person is not None and reads_plans_on(actor, person.unit.path):
            return person.unit
    return Unit.objects.filter(readable_q(actor, "path")).order_by("depth", "name").first()


@dataclass
class RosterRow:
    person: Person
    plan: Plan | None

    @property
    def status(self) -> str:
        return self.plan.status if self.plan is not None else MISSING


@dataclass
class Roster:
    unit: Unit
    rows: list[RosterRow]
    counts: dict[str, int]


ROSTER_STATUSES = (
    MISSING,
    PlanStatus.DRAFT,
    PlanStatus.SUBMITTED,
    PlanStatus.RETURNED,
    PlanStatus.APPROVED,
)


def unit_roster(*, actor: User, unit: Unit, school_year: SchoolYear, status: str = "") -> Roster:
    """Each working person of ``unit`` with their plan of the year (None: not opened yet),
    the counts per status, and the rows of ``status`` (all when empty)."""
    if not reads_plans_on(actor, unit.path):
        raise Http404
    people = list(
        Person.objects.filter(unit=unit, employment_status=EmploymentStatus.WORKING).order_by(
            "search_text", "id"
        )
    )
    plans = {
        p.person_id: p
        for p in Plan.objects.filter(school_year=school_year, person__in=[p.pk for p in people])
    }
    rows = [RosterRow(person=p, plan=plans.get(p.pk)) for p in people]
    counts = Counter(row.status for row in rows)
    shown = [row for row in rows if not status or row.status == status]
    return Roster(unit=unit, rows=shown, counts={s: counts.get(s, 0) for s in ROSTER_STATUSES})


def pending_requests(
    *, actor: User, unit: Unit, school_year: SchoolYear
) -> list[PlanChangeRequest]:
    """The change requests of ``unit``'s plans of the year waiting for a decision."""
    if not reads_plans_on(actor, unit.path):
        raise Http404
    return list(
        PlanChangeRequest.objects.filter(
            plan__unit=unit, plan__school_year=school_year, status=ChangeStatus.PENDING
        ).select_related("plan", "plan__person")
    )


def plans_to_approve(*, actor: User, unit: Unit, pks: list[int]) -> list[Plan]:
    """The plans ``pks`` of ``unit``; 404 if one is missing, elsewhere or out of reach."""
    if not manages_plans_on(actor, unit.path):
        raise Http404
    plans = list(Plan.objects.filter(pk__in=pks, unit=unit).select_related("person"))
    if len(plans) != len(set(pks)):
        raise Http404
    return plans
