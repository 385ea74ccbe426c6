"""Who may use the rollup routes of the plans app (core/route_policy.py; merged by
route_policies.py). Anyone who reads a unit's plans (``plans.view``: officers, heads, viewers)
reads its roll-up and its school plans; the head of a school (``plans.manage``) writes its
school plan and reports it. A unit out of reach is a 404."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, Actor, RoutePolicy

POLICIES: dict[str, RoutePolicy] = {
    "plans_rollup_home": PERM(Perm.VIEW_PLANS, denied=404),
    "plans_rollup": OBJECT("unit.school", actor=Actor.OFFICER, param="unit", perm=Perm.VIEW_PLANS),
    "plans_school_home": PERM(Perm.VIEW_PLANS, denied=404),
    "plans_school": OBJECT(
        "unit.school", actor=Actor.PRINCIPAL, param="unit", perm=Perm.VIEW_PLANS
    ),
    "plans_school_activity": OBJECT(
        "unit.school", actor=Actor.PRINCIPAL, param="unit", perm=Perm.MANAGE_PLANS
    ),
    "plans_school_report": OBJECT(
        "unit.school", actor=Actor.PRINCIPAL, param="unit", perm=Perm.MANAGE_PLANS
    ),
    "plans_school_plans": OBJECT(
        "unit.province", actor=Actor.OFFICER, param="unit", perm=Perm.VIEW_PLANS
    ),
}
