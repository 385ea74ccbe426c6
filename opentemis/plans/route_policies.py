"""Who may use the plans app's routes (core/route_policy.py), one module per area: the plan
pages, the hours ledger and results, the roll-ups, the API."""

from opentemis.core.route_policy import RoutePolicy
from opentemis.plans import (
    route_policies_api,
    route_policies_ledger,
    route_policies_plans,
    route_policies_rollup,
)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    **route_policies_plans.POLICIES,
    **route_policies_ledger.POLICIES,
    **route_policies_rollup.POLICIES,
    **route_policies_api.POLICIES,
}
