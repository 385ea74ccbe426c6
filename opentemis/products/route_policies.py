"""Who may use the products app's routes (core/route_policy.py).

Kinds (tests/world_products.py): ``product`` is the product activity of the shared course,
where teacher A1 (its OWNER) is enrolled; ``product.submission`` is teacher A1's submission,
waiting for a grade. The grader is the course's officer (``officer_a`` manages the course,
so grades all its learners); the outsiders (an officer of province B, the principal of a
sibling school, a colleague not enrolled) are neither enrolled nor graders: 404.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, Actor, RoutePolicy

LEARNER = OBJECT("product", actor=Actor.OWNER)
BUILDER = OBJECT("product", actor=Actor.OFFICER, perm=Perm.MANAGE_COURSES)
GRADER = OBJECT("product", actor=Actor.OFFICER)
GRADES_SUBMISSION = OBJECT("product.submission", actor=Actor.OFFICER)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "products_activity": LEARNER,
    "products_submit": LEARNER,
    "products_manage": BUILDER,
    "products_queue": GRADER,
    "products_grade": GRADES_SUBMISSION,
    "products_file": OBJECT("product.submission", actor=Actor.OWNER),
    "api:learn-product-submissions": LEARNER,
    "api:learn-product-queue": GRADER,
    "api:learn-product-grade": GRADES_SUBMISSION,
}
