"""Who may do what to an evaluation: the rules of TT 20/2018 and TT 14/2018 Điều 10, as checks.

- The person evaluated edits their own self-evaluation (BM1) while it is a draft or returned.
- A teacher's evaluation is reviewed by the head of the school (TT 20 Điều 10 khoản 1 điểm c):
  whoever holds ``Perm.REVIEW_TEACHERS`` on the school (the principal role), never on themself.
- A manager's (HT, PHT) evaluator is configuration (:class:`EvaluatorRule`): the head of the
  school (deputies, by default) or an officer of a superior unit of a given kind (principals:
  the provincial department since the district level was abolished on 1/7/2025).
- Officers with ``Perm.MANAGE_CYCLES`` above the unit reopen finalised records.
"""

from __future__ import annotations

from typing import Any

from opentemis.accounts.permissions import has_perm_on, role_grants
from opentemis.accounts.roles import ROLE_PERMS, Perm
from opentemis.evaluations.models import EvaluatorRule
from opentemis.orgs.models import Unit


def _is_self(user: Any, person_id: int | None) -> bool:
    return person_id is not None and getattr(user, "person_id", None) == person_id


def evaluator_rule_for(person: Any, unit: Any = None) -> Any:
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


def can_review_path(user: Any, *, kind: str, unit_path: str, rule: Any = None) -> bool:
    """May ``user`` evaluate someone of ``kind`` at ``unit_path`` (ignoring self-review)?"""
    if user is None or not user.is_authenticated:
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
    return Unit.dangerously_unscoped.filter(path__in=grants, kind=rule.superior_kind).exists()


def can_review(user: Any, evaluation: Any) -> bool:
    """May ``user`` set the reviewer's levels of ``evaluation``, return or finalise it?"""
    if _is_self(user, evaluation.person_id):
        return False
    rule = None
    if evaluation.kind == "manager":
        rule = evaluator_rule_for(evaluation.person, evaluation.unit)
    return can_review_path(user, kind=evaluation.kind, unit_path=evaluation.unit_path, rule=rule)


def can_review_person(user: Any, person: Any) -> bool:
    """May ``user`` evaluate ``person`` (now)? Used for access to the person's evidence files."""
    if _is_self(user, person.pk):
        return False
    rule = evaluator_rule_for(person)
    kind = "manager" if rule is not None else "teacher"
    return can_review_path(user, kind=kind, unit_path=person.unit_path, rule=rule)


def can_reopen(user: Any, evaluation: Any) -> bool:
    return has_perm_on(user, Perm.MANAGE_CYCLES, evaluation.unit_path)


def can_view(user: Any, evaluation: Any) -> bool:
    """The person, their reviewer, and whoever follows evaluations of the subtree."""
    return (
        _is_self(user, evaluation.person_id)
        or has_perm_on(user, Perm.VIEW_EVALUATIONS, evaluation.unit_path)
        or can_review(user, evaluation)
    )
