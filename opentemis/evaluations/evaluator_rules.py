"""Who evaluates managers (HT, PHT, GD): the configuration of :class:`EvaluatorRule`.

Its reads and writes, for the page with the other national configuration (``/standards/``,
``views_evaluators.py``). In evaluations, above standards, because the rule model is this
app's (its access checks read it: ``access.evaluator_rule_for``); the audit goes through
``standards.services.config_audit`` like every change of national configuration.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.evaluations.models import EvaluatorKind, EvaluatorRule
from opentemis.orgs.models import SchoolLevel, UnitKind
from opentemis.staff.models import Position
from opentemis.standards.services import config_audit


def evaluator_rules() -> list[EvaluatorRule]:
    """Every rule, by position then level (each names its superior unit kind:
    :attr:`EvaluatorRule.superior_kind_label`)."""
    return list(
        EvaluatorRule.objects.select_related("position", "level").order_by(
            "position__order", "level__order"
        )
    )


def managers_without_rule() -> list[Position]:
    """Manager positions that no evaluator rule covers at any level: only a system
    administrator could review their evaluations."""
    covered = EvaluatorRule.objects.values("position_id")
    return list(Position.objects.filter(is_manager=True).exclude(pk__in=covered))


def _require_superuser(actor: User) -> None:
    if not actor.is_superuser:
        raise ValidationError(_("Only a system administrator can change who evaluates managers."))


@transaction.atomic
def evaluator_rule_save(
    *, actor: User, position: str, level: str | None, evaluator: str, superior_kind: str = ""
) -> EvaluatorRule:
    """Set who evaluates ``position`` at school ``level`` (None: any level); replaces the
    rule for the same position and level if there is one."""
    _require_superuser(actor)
    position_obj = Position.objects.filter(code=position).first()
    if position_obj is None:
        raise ValidationError(_("Unknown position or school level code."))
    if not position_obj.is_manager:
        raise ValidationError(
            _(
                "%(position)s is not a management position: its holders are evaluated by "
                "the head of their school."
            )
            % {"position": position_obj.name}
        )
    level_obj = None
    if level:
        level_obj = SchoolLevel.objects.filter(code=level).first()
        if level_obj is None:
            raise ValidationError(_("Unknown position or school level code."))
    if evaluator not in EvaluatorKind.values:
        raise ValidationError(_("Choose who evaluates: the head of the school or a superior unit."))
    if evaluator == EvaluatorKind.SCHOOL_HEAD:
        superior_kind = ""
    elif superior_kind and superior_kind not in UnitKind.values:
        raise ValidationError(_("Unknown unit kind."))
    # The unique constraint does not cover level=NULL on every database: look it up by hand.
    rule = (
        EvaluatorRule.objects.select_for_update()
        .filter(position=position_obj, level=level_obj)
        .first()
    )
    if rule is None:
        rule = EvaluatorRule(position=position_obj, level=level_obj)
    rule.evaluator = evaluator
    rule.superior_kind = superior_kind
    rule.save()
    config_audit(
        actor,
        "standards.evaluator_rule_save",
        rule,
        {
            "position": position,
            "level": level or "*",
            "evaluator": evaluator,
            "kind": superior_kind,
        },
    )
    return rule


@transaction.atomic
def evaluator_rule_remove(*, actor: User, rule: EvaluatorRule) -> None:
    _require_superuser(actor)
    config_audit(actor, "standards.evaluator_rule_remove", rule, {})
    rule.delete()
