"""Who may use the unit tree's routes (core/route_policy.py)."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, SIGNED_IN, Actor, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "unit_tree": SIGNED_IN,
    "unit_detail": OBJECT("unit.school", actor=Actor.PRINCIPAL, perm=Perm.VIEW_UNITS),
    "unit_children": OBJECT("unit.province", actor=Actor.OFFICER, perm=Perm.VIEW_UNITS),
    "unit_edit": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.CHANGE_UNITS),
    "unit_move": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.MOVE_UNITS),
    "unit_move_submit": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.MOVE_UNITS),
    # The list shows what the actor may see (nothing for a teacher); a unit is created under a
    # parent where the actor may change units (another parent is refused as invalid).
    "api:unit-list": SIGNED_IN,
    "GET api:unit-list": SIGNED_IN.narrowed_by("parent", actor=Actor.PRINCIPAL),
    "api:unit-detail": OBJECT("unit.school", actor=Actor.PRINCIPAL, perm=Perm.VIEW_UNITS),
    # Who sees the unit but may not change it gets 403: it reveals nothing.
    "PATCH api:unit-detail": OBJECT("unit.school", actor=Actor.OFFICER, perm=Perm.CHANGE_UNITS),
}
