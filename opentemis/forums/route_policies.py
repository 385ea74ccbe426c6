"""Who may use the forums app's routes (core/route_policy.py).

Kinds (tests/world_forums.py): ``forum`` is the forum activity of the shared course, where
teacher A1 (its OWNER) is enrolled; ``forum.thread`` is teacher A1's question and
``forum.post`` teacher A1's reply in it. The course's officer ``officer_a`` moderates every
group. The outsiders (an officer of province B, the principal of a sibling school, a
colleague not enrolled) are neither learners nor graders of the course: 404.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, Actor, RoutePolicy

LEARNER = OBJECT("forum", actor=Actor.OWNER)
IN_THREAD = OBJECT("forum.thread", actor=Actor.OWNER)
MODERATES_THREAD = OBJECT("forum.thread", actor=Actor.OFFICER)
MODERATES_POST = OBJECT("forum.post", actor=Actor.OFFICER)
# The question's author marks the answer (a grader or an officer too).
MARKS = OBJECT("forum.post", actor=Actor.OWNER)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "forums_activity": LEARNER,
    "forums_thread_create": LEARNER,
    "forums_manage": OBJECT("forum", actor=Actor.OFFICER, perm=Perm.MANAGE_COURSES),
    "forums_thread": IN_THREAD,
    "forums_reply": IN_THREAD,
    "forums_thread_moderate": MODERATES_THREAD,
    "forums_answer": MARKS,
    "forums_post_hide": MODERATES_POST,
    "api:learn-forum-threads": LEARNER,
    "api:learn-forum-posts": IN_THREAD,
    "api:learn-forum-thread-moderate": MODERATES_THREAD,
    "api:learn-forum-answer": MARKS,
    "api:learn-forum-post-hide": MODERATES_POST,
}
