"""Training needs, recorded when a record is finalised: the criteria below Khá and those the
person chose to improve first, each with its BDTX modules (standards/data/modules.yaml)."""

from __future__ import annotations

from opentemis.evaluations.models import Evaluation, NeedReason, TrainingNeed
from opentemis.standards.frameworks import modules_for
from opentemis.standards.rules import Level


def training_needs_of(evaluation: Evaluation) -> list[tuple[int, str, list[str]]]:
    """Criteria to improve: final level below Khá, plus those the person chose first."""
    code = evaluation.framework.code
    below = sorted(
        int(k) for k, v in evaluation.review_levels.items() if Level.from_code(v) < Level.KHA
    )
    chosen = [int(c) for c in evaluation.priority_criteria if int(c) not in below]
    rows = [(c, NeedReason.BELOW_KHA.value, modules_for(code, c)) for c in below]
    rows += [(c, NeedReason.CHOSEN.value, modules_for(code, c)) for c in sorted(chosen)]
    return rows


def record_training_needs(evaluation: Evaluation, *, replace: bool = True) -> None:
    """Store the evaluation's training needs; ``replace`` deletes those recorded before."""
    if replace:
        TrainingNeed.objects.filter(evaluation=evaluation).delete()
    needs = TrainingNeed.objects.bulk_create(
        TrainingNeed(evaluation=evaluation, criterion=c, reason=reason, modules=modules)
        for c, reason, modules in training_needs_of(evaluation)
    )
    # What was just stored is what ``evaluation.needs.all()`` would read back (in order).
    cache = evaluation.__dict__.setdefault("_prefetched_objects_cache", {})
    cache["needs"] = sorted(needs, key=lambda n: n.criterion)


def forget_training_needs(evaluation: Evaluation) -> None:
    """Delete the evaluation's training needs (a reopened record has none until finalised)."""
    TrainingNeed.objects.filter(evaluation=evaluation).delete()
    evaluation.__dict__.get("_prefetched_objects_cache", {}).pop("needs", None)
