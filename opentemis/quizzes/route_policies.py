"""Who may use the quizzes app's routes (core/route_policy.py).

Kinds (tests/world_quizzes.py): ``quiz`` (a quiz activity of province A's course, teacher A1
enrolled; its officer builds it), ``quiz.attempt`` (teacher A1's attempt in progress),
``quiz.question`` (a question of the course's bank). A learner route answers only the
enrolled learner (an attempt: only its own); a builder route only an officer who manages the
course; anyone else gets 404.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, Actor, RoutePolicy

LEARNER = OBJECT("quiz", actor=Actor.OWNER)
ATTEMPT = OBJECT("quiz.attempt", actor=Actor.OWNER)
BUILDER = OBJECT("quiz", actor=Actor.OFFICER, perm=Perm.MANAGE_COURSES)
QUESTION = OBJECT("quiz", actor=Actor.OFFICER, perm=Perm.MANAGE_COURSES, question="quiz.question")

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "quiz_take": LEARNER,
    "quiz_start": LEARNER,
    "quiz_attempt": ATTEMPT,
    "quiz_attempt_save": ATTEMPT,
    "quiz_attempt_submit": ATTEMPT,
    "quiz_attempt_result": ATTEMPT,
    "quiz_manage": BUILDER,
    "quiz_bank": BUILDER,
    "quiz_bank_import": BUILDER,
    "quiz_bank_template": BUILDER,
    "quiz_category_add": BUILDER,
    "quiz_question_add": BUILDER,
    "quiz_question_edit": QUESTION,
    "quiz_question_archive": QUESTION,
    "api:quiz-attempt-start": LEARNER,
    "api:quiz-attempt": ATTEMPT,
    "api:quiz-attempt-answer": ATTEMPT,
    "api:quiz-attempt-submit": ATTEMPT,
}
