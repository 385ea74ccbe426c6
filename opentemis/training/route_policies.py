"""Who may use the training app's routes (core/route_policy.py). Catalogues and requirements
are national reference data: every signed-in person reads them through the API; loading,
locking and versioning them (the pages) is for system administrators only."""

from opentemis.core.route_policy import SIGNED_IN, SUPERUSER_ONLY, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "training_catalogues": SUPERUSER_ONLY,
    "training_catalogue": SUPERUSER_ONLY.taking(pk="catalogue"),
    "training_catalogue_lock": SUPERUSER_ONLY.taking(pk="catalogue"),
    "training_catalogue_new_version": SUPERUSER_ONLY.taking(pk="catalogue"),
    "training_upload": SUPERUSER_ONLY,
    "api:training-catalogue-list": SIGNED_IN,
    "api:training-catalogue-detail": SIGNED_IN.taking(pk="catalogue"),
    "api:training-requirement-list": SIGNED_IN,
}
