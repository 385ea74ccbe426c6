"""Who may use the cascade app's routes (core/route_policy.py)."""

from opentemis.core.route_policy import RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {}
