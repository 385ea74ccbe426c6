"""Who may use the learning core's routes (core/route_policy.py).

A learner reaches a course through their own enrolment (the course page, an activity); the
officers who manage a course (``learning.manage`` on its unit) build it; those who read the
progress of a unit's learners (``learning.view`` or ``learning.manage``) read its progress page.
Anyone else: 404, as for a missing course.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, SIGNED_IN, Actor, Outsider, RoutePolicy

#: The course's builders: the officers of province A. A principal of a sibling school reads
#: the progress of their own school but does not build: they are an outsider here.
MANAGE = OBJECT("course", actor=Actor.OFFICER, param="pk", perm=Perm.MANAGE_COURSES)
LEARNER_COURSE = OBJECT("course", actor=Actor.TEACHER, param="pk")
ACTIVITY = OBJECT("course.activity", actor=Actor.OWNER, param="pk")
# The progress page: readers of the province's learners. The sibling school's principal reads
# their own school's learners in the same course (not an outsider); the others are.
PROGRESS = OBJECT(
    "course",
    actor=Actor.OFFICER,
    param="pk",
    perm=Perm.VIEW_LEARNING,
    outsiders=(Outsider.OTHER_PROVINCE, Outsider.COLLEAGUE),
)
OFFER = PERM(Perm.MANAGE_COURSES, actor=Actor.OFFICER, denied=404)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "learning_mine": SIGNED_IN,
    # A core teacher's colleagues (their caseload, issue 14): their own only; anyone else is
    # told they support nobody this year.
    "learning_colleagues": SIGNED_IN,
    "api:learn-colleagues": SIGNED_IN,
    "learning_course": LEARNER_COURSE,
    "learning_activity": ACTIVITY,
    "learning_courses": PERM(Perm.VIEW_LEARNING, actor=Actor.OFFICER, denied=404),
    "learning_course_create": OFFER,
    "learning_course_import": OFFER,
    "learning_course_manage": MANAGE,
    "learning_course_audience": MANAGE,
    "learning_section_add": MANAGE,
    "learning_activity_add": MANAGE,
    "learning_course_state": MANAGE,
    "learning_course_sync": MANAGE,
    "learning_course_deadline": MANAGE,
    "learning_course_grader": MANAGE,
    "learning_course_export": MANAGE,
    "learning_course_progress": PROGRESS,
    "api:learn-my-courses": SIGNED_IN,
    "api:learn-course": LEARNER_COURSE,
    "api:learn-course-progress": PROGRESS,
    "api:learn-course-sync": MANAGE,
    "api:learn-enrolment": OBJECT("enrolment", actor=Actor.OWNER, param="pk"),
}
