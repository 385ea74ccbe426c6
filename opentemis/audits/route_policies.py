"""Who may use the audits app's routes (core/route_policy.py): the independent auditor, while
the grant on the unit is valid (``audits.read``); every route is read-only (GET)."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, Actor, RoutePolicy

_AUDITOR = PERM(Perm.AUDIT_COMPLETIONS, actor=Actor.AUDITOR).narrowed_by("unit")

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "audits_home": _AUDITOR,
    "audits_sample": _AUDITOR,
    "audits_sample_export": _AUDITOR,
    "audits_trail": _AUDITOR,
    "audits_completion": OBJECT(
        "audits.completion", actor=Actor.AUDITOR, perm=Perm.AUDIT_COMPLETIONS
    ),
    "audits_file": OBJECT("product.submission", actor=Actor.AUDITOR, perm=Perm.AUDIT_COMPLETIONS),
}
