"""Who may use the certificates app's routes (core/route_policy.py)."""

from opentemis.core.route_policy import RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {}
