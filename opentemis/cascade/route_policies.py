"""Who may use the cascade app's routes (core/route_policy.py).

Kinds (tests/world_cascade.py): ``cascade.unit`` is province A, whose officer (``cascade.manage``)
designates core staff and assigns caseloads; ``cascade.school`` is school A1, whose principal
reads its tổ cốt cán; ``cascade.core`` is a core teacher of school A1 with one colleague,
``cascade.learner``. An officer of province B, the principal of the sibling school A2 and a
colleague without the right get 404, as for a missing unit or person.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, RoutePolicy

UNIT = OBJECT("cascade.unit", actor=Actor.OFFICER, param="unit", perm=Perm.MANAGE_CASCADE)
CORE = OBJECT("cascade.core", actor=Actor.OFFICER, perm=Perm.MANAGE_CASCADE)
LEARNER = OBJECT("cascade.learner", actor=Actor.OFFICER, perm=Perm.MANAGE_CASCADE)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "cascade_home": PERM(Perm.MANAGE_CASCADE, actor=Actor.OFFICER, denied=404),
    "cascade_core": UNIT,
    "cascade_person": CORE,
    "cascade_revoke": CORE,
    "cascade_assign": LEARNER,
    "cascade_school_home": PERM(Perm.VIEW_LEARNING, actor=Actor.PRINCIPAL, denied=404),
    "cascade_school": OBJECT("cascade.school", actor=Actor.PRINCIPAL, param="unit"),
    "cascade_caseloads": UNIT,
    "cascade_balance": UNIT,
    "cascade_upload": UNIT,
    "cascade_template": UNIT,
    "cascade_core_caseload": CORE,
    "cascade_move": CORE,
    # The core teacher's own plan and activities: anyone signed in reaches it; it says so
    # to whoever is not core staff this year.
    "cascade_support": SIGNED_IN,
    "api:cascade-caseloads": OBJECT("cascade.unit", actor=Actor.OFFICER, perm=Perm.MANAGE_CASCADE),
}
