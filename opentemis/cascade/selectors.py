"""Reads of the cascade (issue 14 items 1, 2, 4): core staff of a unit with the conditions
checked, candidates, each school's tổ cốt cán, caseloads of a unit and of a core teacher, a
core teacher's support plan and activities. Every entry point takes the actor first; anything
outside their reach is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.cascade import balancing, conditions
from opentemis.cascade.models import Caseload, CoreCheck, SupportActivity, SupportPlan
from opentemis.core.params import parse_positive_int
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit
from opentemis.orgs.selectors import current_school_year_ref
from opentemis.staff.models import CoreDesignation, CoreKind, EmploymentStatus, Person, Subject

CANDIDATE_LIMIT = 300


def get_unit_for(actor: User, pk: object, perm: str = Perm.MANAGE_CASCADE) -> Unit:
    """Unit ``pk`` if ``actor`` holds ``perm`` on it; 404 otherwise."""
    unit = Unit.objects.filter(pk=parse_positive_int(pk) or 0).first()
    if unit is None:
        raise Http404
    require_perm_on(actor, perm, unit.path)
    return unit


def get_person_for(actor: User, pk: object, perm: str = Perm.MANAGE_CASCADE) -> Person:
    """Person ``pk`` if ``actor`` holds ``perm`` on their unit; 404 otherwise."""
    person = (
        Person.objects.filter(pk=parse_positive_int(pk) or 0)
        .select_related("unit", "subject_group")
        .first()
    )
    if person is None:
        raise Http404
    require_perm_on(actor, perm, person.unit_path)
    return person


def school_levels(unit_ids: list[int] | None = None, prefix: str = "") -> dict[int, list[str]]:
    """unit id -> its school levels' codes in the levels' order (one query)."""
    through = Unit.levels.through.objects.all()
    if unit_ids is not None:
        through = through.filter(unit_id__in=unit_ids)
    if prefix:
        through = through.filter(unit__path__startswith=prefix)
    found: dict[int, list[str]] = defaultdict(list)
    for unit_id, code in through.order_by("schoollevel__order").values_list(
        "unit_id", "schoollevel__code"
    ):
        found[unit_id].append(code)
    return found


def first_subjects(person_ids: list[int] | None = None, prefix: str = "") -> dict[int, int]:
    """person id -> the first of their subjects (in the subjects' order), one query."""
    through = Person.subjects.through.objects.all()
    if person_ids is not None:
        through = through.filter(person_id__in=person_ids)
    if prefix:
        through = through.filter(person__unit_path__startswith=prefix)
    found: dict[int, int] = {}
    for person_id, subject_id in through.order_by("person_id", "-subject__order").values_list(
        "person_id", "subject_id"
    ):
        found[person_id] = subject_id  # the last written is the first in order
    return found


# --- core staff and their check --------------------------------------------------------------


def kind_of(person: Person) -> str:
    """Core teacher or core manager, by the person's positions (a manager's post: CBQL)."""
    return (
        CoreKind.MANAGER if person.positions.filter(is_manager=True).exists() else CoreKind.TEACHER
    )


def check_person(
    person: Person, school_year: SchoolYear, *, kind: str, level: str | None
) -> conditions.Check:
    """The conditions checked for one candidate at ``level`` (a code)."""
    facts = conditions.facts_for([person], {person.pk: level or ""}, school_year)[person.pk]
    return conditions.check(conditions.rules().for_candidate(kind, level or ""), facts)


@dataclass
class CoreRow:
    """A designated core staff member with the check stored when designated."""

    designation: CoreDesignation
    check: CoreCheck | None
    caseload: int = 0


def core_staff(
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    subject: Subject | None = None,
    level: str = "",
    kind: str = "",
    perm: str = Perm.MANAGE_CASCADE,
) -> list[CoreRow]:
    """The core staff of ``unit``'s subtree for the year, by school then name: 3 queries."""
    require_perm_on(actor, perm, unit.path)
    qs = CoreDesignation.objects.filter(
        school_year=school_year, person__unit_path__startswith=unit.path
    ).select_related("person", "person__unit", "subject")
    if subject is not None:
        qs = qs.filter(subject=subject)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        levels = school_levels(prefix=unit.path)
        checked_level = CoreCheck.objects.filter(
            person_id=OuterRef("person_id"), school_year=school_year
        )
        at_level = [u for u, codes in levels.items() if codes and codes[0] == level]
        qs = qs.filter(
            Exists(checked_level.filter(level__code=level))
            | (~Exists(checked_level.exclude(level=None)) & Q(person__unit_id__in=at_level))
        )
    rows = list(qs.order_by("person__unit_path", "person__search_text"))
    checks = {
        c.person_id: c
        for c in CoreCheck.objects.filter(
            school_year=school_year, person_id__in=[r.person_id for r in rows]
        ).select_related("level")
    }
    loads = dict(
        Caseload.objects.filter(school_year=school_year, core_id__in=[r.person_id for r in rows])
        .order_by()
        .values("core_id")
        .annotate(n=Count("pk"))
        .values_list("core_id", "n")
    )
    return [
        CoreRow(designation=r, check=checks.get(r.person_id), caseload=loads.get(r.person_id, 0))
        for r in rows
    ]


@dataclass
class Candidate:
    person: Person
    level: str
    check: conditions.Check


def candidates(
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    subject: Subject | None,
    level: str,
    eligible_only: bool = False,
) -> tuple[list[Candidate], bool]:
    """Teachers of ``unit``'s subtree not core this year, of ``subject`` and/or at ``level``,
    each with the conditions checked (set-wise: a handful of queries for up to
    :data:`CANDIDATE_LIMIT` people). Returns them and whether the list was cut."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, unit.path)
    core = CoreDesignation.objects.filter(person_id=OuterRef("pk"), school_year=school_year)
    qs = (
        Person.objects.filter(
            unit_path__startswith=unit.path, employment_status=EmploymentStatus.WORKING
        )
        .filter(positions__code__in=balancing.settings().learner_positions)
        .filter(~Exists(core))
        .select_related("unit")
        .distinct()
    )
    if subject is not None:
        qs = qs.filter(subjects=subject)
    if level:
        qs = qs.filter(unit__levels__code=level)
    people = list(qs.order_by("unit_path", "search_text")[: CANDIDATE_LIMIT + 1])
    cut = len(people) > CANDIDATE_LIMIT
    people = people[:CANDIDATE_LIMIT]
    levels = school_levels([p.unit_id for p in people])
    level_of = {p.pk: level or (levels.get(p.unit_id) or [""])[0] for p in people}
    facts = conditions.facts_for(people, level_of, school_year)
    rules = conditions.rules()
    found = [
        Candidate(
            person=p,
            level=level_of[p.pk],
            check=conditions.check(
                rules.for_candidate(CoreKind.TEACHER, level_of[p.pk]), facts[p.pk]
            ),
        )
        for p in people
    ]
    if eligible_only:
        found = [c for c in found if c.check.passed]
    return found, cut


def school_core(*, actor: User, unit: Unit, school_year: SchoolYear) -> list[CoreRow]:
    """The school's tổ cốt cán (bdtx.md R12): its core staff of the year, read by whoever
    reads its staff or its learning (its principal, officers above)."""
    if not (
        has_perm_on(actor, Perm.VIEW_LEARNING, unit.path)
        or has_perm_on(actor, Perm.VIEW_STAFF, unit.path)
    ):
        raise Http404
    perm = (
        Perm.VIEW_LEARNING if has_perm_on(actor, Perm.VIEW_LEARNING, unit.path) else Perm.VIEW_STAFF
    )
    return core_staff(actor=actor, unit=unit, school_year=school_year, perm=perm)


def is_core(person_id: int | None, school_year: SchoolYear | None, kind: str = "") -> bool:
    if person_id is None or school_year is None:
        return False
    qs = CoreDesignation.objects.filter(person_id=person_id, school_year=school_year)
    return (qs.filter(kind=kind) if kind else qs).exists()


# --- caseloads -------------------------------------------------------------------------------


@dataclass
class Overview:
    unit: Unit
    school_year: SchoolYear
    cores: list[CoreRow]
    assigned: int
    unassigned: int
    max_per_core: int
    over: list[CoreRow] = field(default_factory=list)


def mass_teachers(unit: Unit, school_year: SchoolYear) -> QuerySet[Person]:
    """The mass teachers (đại trà) of ``unit``'s subtree for the year: working, holding a
    teaching post (``data/caseload.yaml``), not core that year."""
    positions = Person.positions.through.objects.filter(
        person_id=OuterRef("pk"), position__code__in=balancing.settings().learner_positions
    )
    core = CoreDesignation.objects.filter(person_id=OuterRef("pk"), school_year=school_year)
    return Person.objects.filter(
        unit_path__startswith=unit.path, employment_status=EmploymentStatus.WORKING
    ).filter(Exists(positions), ~Exists(core))


def unassigned(unit: Unit, school_year: SchoolYear) -> QuerySet[Person]:
    assigned = Caseload.objects.filter(learner_id=OuterRef("pk"), school_year=school_year)
    return mass_teachers(unit, school_year).filter(~Exists(assigned))


def caseload_overview(*, actor: User, unit: Unit, school_year: SchoolYear) -> Overview:
    """Each core teacher of the subtree with their count, and how many are still unassigned."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, unit.path)
    cores = core_staff(actor=actor, unit=unit, school_year=school_year, kind=CoreKind.TEACHER)
    max_per_core = balancing.settings().max_per_core
    assigned = Caseload.objects.filter(
        school_year=school_year, unit_path__startswith=unit.path
    ).count()
    return Overview(
        unit=unit,
        school_year=school_year,
        cores=cores,
        assigned=assigned,
        unassigned=unassigned(unit, school_year).count(),
        max_per_core=max_per_core,
        over=[c for c in cores if c.caseload > max_per_core],
    )


def caseloads_of_unit(*, actor: User, unit: Unit, school_year: SchoolYear) -> QuerySet[Caseload]:
    """The caseload rows of ``unit``'s learners (the API's list)."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, unit.path)
    return (
        Caseload.objects.filter(school_year=school_year, unit_path__startswith=unit.path)
        .select_related("learner", "core", "learner__unit")
        .order_by("unit_path", "learner__search_text", "pk")
    )


def colleagues_of(core_id: int, school_year: SchoolYear) -> list[Caseload]:
    """The caseload of one core teacher for the year, read across units: their colleagues sit
    in other schools, outside their own scope. Callers decide first who may read it (the core
    teacher themself, a Sở officer over the core teacher)."""
    with system_scope():
        return list(
            Caseload.objects.filter(school_year=school_year, core_id=core_id)
            .select_related("learner", "learner__unit")
            .order_by("learner__unit_path", "learner__search_text")
        )


# --- support ---------------------------------------------------------------------------------


def support_of(
    person_id: int, school_year: SchoolYear
) -> tuple[SupportPlan | None, list[SupportActivity]]:
    plan = SupportPlan.objects.filter(person_id=person_id, school_year=school_year).first()
    activities = list(
        SupportActivity.objects.filter(person_id=person_id, school_year=school_year)
        .prefetch_related("colleagues")
        .order_by("-date", "-pk")
    )
    return plan, activities


def levels_choices() -> list[tuple[str, str]]:
    return list(SchoolLevel.objects.values_list("code", "name"))


def core_teacher_now(user: User) -> bool:
    """Whether ``user`` is a core teacher in the current school year (the menu's entry to their
    colleagues). Their own designation only, read whatever their roles' scope."""
    if not user.person_id:
        return False
    with system_scope():
        return CoreDesignation.objects.filter(
            person_id=user.person_id,
            school_year=current_school_year_ref(),
            kind=CoreKind.TEACHER,
        ).exists()
