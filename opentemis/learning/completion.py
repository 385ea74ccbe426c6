"""The course completion rule (issue 13 item 7): pure, so that the learner's "what is still
missing", the officer's progress page and the ledger posting all judge alike.

Moodle's course completion (bdtx.md §3) combines criteria by ALL or ANY; ETEP's "hoàn thành
mô đun" is activities ∧ test passed ∧ product Đạt ∧ survey submitted (R9). Here each criterion is
a required activity of the course: ``required`` says it counts, ``pass_required`` that only a
pass counts (a test, a product graded Đạt), not just finishing it. A face-to-face class counts
when its attendance rule is met (its app reports the class as done then). The course's
``completion_rule`` chooses ``{"aggregation": "all"}`` (the default) or ``"any"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DONE = frozenset({"complete", "passed"})
AGGREGATIONS = ("all", "any")


@dataclass(frozen=True)
class Criterion:
    activity_id: int
    title: str
    kind: str
    pass_required: bool


@dataclass(frozen=True)
class Judgement:
    complete: bool
    done: tuple[Criterion, ...]
    missing: tuple[tuple[Criterion, str], ...]  # (criterion, its state: "" = not started)

    @property
    def done_count(self) -> int:
        return len(self.done)

    @property
    def required_count(self) -> int:
        return len(self.done) + len(self.missing)


def satisfied(criterion: Criterion, state: str) -> bool:
    """Whether an activity's state meets its criterion: a pass where one is required
    ("complete" does not count then), else done or passed."""
    if criterion.pass_required:
        return state == "passed"
    return state in DONE


def judge(
    criteria: Iterable[Criterion], states: Mapping[int, str], rule: Mapping[str, object]
) -> Judgement:
    """Whether a learner with ``states`` (activity id -> state) completes a course whose
    required activities are ``criteria`` under ``rule``. A course with no required activity
    is never complete by itself (an officer must add one): nothing is credited by accident."""
    criteria = list(criteria)
    done = tuple(c for c in criteria if satisfied(c, states.get(c.activity_id, "")))
    missing = tuple((c, states.get(c.activity_id, "")) for c in criteria if c not in set(done))
    aggregation = rule.get("aggregation", "all")
    if not criteria:
        complete = False
    elif aggregation == "any":
        complete = bool(done)
    else:
        complete = not missing
    return Judgement(complete=complete, done=done, missing=missing)
