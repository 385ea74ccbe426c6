"""Who may use core's routes, the site-wide ones and Django's admin (core/route_policy.py)."""

from opentemis.core.route_policy import PUBLIC, SIGNED_IN, STAFF_ONLY, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "home": SIGNED_IN,
    "healthz": PUBLIC("load balancers and monitoring ask without an account"),
    "session_state": PUBLIC("drafts.js asks whether the session is still alive"),
    "session_back": SIGNED_IN,
    "set_language": PUBLIC("the language can be chosen on the sign-in page"),
    "api:schema": PUBLIC("the schema describes the endpoints, not anybody's data"),
    "admin:login": PUBLIC("the admin's own sign-in page"),
    "admin:logout": PUBLIC("signing out of the admin needs no session (it ends one if there is)"),
    "admin:*": STAFF_ONLY,
}
