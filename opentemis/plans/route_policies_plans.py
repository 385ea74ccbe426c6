"""Who may use the plans routes of the plans app (core/route_policy.py; merged by
route_policies.py).

The kinds of value in the test world (tests/module_db.py, ``plan_things``): ``plan.draft``
(teacher A1's own draft, with its ``plan_item``), ``plan.submitted`` (a teacher of school A1,
waiting for the principal) and ``change_request`` (pending, on an approved plan of school A1).
A person's plan is theirs alone to write; the head of its school (``plans.manage``) approves,
returns and decides changes; ``plans.view`` reads.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, RoutePolicy

_OWNER = Actor.OWNER
_PRINCIPAL = Actor.PRINCIPAL

POLICIES: dict[str, RoutePolicy] = {
    # Everyone with a staff record has a plan (without one: a page saying so).
    "plan_mine": SIGNED_IN,
    "plan_save": OBJECT("plan.draft", actor=_OWNER),
    "plan_item_add": OBJECT("plan.draft", actor=_OWNER),
    "plan_change_request": OBJECT("plan.draft", actor=_OWNER),
    "plan_item_update": OBJECT("plan_item", actor=_OWNER),
    "plan_item_remove": OBJECT("plan_item", actor=_OWNER),
    # The approval page opens on the actor's unit; naming one outside their reach is a 404.
    "plan_approvals": PERM(Perm.VIEW_PLANS, denied=404).narrowed_by("unit"),
    "plan_deadline": PERM(Perm.MANAGE_PLANS, denied=404).narrowed_by("unit"),
    "plan_review": OBJECT("plan.submitted", actor=_PRINCIPAL, perm=Perm.VIEW_PLANS),
    "plan_approve": OBJECT("plan.submitted", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS),
    "plan_return": OBJECT("plan.submitted", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS),
    "plan_change_decide": OBJECT("change_request", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS),
}
