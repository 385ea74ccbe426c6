"""Who may use the loop app's routes (core/route_policy.py)."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    # One's own loop (a page saying so for an account without a staff record).
    "loop_mine": SIGNED_IN,
    # A person's loop: the head of their school and the officers above (plans.view).
    "loop_person": OBJECT("loop.person", actor=Actor.PRINCIPAL, perm=Perm.VIEW_PLANS),
    # A unit's funnel: readers of its plans (and learning).
    "loop_unit": PERM(Perm.VIEW_PLANS).narrowed_by("unit"),
}
