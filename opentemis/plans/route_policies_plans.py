"""Who may use the plans routes of the plans app (core/route_policy.py; merged by
route_policies.py)."""

from opentemis.core.route_policy import RoutePolicy

POLICIES: dict[str, RoutePolicy] = {}
