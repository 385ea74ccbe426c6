"""Colleagues' opinions on a teacher's submitted self-evaluation (BM2, TT 20 Điều 10 khoản 1 b):
one overall level and a comment per colleague of the subject group."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.text import normalize_text
from opentemis.evaluations import access
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import Evaluation, PeerOpinion
from opentemis.standards.rules import LEVEL_CODES


@transaction.atomic
def opinion_give(
    *, actor: User, evaluation: Evaluation, level: str, comment: str = ""
) -> PeerOpinion:
    """Give (or change) the actor's opinion on a colleague's self-evaluation."""
    access.require(actor, evaluation, Action.GIVE_OPINION)
    if level not in LEVEL_CODES:
        raise ValidationError(_("Choose a level."))
    opinion, _created = PeerOpinion.objects.update_or_create(
        evaluation=evaluation,
        author=actor.person,
        defaults={"level": level, "comment": normalize_text(comment)[:2000]},
    )
    audit(
        actor=actor,
        action="evaluation.opinion",
        unit_id=evaluation.unit_id,
        obj=evaluation,
        changes={"after": {"level": level}},
    )
    return opinion
