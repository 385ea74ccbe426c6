"""Who may use the plans app's API routes (core/route_policy.py; merged by route_policies.py).

The kinds of the test world (tests/module_db.py ``plan_things``): ``plan.draft`` (teacher_a1's
own), ``plan.submitted`` (waiting for the principal), ``plan.approved`` (with a change request
waiting: ``change_request``) and ``plan_item`` (an item of the draft).
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import (
    OBJECT,
    PERM,
    SIGNED_IN,
    SUPERUSER_ONLY,
    Actor,
    Outsider,
    RoutePolicy,
)

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

# --- the ledger, results and roll-ups (plans/api_ledger.py) --------------------------------------
# Kinds: ``person`` (teacher_a1), ``ledger_entry`` (an entry of teacher_a1 recorded by the
# principal, tests/module_db.py ``ledger_things``), ``plan_item`` (of teacher_a1's draft: the
# principal reaches it, the assessment is refused for the plan's state), ``unit.school``.
_PERSON = OBJECT("person", actor=_OWNER)
_READ_SCHOOL = OBJECT("unit.school", actor=_PRINCIPAL, perm=Perm.VIEW_PLANS)
_MANAGE_SCHOOL = OBJECT("unit.school", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS)

POLICIES.update(
    {
        "api:bdtx-person-ledger": _PERSON,
        "api:bdtx-person-result": _PERSON.taking(year="school_year"),
        # The people and entries are named in the body: one out of reach is a 404.
        "api:bdtx-ledger-record": PERM(Perm.MANAGE_PLANS),
        "api:bdtx-ledger-confirm": PERM(Perm.MANAGE_PLANS),
        # Learning systems post completions through a system administrator's account (a
        # superuser, who reaches every person); anyone else gets 404, as the national
        # configuration answers (accounts.permissions.require_superuser).
        "api:bdtx-ledger-post": SUPERUSER_ONLY,
        "api:bdtx-ledger-reject": OBJECT("ledger_entry", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS),
        "api:bdtx-ledger-dispute": OBJECT("ledger_entry", actor=_OWNER),
        "api:bdtx-results": _READ_SCHOOL,
        "api:bdtx-results-compute": _MANAGE_SCHOOL,
        "api:bdtx-results-confirm": _MANAGE_SCHOOL,
        "api:bdtx-item-assess": OBJECT("plan_item", actor=_PRINCIPAL, perm=Perm.MANAGE_PLANS),
        "api:bdtx-needs": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.VIEW_PLANS),
        "api:bdtx-children": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.VIEW_PLANS),
        "api:bdtx-school-plan": _READ_SCHOOL,
    }
)
