"""Who, besides its owner, may open a person's evidence library: asked of the apps above.

An evaluator must see the evidence of the people they evaluate (decision 0007), but who
evaluates whom is the rule of the evaluations app, which sits above evidence in the layers
(docs/decisions/0014-layers.md). So evidence keeps this small registry of viewer checks and
evaluations registers its own (``access.can_review_person``) from its ``signals.py``.
Fail-closed: with no check registered, nobody but the owner opens a library.
"""

from __future__ import annotations

from collections.abc import Callable

from opentemis.accounts.models import User
from opentemis.staff.models import Person

# check(actor, owner) -> may ``actor`` open the library of ``owner``?
ViewerCheck = Callable[[User, Person], bool]

viewer_checks: list[ViewerCheck] = []


def register_viewer_check(check: ViewerCheck) -> None:
    """Let ``check`` grant access to other people's libraries (registered once)."""
    if check not in viewer_checks:
        viewer_checks.append(check)


def may_view_others(actor: User, owner: Person) -> bool:
    """Whether a registered check lets ``actor`` open ``owner``'s library."""
    return any(check(actor, owner) for check in viewer_checks)
