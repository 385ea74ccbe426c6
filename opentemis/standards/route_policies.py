"""Who may use the standards app's routes (core/route_policy.py). Frameworks are national:
everyone reads them; configuring them is for system administrators only."""

from opentemis.core.route_policy import SIGNED_IN, SUPERUSER_ONLY, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "framework_list": SIGNED_IN,
    "framework_detail": SIGNED_IN.taking(pk="framework"),
    "framework_xlsx": SUPERUSER_ONLY.taking(pk="framework"),
    "framework_upload": SUPERUSER_ONLY,
    "framework_template": SUPERUSER_ONLY,
    "framework_format": SUPERUSER_ONLY,
    "framework_years": SUPERUSER_ONLY,
    "framework_year": SUPERUSER_ONLY.taking(code="school_year"),
    "framework_year_defaults": SUPERUSER_ONLY.taking(code="school_year"),
    "framework_application_remove": SUPERUSER_ONLY.taking(
        code="school_year", pk="framework_application"
    ),
    "evaluator_rules": SUPERUSER_ONLY,
    "evaluator_rule_remove": SUPERUSER_ONLY.taking(pk="evaluator_rule"),
}
