"""Who may use the evidence library's routes (core/route_policy.py): its owner, and whoever
evaluates them (decision 0007)."""

from opentemis.core.route_policy import OBJECT, SIGNED_IN, Actor, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "evidence_library": SIGNED_IN,
    "evidence_upload": SIGNED_IN,
    "evidence_add_link": SIGNED_IN,
    "evidence_delete": OBJECT("evidence", actor=Actor.OWNER),
    "evidence_download": OBJECT("evidence", actor=Actor.OWNER),
    "evidence_person_library": OBJECT("person", param="person_pk", actor=Actor.PRINCIPAL),
    "api:evidence-list": SIGNED_IN,
    "api:evidence-detail": OBJECT("evidence", actor=Actor.OWNER),
    "api:evidence-download": OBJECT("evidence", actor=Actor.OWNER),
}
