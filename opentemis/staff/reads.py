"""The audit of reads of staff records (decision 0012): what pages, API and exports record.

One row per request through ``accounts.read_audit.audit_read``; reading one's own record is not
recorded. Pages and the API call these, so both record the same things.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentemis.accounts.models import User
from opentemis.accounts.read_audit import audit_read
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person
from opentemis.staff.selectors import StaffFilter


def record_read(*, actor: User, person: Person, via: str = "page") -> None:
    """Somebody else's record was shown (record page, edit page, API record)."""
    if actor.person_id != person.pk:
        audit_read(actor=actor, action="reads.staff_record", unit=person.unit, obj=person, via=via)


def list_read(
    *,
    actor: User,
    people: Sequence[Person],
    filters: StaffFilter,
    page: int | str | None,
    via: str = "page",
    unit: Unit | None = None,
) -> None:
    """A page of a staff list was shown: the ids on it, with the filters and the page.

    The event belongs to the list's unit (``unit``, else the filter's), so that those who read
    that unit's audit log see it; a list over several subtrees has none (system administrators
    see those)."""
    audit_read(
        actor=actor,
        action="reads.staff_list",
        unit=unit or filters.unit,
        ids=[p.pk for p in people],
        filters={**filters.described(), "page": page},
        via=via,
    )
