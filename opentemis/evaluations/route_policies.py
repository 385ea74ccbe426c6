"""Who may use the evaluations' routes (core/route_policy.py; the rules: access.py).

The kinds of evaluation in the test world: ``evaluation.draft`` (a teacher's, not submitted),
``evaluation.submitted`` (a teacher's, waiting for the principal), ``evaluation.finalised``
(a teacher's, locked) and ``evaluation.manager`` (the principal's own, reviewed by the Sở).
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import (
    OBJECT,
    PERM,
    SIGNED_IN,
    Actor,
    Outsider,
    RoutePolicy,
)

_OWNER = Actor.OWNER
_PRINCIPAL = Actor.PRINCIPAL
_OFFICER = Actor.OFFICER
# A cycle covers a whole unit (here province A): everyone in it sees the cycle, and its
# completion within their own reach; naming a unit outside that reach (school A1) is a 404.
_CYCLE = OBJECT("cycle", actor=_OFFICER, outsiders=(Outsider.OTHER_PROVINCE,))
_COMPLETION = OBJECT("cycle", actor=_OFFICER).narrowed_by("unit")
# Outsiders but the colleague: the anonymous poll about a manager is answered by the staff of
# the manager's school.
_OUTSIDE_THE_SCHOOL = (Outsider.OTHER_PROVINCE, Outsider.SIBLING_SCHOOL)


ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "evaluation_home": SIGNED_IN,
    "evaluation_me": SIGNED_IN,
    "group_opinions": SIGNED_IN,
    "review_queue": PERM(Perm.REVIEW_TEACHERS, denied=404).narrowed_by("unit"),
    "cycle_new": PERM(Perm.MANAGE_CYCLES, actor=_OFFICER, denied=404),
    "cycle_detail": _COMPLETION,
    # Finishing (POST only): the officers managing the cycle; a principal who sees it, 404.
    "cycle_finish": OBJECT("cycle", actor=_OFFICER, perm=Perm.MANAGE_CYCLES),
    "evaluation_school": OBJECT(
        "unit.school", param="unit_pk", actor=_PRINCIPAL, perm=Perm.VIEW_EVALUATIONS
    ),
    "evaluation_detail": OBJECT("evaluation.finalised", actor=_OWNER),
    "evaluation_self": OBJECT("evaluation.draft", actor=_OWNER),
    "evaluation_autosave": OBJECT("evaluation.draft", actor=_OWNER),
    "evaluation_evidence": OBJECT("evaluation.draft", actor=_OWNER),
    "evaluation_review": OBJECT("evaluation.submitted", actor=_PRINCIPAL),
    "evaluation_preview": OBJECT("evaluation.submitted", actor=_PRINCIPAL),
    "evaluation_acknowledge": OBJECT("evaluation.finalised", actor=_OWNER),
    "evaluation_reopen": OBJECT("evaluation.finalised", actor=_OFFICER, perm=Perm.MANAGE_CYCLES),
    "evaluation_poll": OBJECT(
        "evaluation.manager", actor=Actor.STAFF_MEMBER, outsiders=_OUTSIDE_THE_SCHOOL
    ),
    "print_bm1_pdf": OBJECT("evaluation.finalised", actor=_OWNER),
    "print_bm1_xlsx": OBJECT("evaluation.finalised", actor=_OWNER),
    "print_poll_pdf": OBJECT("evaluation.manager", actor=_OFFICER),
    "print_poll_xlsx": OBJECT("evaluation.manager", actor=_OFFICER),
    "print_result_pdf": OBJECT("evaluation.manager", actor=_OFFICER),
    "print_result_xlsx": OBJECT("evaluation.manager", actor=_OFFICER),
    "print_bm2_pdf": OBJECT("person", param="person_pk", actor=_OWNER),
    "print_bm2_xlsx": OBJECT("person", param="person_pk", actor=_OWNER),
    "print_bm3_pdf": OBJECT("subject_group", param="group_pk", actor=_PRINCIPAL),
    "print_bm3_xlsx": OBJECT("subject_group", param="group_pk", actor=_PRINCIPAL),
    "print_bm4_pdf": OBJECT("unit.school", param="unit_pk", actor=_PRINCIPAL),
    "print_bm4_xlsx": OBJECT("unit.school", param="unit_pk", actor=_PRINCIPAL),
    "print_school_all": OBJECT("unit.school", param="unit_pk", actor=_PRINCIPAL),
    "paper_home": OBJECT("unit.school", param="unit_pk", actor=_PRINCIPAL),
    "paper_template": OBJECT("unit.school", param="unit_pk", actor=_PRINCIPAL),
    "paper_confirm": OBJECT("unit.school", param="unit_pk", actor=_PRINCIPAL),
    # The API: lists show what the actor may see; the workflow as on the pages.
    "api:cycle-list": SIGNED_IN,
    "api:cycle-detail": _CYCLE,
    "api:cycle-completion": _COMPLETION,
    # A teacher naming their own school lists their own evaluation.
    "api:evaluation-list": SIGNED_IN.narrowed_by("unit", outsiders=_OUTSIDE_THE_SCHOOL),
    "api:evaluation-queue": SIGNED_IN.narrowed_by("unit", actor=_PRINCIPAL),
    "api:evaluation-me": SIGNED_IN,
    "api:paper-template": OBJECT("unit.school", param="unit", in_query=True, actor=_PRINCIPAL),
    "api:paper-import": OBJECT("unit.school", param="unit", in_query=True, actor=_PRINCIPAL),
    "api:evaluation-detail": OBJECT("evaluation.finalised", actor=_OWNER),
    "api:evaluation-self": OBJECT("evaluation.draft", actor=_OWNER),
    "api:evaluation-submit": OBJECT("evaluation.draft", actor=_OWNER),
    "api:evaluation-review": OBJECT("evaluation.submitted", actor=_PRINCIPAL),
    "api:evaluation-return": OBJECT("evaluation.submitted", actor=_PRINCIPAL),
    "api:evaluation-finalise": OBJECT("evaluation.submitted", actor=_PRINCIPAL),
    "api:evaluation-acknowledge": OBJECT("evaluation.finalised", actor=_OWNER),
    "api:evaluation-reopen": OBJECT(
        "evaluation.finalised", actor=_OFFICER, perm=Perm.MANAGE_CYCLES
    ),
    "api:evaluation-opinion": OBJECT("evaluation.submitted", actor=Actor.GROUP_MEMBER),
    "api:evaluation-opinions": OBJECT("evaluation.submitted", actor=_PRINCIPAL),
    "api:evaluation-poll": OBJECT(
        "evaluation.manager", actor=Actor.STAFF_MEMBER, outsiders=_OUTSIDE_THE_SCHOOL
    ),
    # The poll's results are for whoever may see the evaluation, not for the staff answering.
    "GET api:evaluation-poll": OBJECT("evaluation.manager", actor=_OFFICER),
    "api:evaluation-evidence": OBJECT("evaluation.draft", actor=_OWNER),
}
