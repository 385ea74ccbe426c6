"""Who reads and who manages BDTX plans of a unit: the one rule every page, API, read and
service of the plans app asks. ``plans.manage`` (the head of a school, officers above) also
reads; ``plans.view`` reads only. A person always reaches their own plan, ledger and result
(each place that allows it says so)."""

from __future__ import annotations

from django.db.models import Q

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, path_filter
from opentemis.accounts.roles import Perm


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
