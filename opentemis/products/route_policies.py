"""Who may use the products app's routes (core/route_policy.py).

Kinds (tests/world_products.py): ``product`` is the product activity of the shared course,
where teacher A1 (its OWNER) is enrolled; ``product.submission`` is teacher A1's submission,
waiting for a grade; ``product.appealed`` is teacher A1's submission of a second product,
graded Chưa đạt and appealed. The grader is the course's officer (``officer_a`` manages the
course, so grades all its learners, gives back a claimed submission and reads the graders'
workload); the outsiders (an officer of province B, the principal of a sibling school, a
colleague not enrolled) are neither enrolled nor graders: 404. Second marking needs
``products.second_mark`` (a lecturer's; the system administrator holds it too, and stands
for the lecturer here): nobody of the test world's outsiders holds it.

A grader's own queue and the pool's claim are for every signed-in person: each sees only
what is theirs (an empty queue, nothing to claim).
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, RoutePolicy

LEARNER = OBJECT("product", actor=Actor.OWNER)
BUILDER = OBJECT("product", actor=Actor.OFFICER, perm=Perm.MANAGE_COURSES)
GRADER = OBJECT("product", actor=Actor.OFFICER)
GRADES_SUBMISSION = OBJECT("product.submission", actor=Actor.OFFICER)
OWN_SUBMISSION = OBJECT("product.submission", actor=Actor.OWNER)
SECOND_MARKER = PERM(Perm.SECOND_MARK, actor=Actor.SUPERUSER, denied=404)
SECOND_MARKS_SUBMISSION = OBJECT("product.appealed", actor=Actor.SUPERUSER, perm=Perm.SECOND_MARK)
WORKLOAD = OBJECT("course", actor=Actor.OFFICER, perm=Perm.MANAGE_COURSES)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "products_activity": LEARNER,
    "products_submit": LEARNER,
    "products_manage": BUILDER,
    "products_queue": GRADER,
    "products_grade": GRADES_SUBMISSION,
    "products_file": OWN_SUBMISSION,
    "products_mine": SIGNED_IN,
    "products_claim": SIGNED_IN,
    "products_release": GRADES_SUBMISSION,
    "products_second_marks": SECOND_MARKER,
    "products_second_mark": SECOND_MARKS_SUBMISSION,
    "products_appeal": OWN_SUBMISSION,
    "products_workload": WORKLOAD,
    "products_workload_export": WORKLOAD,
    "api:learn-product-submissions": LEARNER,
    "api:learn-product-queue": GRADER,
    "api:learn-product-grade": GRADES_SUBMISSION,
    "api:learn-product-mine": SIGNED_IN,
    "api:learn-product-claim": SIGNED_IN,
    "api:learn-product-release": GRADES_SUBMISSION,
    "api:learn-product-second-marks": SECOND_MARKER,
    "api:learn-product-second-mark": SECOND_MARKS_SUBMISSION,
    "api:learn-product-appeal": OWN_SUBMISSION,
    "api:learn-product-workload": WORKLOAD,
}
