"""Who may use the reports' routes (core/route_policy.py)."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, Actor, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "report_home": PERM(Perm.VIEW_EVALUATIONS, denied=404),
    "report_unit": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.VIEW_EVALUATIONS),
    "report_remind": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.SEND_REMINDERS),
    "report_export": OBJECT(
        "unit.school",
        param="unit_pk",
        actor=Actor.OFFICER,
        perm=Perm.VIEW_EVALUATIONS,
        fmt="report_format",
    ),
    "api:report-unit": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.VIEW_EVALUATIONS),
}
