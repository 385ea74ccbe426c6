"""Sensitive personal data in staff records: who may see it, filter by it and export it.

Nghị định 13/2023/NĐ-CP (Điều 2 khoản 4 điểm c) counts a person's ethnic origin as sensitive
personal data. A staff record holds it twice: ``ethnicity`` and the DTTS flag derived from it.
Both are shown, filtered on and exported only where the actor holds ``staff.sensitive`` on the
person's unit (the roles that keep personnel records, decision 0012), and to the person
themself. Everywhere else the value is masked: "Ẩn" on pages, ``null`` in the API, no column in
the export; a filter on it is refused (403 with a reason), never silently ignored.

Reports still count DTTS staff, as aggregates under small-cell protection (reports/protection).
This module is the one place that answers "may this actor see it"; pages, API and exports ask.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, perm_paths
from opentemis.accounts.roles import Perm
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person

#: The fields of ``Person`` that hold sensitive personal data (Decree 13/2023). Date of birth,
#: gender, phone and email are basic personal data: shown to whoever may read the record, and
#: every such read by someone else is audited (accounts/read_audit.py).
SENSITIVE_FIELDS = ("ethnicity", "is_dtts")


class SensitiveDataDenied(PermissionDenied):
    """A filter (or a write) on sensitive data by someone who may not see it: 403, with why."""

    def __init__(self, message: StrOrPromise | None = None) -> None:
        super().__init__(
            message
            or _(
                "Ethnicity is sensitive personal data (Decree 13/2023/NĐ-CP): only those who "
                "manage staff records may filter or sort by it. Ethnic-minority figures are in "
                "the reports, as totals."
            )
        )


def may_see_sensitive(actor: User, person: Person) -> bool:
    """Whether ``actor`` may see the sensitive fields of ``person``'s record."""
    if actor.person_id is not None and actor.person_id == person.pk:
        return True
    return has_perm_on(actor, Perm.VIEW_SENSITIVE, person.unit_path)


def sensitive_checker(actor: User) -> Callable[[Person], bool]:
    """``may_see_sensitive`` for many people: the actor's paths read once, then per row a
    prefix test (a page of 50 costs no query)."""
    paths = perm_paths(actor, Perm.VIEW_SENSITIVE)
    own = actor.person_id

    def check(person: Person) -> bool:
        if paths is None or (own is not None and own == person.pk):
            return True
        return any(person.unit_path.startswith(p) for p in paths)

    return check


def sees_sensitive_throughout(actor: User, unit: Unit | None = None) -> bool:
    """Whether the actor may see sensitive data of everyone in a list: of ``unit``'s subtree,
    or, with no unit, of every subtree where they may read staff records. Filtering and
    exporting by ethnicity need this; a list that mixes people one may and may not see
    sensitive data of is masked row by row, but cannot be filtered on it."""
    paths = perm_paths(actor, Perm.VIEW_SENSITIVE)
    if paths is None:
        return True
    if unit is not None:
        return any(unit.path.startswith(p) for p in paths)
    staff_paths = perm_paths(actor, Perm.VIEW_STAFF)
    if not staff_paths:
        return False
    return all(any(s.startswith(p) for p in paths) for s in staff_paths)


def require_sensitive_throughout(actor: User, unit: Unit | None = None) -> None:
    """Refuse (403 with the reason) a filter on sensitive data the actor may not see."""
    if not sees_sensitive_throughout(actor, unit):
        raise SensitiveDataDenied
