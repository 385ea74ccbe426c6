"""Who may use the tracking app's routes (core/route_policy.py).

Kind (tests/world_tracking.py): ``tracking.unit``, province A (its week taken). Readers: those
who read the progress of the unit's learners (``learning.view`` / ``learning.manage`` on it or
above: province A's officer); reminders and a new snapshot: its officers (``reports.remind``,
``learning.manage``). The other province's officer, the sibling school's principal (who reads
only their school) and a colleague without the right: 404.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, Actor, RoutePolicy

READER = OBJECT("tracking.unit", actor=Actor.OFFICER, perm=Perm.VIEW_LEARNING)
REMINDER = OBJECT("tracking.unit", actor=Actor.OFFICER, perm=Perm.SEND_REMINDERS)
TAKER = OBJECT("tracking.unit", actor=Actor.OFFICER, perm=Perm.MANAGE_COURSES)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "tracking_home": PERM(Perm.VIEW_LEARNING, actor=Actor.OFFICER, denied=404),
    "tracking_unit": READER,
    "tracking_export": READER,
    "tracking_remind": REMINDER,
    "tracking_snapshot": TAKER,
    "api:tracking-unit": READER,
    "api:tracking-ranking": READER,
}
