"""The draft plans of a whole unit at once (issue 12 item 8): what ``plans.services.plan_open``
makes for one person, made for everyone of a subtree who has no plan of the year yet.

The same draft (``drafting.proposal_from``), read in batches: the year's catalogues, modules,
requirements and contents once per title and province, the finalised evaluations with their
needs once per batch of people; the plans, their items and their audit events are written with
``bulk_create``. Each plan's history says it was opened, as when its person opens it; nobody is
named as the actor (the command line's work). Used by ``manage.py bdtx_plans draft`` (and the
benchmark "the draft plans of a province").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import translation

from opentemis.accounts.models import AuditEvent, User
from opentemis.accounts.services import audit_event
from opentemis.evaluations.models import LOCKED_STATUSES, Evaluation
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.plans.drafting import Proposal, level_of, proposal_from
from opentemis.plans.models import Plan, PlanItem
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.training.models import Catalogue, Module, ProgrammeContent, TrainingYear
from opentemis.training.selectors import (
    catalogue_for,
    contents_for,
    requirement_hours,
    title_of_person,
)

BATCH = 1000


@dataclass
class DraftResult:
    created: int = 0
    existing: int = 0  # plans of the year the subtree already held
    without_title: list[str] = field(default_factory=list)  # staff codes: no programme applies


class _YearData:
    """What the drafts of one year read, each loaded once (per title, per province)."""

    def __init__(self, school_year: SchoolYear) -> None:
        self.school_year = school_year
        year = TrainingYear.objects.filter(school_year=school_year).first()
        self.regulation_version = year.regulation_version if year else ""
        # The Sở above each person (drafting.province_of, for every province at once).
        self.provinces = list(
            Unit.dangerously_unscoped.filter(kind=UnitKind.DEPARTMENT).order_by("-depth")
        )
        self._catalogues: dict[str, Catalogue | None] = {}
        self._modules: dict[int, dict[str, Module]] = {}
        self._required: dict[str, dict[str, int]] = {}
        self._contents: dict[tuple[str, int | None], list[ProgrammeContent]] = {}

    def province(self, unit_path: str) -> Unit | None:
        return next((p for p in self.provinces if unit_path.startswith(p.path)), None)

    def catalogue(self, title: str) -> Catalogue | None:
        if title not in self._catalogues:
            self._catalogues[title] = catalogue_for(school_year=self.school_year, title=title)
        return self._catalogues[title]

    def modules(self, catalogue: Catalogue) -> dict[str, Module]:
        if catalogue.pk not in self._modules:
            self._modules[catalogue.pk] = {m.code: m for m in catalogue.modules.all()}
        return self._modules[catalogue.pk]

    def required(self, title: str) -> dict[str, int]:
        if title not in self._required:
            self._required[title] = requirement_hours(school_year=self.school_year, title=title)
        return self._required[title]

    def contents(self, title: str, province: Unit | None) -> list[ProgrammeContent]:
        key = (title, province.pk if province else None)
        if key not in self._contents:
            self._contents[key] = contents_for(
                school_year=self.school_year, title=title, province=province
            )
        return self._contents[key]


def latest_finalised_of(people: list[Person], school_year: SchoolYear) -> dict[int, Evaluation]:
    """Each person's newest finalised evaluation (``drafting.latest_finalised``, set-wise;
    the closed loop, ``loop.selectors``, reads it too)."""
    rows = (
        Evaluation.objects.filter(
            person__in=people,
            status__in=LOCKED_STATUSES,
            cycle__school_year__start_date__lte=school_year.start_date,
        )
        .select_related("framework")
        .prefetch_related("needs")
        .order_by("person_id", "-cycle__school_year__start_date", "-finalised_at")
    )
    newest: dict[int, Evaluation] = {}
    for evaluation in rows:
        newest.setdefault(evaluation.person_id, evaluation)
    return newest


def people_without_plan(unit: Unit, school_year: SchoolYear) -> Iterator[list[Person]]:
    """The working staff of ``unit``'s subtree who have no plan of the year, in batches."""
    # NOT EXISTS, an anti-join: NOT IN (subquery) over a year's million plans is planned by
    # PostgreSQL as a subplan per person once the ids outgrow work_mem.
    planned = Plan.objects.filter(school_year=school_year, person_id=OuterRef("pk"))
    pks = list(
        Person.objects.filter(
            unit_path__startswith=unit.path, employment_status=EmploymentStatus.WORKING
        )
        .filter(~Exists(planned))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pks), BATCH):
        yield list(
            Person.objects.filter(pk__in=pks[start : start + BATCH])
            .select_related("unit")
            .prefetch_related("positions", "unit__levels")
            .order_by("pk")
        )


def _write(people: Iterable[tuple[Person, Proposal]], data: _YearData, actor: User | None) -> int:
    pairs = list(people)
    plans = Plan.objects.bulk_create(
        Plan(
            person=person,
            school_year=data.school_year,
            unit_id=person.unit_id,
            unit_path=person.unit_path,
            title=proposal.title,
            catalogue=proposal.catalogue,
            evaluation=proposal.evaluation,
            regulation_version=data.regulation_version,
            updated_by=actor,
        )
        for person, proposal in pairs
    )
    PlanItem.objects.bulk_create(
        (
            PlanItem(
                plan=plan,
                position=index,
                programme=item.programme,
                module=item.module,
                content=item.content,
                hours=item.hours,
                form=item.form,
                suggested=item.suggested,
                reason=item.reason[:255],
            )
            for plan, (_person, proposal) in zip(plans, pairs, strict=True)
            for index, item in enumerate(proposal.items)
        ),
        batch_size=BATCH,
    )
    AuditEvent.objects.bulk_create(
        (
            audit_event(
                actor=actor,
                action="plans.open",
                obj=plan,
                unit_id=plan.unit_id,
                changes={
                    "items": len(proposal.items),
                    "suggested": sum(1 for i in proposal.items if i.suggested),
                    "evaluation": proposal.evaluation.pk if proposal.evaluation else None,
                },
            )
            for plan, (_person, proposal) in zip(plans, pairs, strict=True)
        ),
        batch_size=BATCH,
    )
    return len(plans)


def _proposals(
    people: list[Person], data: _YearData, result: DraftResult
) -> list[tuple[Person, Proposal]]:
    evaluations = latest_finalised_of(people, data.school_year)
    made = []
    # The reasons are stored as sentences: in the site's language (nobody's request here).
    with translation.override(settings.LANGUAGE_CODE):
        for person in people:
            made += _proposal_of(person, evaluations.get(person.pk), data, result)
    return made


def _proposal_of(
    person: Person, evaluation: Evaluation | None, data: _YearData, result: DraftResult
) -> list[tuple[Person, Proposal]]:
    title = title_of_person(person) or ""
    if not title:
        result.without_title.append(person.staff_code)
        return []
    catalogue = data.catalogue(title)
    with_modules = catalogue is not None and evaluation is not None
    proposal = proposal_from(
        title=title,
        catalogue=catalogue,
        evaluation=evaluation,
        required=data.required(title),
        contents=data.contents(title, data.province(person.unit.path)),
        modules=data.modules(catalogue) if with_modules and catalogue else {},
        level=level_of(person) if with_modules else "",
    )
    return [(person, proposal)]


def draft_plans_for(
    unit: Unit, school_year: SchoolYear, *, actor: User | None = None
) -> DraftResult:
    """Make the draft plan of everyone working in ``unit``'s subtree who has none for the
    year, as :func:`plans.services.plan_open` would make it for them. Run it again: it makes
    only the missing ones."""
    result = DraftResult()
    result.existing = Plan.objects.filter(
        school_year=school_year, unit_path__startswith=unit.path
    ).count()
    data = _YearData(school_year)
    for people in people_without_plan(unit, school_year):
        _draft_batch(people, data, result, actor)
    return result


def draft_plans_of(
    people: list[Person], school_year: SchoolYear, *, actor: User | None = None
) -> DraftResult:
    """The same for the given people (the demo's); those who have a plan keep it."""
    result = DraftResult()
    planned = set(
        Plan.objects.filter(school_year=school_year, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    result.existing = len(planned)
    pks = [p.pk for p in people if p.pk not in planned]
    batch = list(
        Person.objects.filter(pk__in=pks)
        .select_related("unit")
        .prefetch_related("positions", "unit__levels")
        .order_by("pk")
    )
    if batch:
        _draft_batch(batch, _YearData(school_year), result, actor)
    return result


def _draft_batch(
    people: list[Person], data: _YearData, result: DraftResult, actor: User | None
) -> None:
    """One batch, one transaction; a plan somebody opened meanwhile is kept (the batch is
    written again without its person)."""
    made = _proposals(people, data, result)
    try:
        with transaction.atomic():
            result.created += _write(made, data, actor)
    except IntegrityError:
        taken = set(
            Plan.objects.filter(
                school_year=data.school_year, person__in=[p for p, _ in made]
            ).values_list("person_id", flat=True)
        )
        result.existing += len(taken)
        with transaction.atomic():
            result.created += _write(
                [(p, proposal) for p, proposal in made if p.pk not in taken], data, actor
            )
