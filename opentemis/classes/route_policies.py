"""Who may use the classes app's routes (core/route_policy.py).

Kinds (tests/world_classes.py): ``class`` (the class activity: teacher A1 is on its roster,
province A's officer manages the course) and ``class.session`` (a session of it). Learner
routes: the enrolled learner; the rest: those who take attendance (the course's officers, a
session's lecturer, graders for their subtree). Everyone else: 404.
"""

from opentemis.core.route_policy import OBJECT, Actor, RoutePolicy

LEARNER = OBJECT("class", actor=Actor.OWNER)
OFFICER = OBJECT("class", actor=Actor.OFFICER)
SESSION = OBJECT("class.session", actor=Actor.OFFICER)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "class_learn": LEARNER,
    "class_code_enter": LEARNER,
    "class_manage": OFFICER,
    "class_settings": OFFICER,
    "class_roster_fill": OFFICER,
    "class_session_add": OFFICER,
    "class_close": OFFICER,
    "class_results": OFFICER,
    "class_results_export": OFFICER,
    "class_rollcall": SESSION,
    "class_rollcall_mark": SESSION,
    "class_code_open": SESSION,
    "class_session_cancel": SESSION,
    "api:learn-class-sessions": LEARNER,
    "api:learn-class-code": LEARNER,
    "api:learn-class-roster": SESSION,
    "api:learn-class-mark": SESSION,
}
