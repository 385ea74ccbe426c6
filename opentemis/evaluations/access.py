"""Who may do what to an evaluation: the rules of TT 20/2018 and TT 14/2018 Điều 10, as checks.

- The person evaluated edits their own self-evaluation (BM1) while it is a draft or returned.
- A teacher's evaluation is reviewed by the head of the school (TT 20 Điều 10 khoản 1 điểm c):
  whoever holds ``Perm.REVIEW_TEACHERS`` on the school (the principal role), never on themself.
- A manager's (HT, PHT) evaluator is configuration (:class:`EvaluatorRule`): the head of the
  school (deputies, by default) or an officer of a superior unit of a given kind (principals:
  the provincial department since the district level was abolished on 1/7/2025).
- Officers with ``Perm.MANAGE_CYCLES`` above the unit reopen finalised records.
- Colleagues of the subject group give an opinion on a teacher (BM2, Điều 10 khoản 1 điểm b);
  the staff of a manager's school answer the anonymous poll about them (TT 14 Điều 10).

:func:`allowed_actions` puts these together with the workflow's "when" (which status, an open
cycle) into one answer to "what may this actor do to this evaluation now": the pages show it as
buttons, the API returns it as ``actions``, and the services refuse with :func:`require`, so
the three cannot disagree. Every step except acknowledging a result needs the cycle to be open:
a finished cycle is closed for good (its frameworks are locked, decision 0005), so nothing in it
is reviewed or reopened; the person may still say they have read their result.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, role_grants
from opentemis.accounts.roles import ROLE_PERMS, Perm
from opentemis.evaluations.models import (
    LOCKED_STATUSES,
    Evaluation,
    EvaluationKind,
    EvaluatorRule,
    PollParticipation,
    Status,
)
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person


def _is_self(user: User, person_id: int | None) -> bool:
    return person_id is not None and user.person_id == person_id


def evaluator_rule_for(person: Person, unit: Unit | None = None) -> EvaluatorRule | None:
    """The :class:`EvaluatorRule` for a manager ``person`` (None: not a manager, or no rule)."""
    positions = [p.code for p in person.positions.all() if p.is_manager]
    if not positions:
        return None
    unit = unit or person.unit
    levels = [lvl.pk for lvl in unit.levels.all()]
    rules = list(
        EvaluatorRule.objects.filter(position__code__in=positions).select_related("position")
    )
    # HT before PHT (a person holding both is evaluated as the head); a level-specific rule
    # before a general one.
    order = {"HT": 0, "GD": 0}
    rules.sort(key=lambda r: (order.get(r.position.code, 1), r.level_id is None))
    for rule in rules:
        if rule.level_id is None or rule.level_id in levels:
            return rule
    return None


def can_review_path(
    user: User, *, kind: str, unit_path: str, rule: EvaluatorRule | None = None
) -> bool:
    """May ``user`` evaluate someone of ``kind`` at ``unit_path`` (ignoring self-review)?"""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if kind == "teacher" or (rule is not None and rule.evaluator == "school_head"):
        return has_perm_on(user, Perm.REVIEW_TEACHERS, unit_path)
    if rule is None:
        return False
    grants = [
        path
        for role, path in role_grants(user)
        if Perm.REVIEW_MANAGERS in ROLE_PERMS.get(role, ())
        and unit_path.startswith(path)
        and path != unit_path
    ]
    if not grants:
        return False
    if not rule.superior_kind:
        return True
    # bool(): the unit tree's manager comes from treebeard, which the checker cannot read.
    return bool(Unit.dangerously_unscoped.filter(path__in=grants, kind=rule.superior_kind).exists())


def can_review(user: User, evaluation: Evaluation) -> bool:
    """May ``user`` set the reviewer's levels of ``evaluation``, return or finalise it?"""
    if _is_self(user, evaluation.person_id):
        return False
    rule = None
    if evaluation.kind == "manager":
        rule = evaluator_rule_for(evaluation.person, evaluation.unit)
    return can_review_path(user, kind=evaluation.kind, unit_path=evaluation.unit_path, rule=rule)


def can_review_person(user: User, person: Person, *, kind: str | None = None) -> bool:
    """May ``user`` evaluate ``person`` (now), before or without an evaluation record: access
    to the person's evidence files, and whom a paper file may give a result to.

    ``kind``: the evaluation's kind when the caller knows it (the paper import: from the
    standard that applies to the person); else a manager with an evaluator rule is evaluated
    as a manager and anyone else as a teacher.
    """
    if _is_self(user, person.pk):
        return False
    rule = evaluator_rule_for(person) if kind != "teacher" else None
    if kind is None:
        kind = "manager" if rule is not None else "teacher"
    return can_review_path(user, kind=kind, unit_path=person.unit_path, rule=rule)


def can_reopen(user: User, evaluation: Evaluation) -> bool:
    return has_perm_on(user, Perm.MANAGE_CYCLES, evaluation.unit_path)


def can_view(user: User, evaluation: Evaluation) -> bool:
    """The person, their reviewer, and whoever follows evaluations of the subtree."""
    return (
        _is_self(user, evaluation.person_id)
        or has_perm_on(user, Perm.VIEW_EVALUATIONS, evaluation.unit_path)
        or can_review(user, evaluation)
    )


def can_give_opinion(actor: User, evaluation: Evaluation) -> bool:
    """A colleague of the same subject group (TT 20 Điều 10 khoản 1 điểm b), not oneself."""
    person_id = actor.person_id
    if person_id is None or person_id == evaluation.person_id:
        return False  # decided without loading the actor's staff record
    person = actor.person
    return (
        person is not None
        and evaluation.kind == EvaluationKind.TEACHER
        and person.subject_group_id is not None
        and person.subject_group_id == evaluation.person.subject_group_id
    )


def can_answer_poll(actor: User, evaluation: Evaluation) -> bool:
    """Teachers and staff of the manager's school, not the manager."""
    person_id = actor.person_id
    if person_id is None or person_id == evaluation.person_id:
        return False
    person = actor.person
    return (
        person is not None
        and evaluation.kind == EvaluationKind.MANAGER
        and person.unit_id == evaluation.unit_id
    )


def is_own(user: User, evaluation: Evaluation) -> bool:
    """Is ``user`` the person ``evaluation`` is about?"""
    return _is_self(user, evaluation.person_id)


def sees_review(user: User, evaluation: Evaluation) -> bool:
    """Does ``user`` see what others said of the person: the reviewer's levels, comments and
    result, and the colleagues' opinions? The reviewer's work is a draft until finalised, so
    the person evaluated sees it once the record is locked; whoever else may view the record
    sees it at once. (Who may view at all is :func:`can_view`.)"""
    return evaluation.is_locked or not is_own(user, evaluation)


# --- what may be done to an evaluation now --------------------------------------------------


class Action(StrEnum):
    """A step of the workflow on one evaluation (``actions`` in the API: ``can_<value>``)."""

    EDIT_SELF = "edit_self"  # save or submit the self-evaluation, cite evidence
    GIVE_OPINION = "give_opinion"  # a colleague's opinion (BM2)
    ANSWER_POLL = "answer_poll"  # the staff's anonymous poll about a manager
    REVIEW = "review"  # the reviewer's levels: save, return, finalise
    ACKNOWLEDGE = "acknowledge"  # the person has read the result
    REOPEN = "reopen"  # an officer reopens a finalised record


def _closed(evaluation: Evaluation) -> str | None:
    return None if evaluation.cycle.is_open else _("This cycle is closed.")


def _self_editable(evaluation: Evaluation) -> str | None:
    if evaluation.status not in (Status.DRAFT, Status.RETURNED):
        return _("This self-evaluation has been submitted and can no longer be changed.")
    return _closed(evaluation)


def _collecting_opinions(evaluation: Evaluation) -> str | None:
    if evaluation.status != Status.SUBMITTED or not evaluation.cycle.is_open:
        return _(
            "Opinions are collected after the self-evaluation is submitted and before the review."
        )
    return None


def _poll_open(evaluation: Evaluation) -> str | None:
    # Step 2 of TT 14 Điều 10 follows the self-evaluation and precedes the superior's review.
    if evaluation.status != Status.SUBMITTED or not evaluation.cycle.is_open:
        return _("The poll about this manager is not open.")
    return None


def _reviewable(evaluation: Evaluation) -> str | None:
    if evaluation.status != Status.SUBMITTED:
        return _("Only a submitted self-evaluation can be reviewed (status: %(status)s).") % {
            "status": evaluation.get_status_display()
        }
    return _closed(evaluation)


def _acknowledgeable(evaluation: Evaluation) -> str | None:
    if evaluation.status != Status.FINALISED:
        return _("There is no finalised result to acknowledge.")
    return None


def _reopenable(evaluation: Evaluation) -> str | None:
    if evaluation.status not in LOCKED_STATUSES:
        return _("Only a finalised evaluation can be reopened.")
    return _closed(evaluation)


Who = Callable[[User, Evaluation], bool]
When = Callable[[Evaluation], "str | None"]

#: Each action: who may take it (else 403 / PermissionDenied), and when (the reason it cannot
#: be taken now, else None: a 400 / ValidationError).
RULES: dict[Action, tuple[Who, When]] = {
    Action.EDIT_SELF: (is_own, _self_editable),
    Action.GIVE_OPINION: (can_give_opinion, _collecting_opinions),
    Action.ANSWER_POLL: (can_answer_poll, _poll_open),
    Action.REVIEW: (can_review, _reviewable),
    Action.ACKNOWLEDGE: (is_own, _acknowledgeable),
    Action.REOPEN: (can_reopen, _reopenable),
}


def _answered(actor: User, evaluation: Evaluation) -> str | None:
    """The poll is answered once: the participation row says the actor did (someone without
    a staff record has answered nothing)."""
    person_id = actor.person_id
    if (
        person_id is not None
        and PollParticipation.objects.filter(evaluation=evaluation, person_id=person_id).exists()
    ):
        return _("You have already answered this poll.")
    return None


def refusal(actor: User, evaluation: Evaluation, action: Action) -> Exception | None:
    """Why ``actor`` may not take ``action`` on ``evaluation`` now, as the error the services
    raise: ``PermissionDenied`` when the step is not theirs, ``ValidationError`` with the
    reason when it is not possible now; None when it is allowed."""
    who, when = RULES[action]
    if not who(actor, evaluation):
        return PermissionDenied()
    reason = when(evaluation)
    if reason is None and action == Action.ANSWER_POLL:
        reason = _answered(actor, evaluation)
    return None if reason is None else ValidationError(reason)


def require(actor: User, evaluation: Evaluation, action: Action) -> None:
    """Raise :func:`refusal`'s error unless ``actor`` may take ``action`` now (the services)."""
    error = refusal(actor, evaluation, action)
    if error is not None:
        raise error


def may(actor: User, evaluation: Evaluation, action: Action) -> bool:
    """May ``actor`` take ``action`` on ``evaluation`` now? The status and the cycle are looked
    at first, so that who may act (which can cost a query) is only asked when it matters."""
    who, when = RULES[action]
    if when(evaluation) is not None or not who(actor, evaluation):
        return False
    return action != Action.ANSWER_POLL or _answered(actor, evaluation) is None


def allowed_actions(actor: User, evaluation: Evaluation) -> frozenset[Action]:
    """Everything ``actor`` may do to ``evaluation`` now: the page's buttons, the API's
    ``actions``, what the services accept."""
    return frozenset(action for action in Action if may(actor, evaluation, action))
