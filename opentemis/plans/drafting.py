"""The draft plan a person finds ready (issue 12 item 2): programme-01 and -02 contents that
apply to them, and programme-03 modules suggested from their own finalised evaluation, each
saying why. Reads only; :func:`plans.services.plan_open` stores what this proposes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opentemis.evaluations.models import LOCKED_STATUSES, Evaluation
from opentemis.orgs.models import SchoolYear, Unit, UnitKind, path_prefixes
from opentemis.plans.models import StudyForm
from opentemis.plans.rules import ModuleRef, Need, split_hours, suggest, weakest_first
from opentemis.staff.models import Person
from opentemis.training.models import Catalogue, Module, Programme, ProgrammeContent
from opentemis.training.selectors import (
    audience_of,
    catalogue_for,
    contents_for,
    requirement_hours,
    title_of_person,
)


@dataclass
class ProposedItem:
    programme: str
    hours: int
    module: Module | None = None
    content: ProgrammeContent | None = None
    reason: str = ""
    suggested: bool = False
    form: str = StudyForm.DISTANCE


@dataclass
class Proposal:
    title: str
    catalogue: Catalogue | None
    evaluation: Evaluation | None
    items: list[ProposedItem] = field(default_factory=list)


def province_of(unit: Unit) -> Unit | None:
    """The Sở above ``unit`` (or ``unit`` itself), whose programme-02 contents apply."""
    province: Unit | None = (
        Unit.dangerously_unscoped.filter(
            path__in=path_prefixes(unit.path), kind=UnitKind.DEPARTMENT
        )
        .order_by("-depth")
        .first()
    )
    return province


def latest_finalised(person: Person, school_year: SchoolYear) -> Evaluation | None:
    """The person's newest finalised evaluation of a year that started no later than
    ``school_year`` (the one that closed last year feeds this year's plan); acknowledged by
    the person or not, its result is the same."""
    return (
        Evaluation.objects.filter(
            person=person,
            status__in=LOCKED_STATUSES,
            cycle__school_year__start_date__lte=school_year.start_date,
        )
        .select_related("framework")
        .prefetch_related("needs")
        .order_by("-cycle__school_year__start_date", "-finalised_at")
        .first()
    )


def needs_of(evaluation: Evaluation) -> list[Need]:
    """The evaluation's criteria to work on, weakest first (final levels, BM1 part 2 choices)."""
    chosen = [int(c) for c in evaluation.priority_criteria or []]
    chosen += [n.criterion for n in evaluation.needs.all() if n.reason == "chosen"]
    return weakest_first(evaluation.review_levels or evaluation.self_levels or {}, chosen)


def propose(person: Person, school_year: SchoolYear, *, title: str | None = None) -> Proposal:
    """What the draft plan of ``person`` for ``school_year`` holds (nothing is written)."""
    title = title or title_of_person(person) or ""
    catalogue = catalogue_for(school_year=school_year, title=title) if title else None
    evaluation = latest_finalised(person, school_year)
    if not title:
        return Proposal(title=title, catalogue=catalogue, evaluation=evaluation)
    with_modules = catalogue is not None and evaluation is not None
    return proposal_from(
        title=title,
        catalogue=catalogue,
        evaluation=evaluation,
        required=requirement_hours(school_year=school_year, title=title),
        contents=contents_for(
            school_year=school_year, title=title, province=province_of(person.unit)
        ),
        modules={m.code: m for m in catalogue.modules.all()} if with_modules and catalogue else {},
        level=level_of(person) if with_modules else "",
    )


def proposal_from(
    *,
    title: str,
    catalogue: Catalogue | None,
    evaluation: Evaluation | None,
    required: dict[str, int],
    contents: list[ProgrammeContent],
    modules: dict[str, Module],
    level: str,
) -> Proposal:
    """The draft of a person of ``title`` from what it reads, loaded by the caller (once per
    person by :func:`propose`, once per batch by ``plans.bulk``): the year's ``required``
    hours, the ``contents`` that apply, the catalogue's ``modules`` by code, the person's
    newest finalised ``evaluation`` (its needs prefetched) and school ``level``."""
    proposal = Proposal(title=title, catalogue=catalogue, evaluation=evaluation)
    for content in contents:
        proposal.items.append(
            ProposedItem(programme=content.programme, hours=content.hours or 0, content=content)
        )
    _fill_unknown_hours(proposal, required)
    if catalogue is not None and evaluation is not None:
        refs = [
            ModuleRef(
                code=m.code,
                framework=m.framework,
                criteria=tuple(int(c) for c in m.criteria),
                audience=m.audience,
                levels=tuple(m.levels),
            )
            for m in modules.values()
        ]
        picks = suggest(
            needs=needs_of(evaluation),
            modules=refs,
            framework=evaluation.framework.code,
            audience=audience_of(title),
            level=level,
        )
        unknown = [p for p in picks if modules[p.module].hours is None]
        known = sum(modules[p.module].hours or 0 for p in picks)
        shares = iter(split_hours(max(required.get(Programme.P03, 0) - known, 0), len(unknown)))
        for pick in picks:
            module = modules[pick.module]
            hours = module.hours if module.hours is not None else next(shares)
            proposal.items.append(
                ProposedItem(
                    programme=Programme.P03,
                    hours=max(hours, 1),
                    module=module,
                    reason=pick.reason,
                    suggested=True,
                )
            )
    return proposal


def _fill_unknown_hours(proposal: Proposal, required: dict[str, int]) -> None:
    """Contents whose hours are unknown share what their programme still requires."""
    for programme in (Programme.P01, Programme.P02):
        items = [i for i in proposal.items if i.programme == programme]
        known = sum(i.hours for i in items if i.hours)
        unknown = [i for i in items if not i.hours]
        for item, hours in zip(
            unknown,
            split_hours(max(required.get(programme, 0) - known, 0), len(unknown)),
            strict=True,
        ):
            item.hours = max(hours, 1)


def level_of(person: Person) -> str:
    """The first school level of the person's unit ("" if none), as modules are filtered."""
    levels = sorted(person.unit.levels.all(), key=lambda lvl: lvl.order)
    return levels[0].code if levels else ""
