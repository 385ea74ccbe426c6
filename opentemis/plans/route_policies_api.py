"""Who may use the plans app's API routes (core/route_policy.py; merged by route_policies.py)."""

from opentemis.core.route_policy import RoutePolicy

POLICIES: dict[str, RoutePolicy] = {}
