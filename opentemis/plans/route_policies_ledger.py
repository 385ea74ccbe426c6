"""Who may use the ledger routes of the plans app (core/route_policy.py; merged by
route_policies.py). A person's ledger and result: the person, the heads above and those who
read plans of the unit; the school page: whoever reads plans of the school (its writes: the
head, MANAGE_PLANS); anyone else 404."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, RoutePolicy

PERSON = OBJECT("person", actor=Actor.OWNER, param="person")
READ_SCHOOL = OBJECT("unit.school", actor=Actor.PRINCIPAL, param="unit", perm=Perm.VIEW_PLANS)
MANAGE_SCHOOL = OBJECT("unit.school", actor=Actor.PRINCIPAL, param="unit", perm=Perm.MANAGE_PLANS)


POLICIES: dict[str, RoutePolicy] = {
    "bdtx_ledger_mine": SIGNED_IN,
    "bdtx_ledger": PERSON,
    "bdtx_ledger_add": PERSON,
    "bdtx_ledger_dispute": PERSON,
    "bdtx_result": PERSON.taking(year="school_year"),
    "bdtx_school_home": PERM(Perm.VIEW_PLANS, actor=Actor.PRINCIPAL, denied=404),
    "bdtx_school": READ_SCHOOL,
    "bdtx_school_confirm": MANAGE_SCHOOL,
    "bdtx_school_reject": MANAGE_SCHOOL,
    "bdtx_school_record": MANAGE_SCHOOL,
    "bdtx_school_assess": MANAGE_SCHOOL,
    "bdtx_school_compute": MANAGE_SCHOOL,
    "bdtx_school_results_confirm": MANAGE_SCHOOL,
    "bdtx_school_results_export": READ_SCHOOL.taking(fmt="report_format"),
}
