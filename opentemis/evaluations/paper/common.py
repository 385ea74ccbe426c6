"""Who may use the paper fallback, and whom a file may be about."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.accounts.roles import Perm
from opentemis.core.params import id_value
from opentemis.evaluations import access, selectors
from opentemis.evaluations.models import Cycle, EvaluationKind
from opentemis.evaluations.selectors import EVALUATED_POSITIONS
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import get_unit_for_user
from opentemis.staff.models import Person


def require_importer(actor: User, unit: Unit, cycle: Cycle) -> None:
    """404 unless ``actor`` evaluates the teachers of ``unit`` (its principal, or a superuser)
    and ``cycle`` covers ``unit``: a foreign school is not even confirmed to exist."""
    if not access.can_review_path(actor, kind=EvaluationKind.TEACHER, unit_path=unit.path):
        raise Http404
    if not unit.path.startswith(cycle.unit_path):
        raise Http404


def school_and_cycle(*, actor: User, unit_pk: int, cycle_id: object = None) -> tuple[Unit, Cycle]:
    """The school and the cycle a paper import is about, as the pages and the API look them up.

    The school: 404 outside the actor's review reach. The cycle: ``cycle_id`` if it is a number
    (404 unless the actor sees it), else the current one covering the school (404 if none):
    :func:`~opentemis.evaluations.selectors.cycle_for_unit`.
    Then :func:`require_importer` (404 unless the actor evaluates the school's teachers).
    """
    unit = get_unit_for_user(actor=actor, pk=unit_pk, perm=Perm.REVIEW_TEACHERS)
    cycle = selectors.cycle_for_unit(
        actor=actor, unit_path=unit.path, cycle_id=id_value(cycle_id, "cycle")
    )
    if cycle is None:
        raise Http404
    require_importer(actor, unit, cycle)
    return unit, cycle


def school_people(unit: Unit) -> list[Person]:
    """Everyone recorded at ``unit`` itself (any status), positions prefetched, by name.

    All of them, not only the working ones, so that a row about someone who left gets a precise
    error rather than "unknown code". A school has hundreds of people at most.
    """
    prefetch_related_objects([unit], "levels")
    people = list(
        Person.objects.within((unit.path,))
        .filter(unit=unit)
        .prefetch_related("positions")
        .order_by("search_text", "id")
    )
    for person in people:
        person.unit = unit  # one unit object, its levels fetched once
    return people


def is_evaluated(person: Person) -> bool:
    return any(p.code in EVALUATED_POSITIONS for p in person.positions.all())
