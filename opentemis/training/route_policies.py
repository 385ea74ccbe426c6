"""Who may use the training app's routes (core/route_policy.py). Catalogues and requirements
are national reference data: every signed-in person reads them through the API; loading,
locking and versioning them (the pages) is for system administrators only. The programme-02
contents of a province are set by the officers of its Sở: another province's are a 404."""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import (
    OBJECT,
    PERM,
    SIGNED_IN,
    SUPERUSER_ONLY,
    Actor,
    RoutePolicy,
)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "training_catalogues": SUPERUSER_ONLY,
    "training_catalogue": SUPERUSER_ONLY.taking(pk="catalogue"),
    "training_catalogue_lock": SUPERUSER_ONLY.taking(pk="catalogue"),
    "training_catalogue_new_version": SUPERUSER_ONLY.taking(pk="catalogue"),
    "training_catalogue_export": SUPERUSER_ONLY.taking(pk="catalogue"),
    "training_module_edit": SUPERUSER_ONLY.taking(pk="catalogue.module"),
    "training_upload": SUPERUSER_ONLY,
    "training_template": SUPERUSER_ONLY,
    "training_contents_home": PERM(Perm.MANAGE_LOCAL_CONTENTS, actor=Actor.OFFICER, denied=404),
    "training_contents": OBJECT(
        "unit.province", actor=Actor.OFFICER, param="unit", perm=Perm.MANAGE_LOCAL_CONTENTS
    ),
    "training_content_edit": OBJECT(
        "content.local", actor=Actor.OFFICER, perm=Perm.MANAGE_LOCAL_CONTENTS
    ),
    "api:training-catalogue-list": SIGNED_IN,
    "api:training-catalogue-detail": SIGNED_IN.taking(pk="catalogue"),
    "api:training-requirement-list": SIGNED_IN,
}
