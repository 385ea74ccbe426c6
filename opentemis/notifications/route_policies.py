"""Who may use the notices' routes (core/route_policy.py): a notice is its recipient's alone."""

from opentemis.core.route_policy import OBJECT, SIGNED_IN, Actor, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "notice_list": SIGNED_IN,
    "notice_detail": OBJECT("notice", actor=Actor.OWNER),
    "notice_read_all": SIGNED_IN,
    "notice_preferences": SIGNED_IN,
    "api:notice-list": SIGNED_IN,
    "api:notice-read-all": SIGNED_IN,
}
