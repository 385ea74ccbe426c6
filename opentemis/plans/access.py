"""Who reads and who manages BDTX plans of a unit: the one rule every page, API, read and
service of the plans app asks. ``plans.manage`` (the head of a school, officers above) also
reads; ``plans.view`` reads only. A person always reaches their own plan, ledger and result
(each place that allows it says so)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, path_filter
from opentemis.accounts.roles import Perm
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import get_unit_for_user


def reads_plans_on(actor: User, path: str) -> bool:
    """Whether ``actor`` reads the plans of the unit at ``path``."""
    return has_perm_on(actor, Perm.VIEW_PLANS, path) or manages_plans_on(actor, path)


def manages_plans_on(actor: User, path: str) -> bool:
    """Whether ``actor`` approves plans, confirms hours and results of the unit at ``path``."""
    return has_perm_on(actor, Perm.MANAGE_PLANS, path)


def readable_q(actor: User, field_name: str) -> Q:
    """:func:`reads_plans_on` as conditions on a unit path field, for lists."""
    return path_filter(actor, Perm.VIEW_PLANS, field_name) | path_filter(
        actor, Perm.MANAGE_PLANS, field_name
    )


def readable_unit(actor: User, pk: int) -> Unit:
    """The unit ``pk`` if ``actor`` reads its plans; 404 otherwise, as for a missing one."""
    return get_unit_for_user(actor=actor, pk=pk, perm=Perm.VIEW_PLANS)


def managed_unit(actor: User, pk: int) -> Unit:
    """The unit ``pk`` if ``actor`` manages its plans; 403 for a reader, 404 for anyone else."""
    unit = readable_unit(actor, pk)
    if not manages_plans_on(actor, unit.path):
        raise PermissionDenied(_("You may not manage BDTX of this unit."))
    return unit
