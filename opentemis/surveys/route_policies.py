"""Who may use the surveys app's routes (core/route_policy.py).

Kind (tests/world_surveys.py): ``survey`` (the survey activity of province A's course; teacher
A1 is enrolled and answered it). The form: the enrolled learner. The results: those who read
the course's progress (``learning.access.read_course``): the sibling school's principal reads
the course too (for their own school's responses, in groups of at least 5), so only the other
province's officer and a colleague without the right are outsiders there.
"""

from opentemis.core.route_policy import OBJECT, Actor, Outsider, RoutePolicy

LEARNER = OBJECT("survey", actor=Actor.OWNER)
READER = OBJECT(
    "survey", actor=Actor.OFFICER, outsiders=(Outsider.OTHER_PROVINCE, Outsider.COLLEAGUE)
)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "survey_take": LEARNER,
    "survey_results": READER,
    "api:learn-survey-submit": LEARNER,
    "api:learn-survey-results": READER,
}
