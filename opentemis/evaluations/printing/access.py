"""Who may print which form. Every refusal is a 404 in the views (nothing is confirmed to exist).

- BM1 / the principal's self-evaluation: whoever may see the evaluation (``access.can_view``).
- The principal's poll summary: those who may see the evaluation, except the principal
  (as on the evaluation page: the evaluated person never sees the poll).
- The superior's result: those who may see it; the person only once it is finalised.
- BM2: its author, and whoever follows or reviews the school's evaluations.
- BM3: the group's leader (TTCM/TPCM), and whoever follows or reviews the school's evaluations.
- BM4 and "print all": whoever follows (``VIEW_EVALUATIONS``) or reviews (``REVIEW_TEACHERS``)
  the school's evaluations.
"""

from __future__ import annotations

from typing import Any

from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.evaluations import access
from opentemis.evaluations.models import Evaluation, EvaluationKind


def may_print_school(user: Any, unit_path: str) -> bool:
    return has_perm_on(user, Perm.VIEW_EVALUATIONS, unit_path) or has_perm_on(
        user, Perm.REVIEW_TEACHERS, unit_path
    )


def may_print_poll(user: Any, evaluation: Evaluation) -> bool:
    return (
        evaluation.kind == EvaluationKind.MANAGER
        and not access.is_own(user, evaluation)
        and access.can_view(user, evaluation)
    )


def may_print_result(user: Any, evaluation: Evaluation) -> bool:
    if evaluation.kind != EvaluationKind.MANAGER or not access.can_view(user, evaluation):
        return False
    return access.sees_review(user, evaluation)


def may_print_bm2(user: Any, author: Any) -> bool:
    return getattr(user, "person_id", None) == author.pk or may_print_school(user, author.unit_path)


def may_print_bm3(user: Any, group: Any) -> bool:
    person = getattr(user, "person", None)
    leads = (
        person is not None
        and person.subject_group_id == group.pk
        and person.positions.filter(code__in=("TTCM", "TPCM")).exists()
    )
    return leads or may_print_school(user, group.unit.path)
