"""The closed loop, shown (issue 14 item 8): last year's weak criteria → this year's plan →
courses → hours → certificates → this year's self-evaluation evidence, for one person and, as a
funnel by criterion, for a unit.

Each step reads the one rule or record that owns it, never a copy:

* **weak criteria**: the needs the BDTX plan derives from an evaluation
  (``plans.drafting.needs_of``: below Khá weakest first, then those the person chose, then
  those at Khá), of the evaluation the plan was drafted from (``Plan.evaluation``), else of the
  person's newest finalised evaluation of an earlier year (``plans.bulk.latest_finalised_of``,
  the set-wise ``drafting.latest_finalised``);
* **plan**: this year's plan items whose programme-03 module develops the criterion
  (``training.Module.criteria``, of the evaluation's framework);
* **courses**: the person's enrolments, this year, in courses of those modules;
* **hours**: confirmed ledger entries (``plans.ledger``) of those items or of those completions;
* **certificates**: the module certificates issued for those completions
  (``certificates.Certificate``, of the year, by enrolment; the valid one, else the latest with
  its state, ``certificates.selectors.shown_first``); a person counts when one is valid;
* **evidence**: evidence items cited for the criterion in this year's self-evaluation
  (``evaluations.EvidenceLink``).

The funnel is nested: a person counts at a step for a criterion only if they count at the one
before (weak → planned → enrolled → completed → hours credited → certified → evidence
attached), so each figure is the share of the previous one that went on. Hours come before the
certificate because that is the order the system writes them in: a completion posts its hours
to the ledger (confirmed) and only then sends ``course_completed``, on which the certificates
app issues the module certificate (``learning.services.post_hours``). :func:`chain` is the
one predicate: the person's page shows it, the unit's funnel sums it over people (a recount
gives the same).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.certificates.models import Certificate, CertificateKind
from opentemis.certificates.selectors import shown_first
from opentemis.evaluations.models import Evaluation, EvidenceLink
from opentemis.learning.access import reads_progress_on
from opentemis.learning.models import Enrolment, EnrolmentStatus
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans.access import reads_plans_on
from opentemis.plans.bulk import latest_finalised_of
from opentemis.plans.drafting import needs_of
from opentemis.plans.ledger import get_person, school_people
from opentemis.plans.models import EntryStatus, LedgerEntry, Plan, PlanItem
from opentemis.plans.rollup import Counts
from opentemis.plans.rules import Need, need_reason
from opentemis.reports import protection
from opentemis.reports.data import Breakdown
from opentemis.staff.models import Person

STEPS = ("weak", "planned", "enrolled", "completed", "hours", "certified", "evidence")


def previous_year(school_year: SchoolYear) -> SchoolYear | None:
    """The school year before ``school_year`` (None for the first one)."""
    return (
        SchoolYear.objects.filter(start_date__lt=school_year.start_date)
        .order_by("-start_date")
        .first()
    )


@dataclass
class PersonData:
    """What the loop of one person reads, loaded for one person or for many at once."""

    person: Person
    evaluation: Evaluation | None = None
    plan: Plan | None = None
    items: list[PlanItem] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)  # confirmed, this year
    certificates: list[Certificate] = field(default_factory=list)  # module, this year
    links: list[EvidenceLink] = field(default_factory=list)  # this year's evaluation

    @property
    def needs(self) -> list[Need]:
        return needs_of(self.evaluation) if self.evaluation is not None else []


@dataclass
class Chain:
    """One weak criterion of one person, through the loop. Each step holds what it found
    (empty: the loop stops there)."""

    need: Need
    items: list[PlanItem]
    enrolments: list[Enrolment]
    completed: list[Enrolment]
    entries: list[LedgerEntry]
    certificates: list[Certificate]  # one per completion that has any (valid, else latest)
    links: list[EvidenceLink]

    @property
    def reason(self) -> str:
        return need_reason(self.need)

    @property
    def hours(self) -> Decimal:
        return sum((e.hours for e in self.entries), Decimal(0))

    def reached(self) -> dict[str, bool]:
        """Whether the person counts at each step (nested: each needs the one before)."""
        found = {
            "weak": True,
            "planned": bool(self.items),
            "enrolled": bool(self.enrolments),
            "completed": bool(self.completed),
            "hours": bool(self.entries),
            "certified": any(c.is_valid for c in self.certificates),
            "evidence": bool(self.links),
        }
        going = True
        for step in STEPS:
            going = going and found[step]
            found[step] = going
        return found


def _covers(item: PlanItem, criterion: int, framework: str) -> bool:
    module = item.module
    if module is None:
        return False
    if module.framework and framework and module.framework != framework:
        return False
    return criterion in {int(c) for c in module.criteria or []}


def chain(data: PersonData, need: Need) -> Chain:
    """The loop of one criterion of one person (the one predicate of both views)."""
    framework = data.evaluation.framework.code if data.evaluation is not None else ""
    items = [i for i in data.items if _covers(i, need.criterion, framework)]
    modules = {i.module_id for i in items}
    enrolments = [e for e in data.enrolments if e.course.module_id in modules]
    completed = [e for e in enrolments if e.status == EnrolmentStatus.COMPLETED]
    item_ids = {i.pk for i in items}
    entry_ids = {e.ledger_entry_id for e in completed if e.ledger_entry_id}
    entries = [e for e in data.entries if e.pk in entry_ids or e.item_id in item_ids]
    certificates = certificates_of(data, completed)
    links = [link for link in data.links if link.criterion == need.criterion]
    return Chain(need, items, enrolments, completed, entries, certificates, links)


def certificates_of(data: PersonData, completed: list[Enrolment]) -> list[Certificate]:
    """The module certificate of each of these completions that has one (the valid one, else
    the latest with its state: revoked, or replaced by a re-issue), from the person's
    certificates loaded with the rest (:func:`_load`)."""
    by_enrolment: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in data.certificates:
        if certificate.enrolment_id is not None:
            by_enrolment[certificate.enrolment_id].append(certificate)
    found = [shown_first(by_enrolment.get(e.pk, [])) for e in completed]
    return [c for c in found if c is not None]


# --- loading --------------------------------------------------------------------------------


def _load(people: list[Person], school_year: SchoolYear) -> list[PersonData]:
    """The loop's records of ``people`` for ``school_year``: a query per kind of record,
    whatever their number, within the request's scope (the caller's rule allowed these people;
    their records lie in the units the actor reads)."""
    data = {p.pk: PersonData(person=p) for p in people}
    ids = list(data)
    if not ids:
        return []
    plans = Plan.objects.filter(person_id__in=ids, school_year=school_year).select_related(
        "evaluation__framework"
    )
    for plan in plans.prefetch_related("evaluation__needs"):
        data[plan.person_id].plan = plan
        data[plan.person_id].evaluation = plan.evaluation
    for item in PlanItem.objects.filter(
        plan__person_id__in=ids, plan__school_year=school_year, module__isnull=False
    ).select_related("module", "plan"):
        data[item.plan.person_id].items.append(item)
    missing = [d.person for d in data.values() if d.evaluation is None]
    before = previous_year(school_year)
    if missing and before is not None:
        for person_id, evaluation in latest_finalised_of(missing, before).items():
            data[person_id].evaluation = evaluation
    for enrolment in (
        Enrolment.objects.filter(person_id__in=ids, course__school_year=school_year)
        .exclude(status=EnrolmentStatus.LEFT)
        .select_related("course")
        .order_by("course__code", "pk")
    ):
        data[enrolment.person_id].enrolments.append(enrolment)
    for entry in LedgerEntry.objects.filter(
        person_id__in=ids, school_year=school_year, status=EntryStatus.CONFIRMED
    ).order_by("date", "pk"):
        data[entry.person_id].entries.append(entry)
    for certificate in Certificate.objects.filter(
        person_id__in=ids, school_year=school_year, kind=CertificateKind.MODULE
    ).order_by("issued_at", "pk"):
        data[certificate.person_id].certificates.append(certificate)
    for link in (
        EvidenceLink.objects.filter(
            evaluation__person_id__in=ids, evaluation__cycle__school_year=school_year
        )
        .select_related("evidence", "evaluation")
        .order_by("criterion", "pk")
    ):
        data[link.evaluation.person_id].links.append(link)
    return list(data.values())


# --- one person -----------------------------------------------------------------------------


@dataclass
class PersonLoop:
    person: Person
    school_year: SchoolYear
    data: PersonData
    chains: list[Chain]

    @property
    def evaluation(self) -> Evaluation | None:
        return self.data.evaluation

    @property
    def plan(self) -> Plan | None:
        return self.data.plan

    @property
    def hours(self) -> Decimal:
        return sum((e.hours for e in self.data.entries), Decimal(0))

    @property
    def certified(self) -> int:
        """How many valid module certificates the person holds this year."""
        return sum(1 for c in self.data.certificates if c.is_valid)


def loop_person(*, actor: User, pk: int, school_year: SchoolYear) -> PersonLoop:
    """The loop of person ``pk``: themself, or whoever reads BDTX plans of their unit
    (``plans.ledger.get_person``: the head of the school, officers above); 404 otherwise."""
    person = get_person(actor=actor, pk=pk)
    (data,) = _load([person], school_year)
    return PersonLoop(
        person=person,
        school_year=school_year,
        data=data,
        chains=[chain(data, need) for need in data.needs],
    )


# --- a unit ---------------------------------------------------------------------------------


@dataclass
class FunnelRow:
    """One criterion (``criterion`` None: any criterion) through the steps, people counted
    with the ministry's sub-columns (bdtx.md R16), small cells suppressed."""

    criterion: int | None
    steps: dict[str, Breakdown]

    @property
    def cells(self) -> list[Breakdown]:
        """The steps' figures in the order of :data:`STEPS`."""
        return [self.steps[s] for s in STEPS]


@dataclass
class UnitFunnel:
    unit: Unit
    school_year: SchoolYear
    people: int
    rows: list[FunnelRow]
    min_cell: int

    @property
    def suppressed(self) -> bool:
        return any(None in b.values() for row in self.rows for b in row.steps.values())


def reads_unit(actor: User, unit: Unit) -> bool:
    """Plans and learning of the unit: ``plans.view`` (or ``plans.manage``) and
    ``learning.view`` (or ``learning.manage``)."""
    return reads_plans_on(actor, unit.path) and reads_progress_on(actor, unit.path)


def counts_of(data: Iterable[PersonData]) -> dict[int | None, dict[str, Counts]]:
    """Raw (unprotected) counts of people per criterion and step; ``None``: any criterion."""
    out: dict[int | None, dict[str, Counts]] = defaultdict(lambda: {s: Counts() for s in STEPS})
    for d in data:
        person = d.person
        flags = {
            "woman": person.gender == "F",
            "dtts": bool(person.is_dtts),
            "disadvantaged": bool(person.unit.disadvantaged_area),
        }
        anywhere = dict.fromkeys(STEPS, False)
        for need in d.needs:
            reached = chain(d, need).reached()
            for step in STEPS:
                if reached[step]:
                    out[need.criterion][step].add(1, **flags)
                    anywhere[step] = True
        if any(anywhere.values()):
            for step in STEPS:
                if anywhere[step]:
                    out[None][step].add(1, **flags)
    return dict(out)


def unit_funnel(*, actor: User, unit: Unit, school_year: SchoolYear) -> UnitFunnel:
    """The loop of everyone working in ``unit``'s subtree, by criterion; small cells of the
    sensitive sub-columns suppressed (``reports.protection``); 404 unless the actor reads the
    unit's plans and learning (:func:`reads_unit`)."""
    if not reads_unit(actor, unit):
        raise Http404
    people = list(school_people(unit=unit).select_related("unit"))
    counts = counts_of(_load(people, school_year))
    k = settings.REPORT_MIN_CELL
    rows = []
    for criterion in sorted(counts, key=lambda c: (c is None, c or 0)):
        steps = {s: Breakdown(*counts[criterion][s].values()) for s in STEPS}
        protection.protect_table(None, list(steps.values()), k)
        rows.append(FunnelRow(criterion=criterion, steps=steps))
    return UnitFunnel(unit=unit, school_year=school_year, people=len(people), rows=rows, min_cell=k)
