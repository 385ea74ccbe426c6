"""The staff's anonymous poll about a manager of their school (TT 14/2018 Điều 10 khoản 2):
answers without authors, results as counts only and nothing below a few answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.evaluations import access
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import Evaluation, PollBallot, PollParticipation
from opentemis.evaluations.services.frameworks import clean_levels
from opentemis.standards.rules import LEVEL_CODES

# Below this many answers, a poll's results are not shown at all: with 1 or 2 answers the
# principal could tell who said what.
POLL_MIN_BALLOTS = 3


@transaction.atomic
def poll_answer(
    *, actor: User, evaluation: Evaluation, levels: Mapping[Any, Any], overall: str
) -> None:
    """Record one anonymous answer; the participation row only says that the person answered."""
    access.require(actor, evaluation, Action.ANSWER_POLL)
    person = actor.person
    if person is None:  # refused above already: only the school's staff answer
        raise PermissionDenied
    cleaned = clean_levels(evaluation.framework, levels)
    if overall not in LEVEL_CODES:
        raise ValidationError(_("Choose an overall level."))
    try:
        with transaction.atomic():
            PollParticipation.objects.create(evaluation=evaluation, person=person)
    except IntegrityError as exc:
        raise ValidationError(_("You have already answered this poll.")) from exc
    PollBallot.objects.create(evaluation=evaluation, levels=cleaned, overall=overall)
    # Deliberately no audit row naming the voter and the evaluation together with a time that
    # could be matched to a ballot: the participation row is the only trace.


@dataclass(frozen=True)
class CriterionCounts:
    criterion: int
    counts: dict[str, int]


@dataclass
class PollResults:
    """Counts of the answers; ``overall`` and ``criteria`` stay empty unless ``shown``."""

    answers: int
    shown: bool
    overall: dict[str, int] = field(default_factory=dict)
    criteria: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def by_criterion(self) -> list[CriterionCounts]:
        """The counts of each criterion, in criterion order."""
        return [CriterionCounts(n, counts) for n, counts in sorted(self.criteria.items())]


def poll_results(evaluation: Evaluation) -> PollResults:
    """Counts only, and nothing at all below :data:`POLL_MIN_BALLOTS` answers."""
    ballots = list(PollBallot.objects.filter(evaluation=evaluation).values("levels", "overall"))
    results = PollResults(answers=len(ballots), shown=len(ballots) >= POLL_MIN_BALLOTS)
    if not results.shown:
        return results
    for ballot in ballots:
        results.overall[ballot["overall"]] = results.overall.get(ballot["overall"], 0) + 1
        for key, code in ballot["levels"].items():
            row = results.criteria.setdefault(int(key), {})
            row[code] = row.get(code, 0) + 1
    return results
