"""Who may use the plans app's API routes (core/route_policy.py; merged by route_policies.py).

The kinds of the test world (tests/module_db.py ``plan_things``): ``plan.draft`` (teacher_a1's
own), ``plan.submitted`` (waiting for the principal), ``plan.approved`` (with a change request
waiting: ``change_request``) and ``plan_item`` (an item of the draft).
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, Outsider, RoutePolicy

_OWNER = Actor.OWNER
_PRINCIPAL = Actor.PRINCIPAL

POLICIES: dict[str, RoutePolicy] = {
    # A teacher naming their own school lists their own plan.
    "api:bdtx-plan-list": SIGNED_IN.narrowed_by(
        "unit", outsiders=(Outsider.OTHER_PROVINCE, Outsider.SIBLING_SCHOOL)
    ),
    "api:bdtx-plan-open": SIGNED_IN,
    "api:bdtx-plan-detail": OBJECT("plan.draft", actor=_OWNER),
    "api:bdtx-plan-items": OBJECT("plan.draft", actor=_OWNER),
    "api:bdtx-plan-item": OBJECT("plan.draft", actor=_OWNER, item_id="plan_item"),
    "api:bdtx-plan-submit": OBJECT("plan.draft", actor=_OWNER),
    "api:bdtx-plan-return": OBJECT("plan.submitted", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS),
    "api:bdtx-plan-change-requests": OBJECT("plan.approved", actor=_OWNER),
    "api:bdtx-change-decide": OBJECT("change_request", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS),
    # The plans (bulk) and the unit are named in the body: a plan out of reach is a 404.
    "api:bdtx-plan-approve": PERM(Perm.MANAGE_PLANS),
    "api:bdtx-deadlines": PERM(Perm.MANAGE_PLANS),
}
