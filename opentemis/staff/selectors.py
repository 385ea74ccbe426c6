"""Reads over staff, always inside the actor's units (explicit filter + scoped manager)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from opentemis.accounts.models import User
from opentemis.accounts.permissions import perm_paths, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.core.text import fold
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import current_school_year, current_school_year_ref
from opentemis.staff.models import CoreDesignation, Person, Position, Subject
from opentemis.staff.reference import HEAD_POSITIONS
from opentemis.staff.sensitive import require_sensitive_throughout

# Searches matching at most this many people are sorted by name; larger ones by unit and name,
# and their count stops there ("more than 2,000: narrow the search").
SEARCH_SORT_LIMIT = 2_000


@dataclass
class StaffFilter:
    """What a staff list can be filtered on (pages, exports and the API share it)."""

    unit: Unit | None = None
    q: str = ""
    position: str = ""
    subject: str = ""
    gender: str = ""
    dtts: bool | None = None
    core: bool | None = None
    status: str = ""

    def described(self) -> dict[str, Any]:
        """The filters as the audit of reads records them (raw values; empty ones dropped)."""
        return {
            "unit": self.unit.pk if self.unit is not None else None,
            "q": self.q,
            "position": self.position,
            "subject": self.subject,
            "gender": self.gender,
            "dtts": self.dtts,
            "core": self.core,
            "status": self.status,
        }


@dataclass
class StaffResult:
    """A filtered staff list, with the number of matches when a search has already counted them
    (up to SEARCH_SORT_LIMIT + 1), so the page need not count again."""

    people: QuerySet[Person]
    known_count: int | None = None


def staff_list(*, actor: User, filters: StaffFilter | None = None) -> QuerySet[Person]:
    """The people the actor may see, filtered. A name search runs its match query here."""
    return staff_query(actor=actor, filters=filters).people


def staff_query(*, actor: User, filters: StaffFilter | None = None) -> StaffResult:
    f = filters or StaffFilter()
    qs = Person.objects.within(
        perm_paths(actor, Perm.VIEW_STAFF), (f.unit.path,) if f.unit is not None else None
    )
    folded = fold(f.q)
    if folded:
        qs = qs.filter(search_text__contains=folded)
    # EXISTS on the link table with the id resolved first: PostgreSQL then knows how common the
    # position is (GV: 3 in 4 people) instead of guessing from a join on the code.
    # An unknown code matches nobody.
    if f.position:
        position_id = Position.objects.filter(code=f.position).values_list("id", flat=True).first()
        if position_id is None:
            qs = qs.none()
        else:
            holds = Person.positions.through.objects.filter(
                person_id=OuterRef("pk"), position_id=position_id
            )
            qs = qs.filter(Exists(holds))
    if f.subject:
        subject_id = Subject.objects.filter(code=f.subject).values_list("id", flat=True).first()
        if subject_id is None:
            qs = qs.none()
        else:
            teaches = Person.subjects.through.objects.filter(
                person_id=OuterRef("pk"), subject_id=subject_id
            )
            qs = qs.filter(Exists(teaches))
    if f.gender:
        qs = qs.filter(gender=f.gender)
    if f.dtts is not None:
        # Sensitive data (decision 0012): refused, not ignored, where the actor may not see it.
        require_sensitive_throughout(actor, f.unit)
        qs = qs.filter(is_dtts=f.dtts)
    if f.status:
        qs = qs.filter(employment_status=f.status)
    if f.core is not None:
        core = is_core_now()
        qs = qs.filter(core if f.core else ~core)
    if folded:
        matches = list(qs.order_by().values_list("id", flat=True)[: SEARCH_SORT_LIMIT + 1])
        if len(matches) <= SEARCH_SORT_LIMIT:
            # Two steps on purpose: find the matches (trigram index, no order), then sort those
            # few by name. In one query PostgreSQL may walk the name index in order hoping to
            # meet matches early, and "pham minh" sits behind 850,000 names (1.8 s).
            qs = Person.objects.filter(pk__in=matches)
            return StaffResult(
                qs.select_related("unit").order_by("search_text", "id"), len(matches)
            )
    # A plain list, or a search matching more than the limit, goes unit by unit, then by name:
    # one index on (unit_path, search_text, id) serves that order at any size.
    people = qs.select_related("unit").order_by("unit_path", "search_text", "id")
    return StaffResult(people, SEARCH_SORT_LIMIT + 1 if folded else None)


def staff_home_unit(*, actor: User) -> Unit | None:
    """The actor's one staff subtree, if they have exactly one: where the staff page opens."""
    paths = perm_paths(actor, Perm.VIEW_STAFF)
    if paths is not None and len(paths) == 1:
        return Unit.objects.filter(path=paths[0]).first()
    return None


def get_person_for_user(*, actor: User, pk: int, perm: str = Perm.VIEW_STAFF) -> Person:
    """The person, or 404 if missing or outside the actor's reach. Everyone may see themself."""
    person = get_object_or_404(Person.objects.select_related("unit", "subject_group"), pk=pk)
    if perm == Perm.VIEW_STAFF and actor.person_id == person.pk:
        return person
    require_perm_on(actor, perm, person.unit_path)
    return person


def heads_of(unit: Unit) -> list[Person]:
    """The head(s) of a school or centre (HT, GD), in the active scope: whom its staff ask."""
    return list(
        Person.objects.filter(unit=unit, positions__code__in=HEAD_POSITIONS)
        .distinct()
        .order_by("search_text")
    )


def is_core_now() -> Exists:
    """Whether a person (``OuterRef("pk")``) is core (cốt cán) in the current school year: the
    one condition of the staff list's filter and the API's ``is_core``. No year: nobody."""
    return Exists(
        CoreDesignation.objects.filter(
            person_id=OuterRef("pk"), school_year=current_school_year_ref()
        )
    )


def current_core_designation(*, person: Person) -> CoreDesignation | None:
    year = current_school_year()
    if year is None:
        return None
    return person.core_designations.filter(school_year=year).first()


def reference_choices() -> dict[str, list[tuple[str, str]]]:
    """Positions and subjects as (code, name), cached: they change a few times a year."""
    cached: dict[str, list[tuple[str, str]]] | None = cache.get("staff:reference_choices")
    if cached is None:
        cached = {
            "positions": list(Position.objects.values_list("code", "name")),
            "subjects": list(Subject.objects.values_list("code", "name")),
        }
        cache.set("staff:reference_choices", cached, 300)
    return cached


def children_with_staff_counts(*, actor: User, parent: Unit) -> list[Unit]:
    """Children of ``parent`` with the number of staff in each child's whole subtree.

    One grouped query over the subtree (prefix of the child's path), not a count per child.
    """
    require_perm_on(actor, Perm.VIEW_UNITS, parent.path)
    children = list(
        Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("name")
    )
    child_len = len(parent.path) + Unit.steplen
    counts = dict(
        Person.objects.filter(unit_path__startswith=parent.path)
        .exclude(unit_path=parent.path)
        .annotate(prefix=Substr("unit_path", 1, child_len))
        .values("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
    )
    for child in children:
        child.staff_count = counts.get(child.path, 0)
    return children


def subtree_staff_count(*, unit: Unit) -> int:
    return Person.objects.filter(unit_path__startswith=unit.path).count()
