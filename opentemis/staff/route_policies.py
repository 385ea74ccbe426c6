"""Who may use the staff app's routes (core/route_policy.py)."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "staff_list": PERM(Perm.VIEW_STAFF).narrowed_by("unit"),
    "staff_create": OBJECT(
        "unit.school", param="unit", in_query=True, actor=Actor.PRINCIPAL, perm=Perm.CHANGE_STAFF
    ),
    "staff_detail": OBJECT("person", actor=Actor.PRINCIPAL, perm=Perm.VIEW_STAFF),
    "staff_edit": OBJECT("person", actor=Actor.PRINCIPAL, perm=Perm.CHANGE_STAFF),
    "staff_core_toggle": OBJECT("person", actor=Actor.PRINCIPAL, perm=Perm.CHANGE_STAFF),
    "staff_transfer": OBJECT("person", actor=Actor.PRINCIPAL, perm=Perm.CHANGE_STAFF),
    "staff_import": PERM(Perm.IMPORT_STAFF, denied=404).narrowed_by("unit"),
    "staff_template": PERM(Perm.IMPORT_STAFF, denied=404).narrowed_by("unit"),
    "staff_export": PERM(Perm.VIEW_STAFF, denied=404).narrowed_by("unit"),
    # The list shows what the actor may see (nothing for a teacher); a person is added to a unit
    # where the actor may change staff (another unit is refused as invalid).
    "api:staff-list": SIGNED_IN,
    "GET api:staff-list": SIGNED_IN.narrowed_by("unit", actor=Actor.PRINCIPAL),
    "api:staff-detail": OBJECT("person", actor=Actor.PRINCIPAL, perm=Perm.VIEW_STAFF),
}
