"""The person's self-evaluation (BM1, TT 20 Điều 10 khoản 1 a; TT 14 for principals): started on
first use, saved as a draft while typed, then submitted complete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.params import parse_positive_int
from opentemis.core.text import normalize_text
from opentemis.evaluations import access
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import Cycle, Evaluation, Status
from opentemis.evaluations.services.fields import (
    REQUIRED_TEXT_FIELDS,
    TEXT_FIELD_LABELS,
    TEXT_FIELDS,
)
from opentemis.evaluations.services.frameworks import (
    clean_levels,
    clean_notes,
    framework_for_person,
    rate_levels,
    require_framework_applies,
    require_reason_below_suspended,
    rule_set_for,
)
from opentemis.evaluations.services.writes import write_step
from opentemis.staff.models import Person
from opentemis.standards.models import Framework
from opentemis.standards.rules import LEVEL_CODES


@transaction.atomic
def evaluation_start(*, actor: User, cycle: Cycle, person: Person) -> Evaluation:
    """The person's evaluation in ``cycle``, created on first use (by the person themself)."""
    if actor.person_id != person.pk and not actor.is_superuser:
        raise PermissionDenied
    if not person.unit_path.startswith(cycle.unit_path):
        raise ValidationError(_("This cycle does not cover your unit."))
    existing = Evaluation.objects.filter(cycle=cycle, person=person).first()
    if existing is not None:
        if not existing.is_locked:
            require_framework_applies(evaluation=existing)
        return existing
    if not cycle.is_open:
        raise ValidationError(_("This cycle is closed."))
    framework, kind = framework_for_person(cycle=cycle, person=person)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                cycle=cycle,
                person=person,
                framework=framework,
                kind=kind,
                unit_id=person.unit_id,
                unit_path=person.unit_path,
                updated_by=actor,
            )
    except IntegrityError:  # two tabs opened the form at once
        return Evaluation.objects.get(cycle=cycle, person=person)
    audit(actor=actor, action="evaluation.start", unit=person.unit, obj=evaluation)
    return evaluation


def _self_fields(
    evaluation: Evaluation,
    *,
    levels: Mapping[Any, Any] | None,
    notes: Mapping[Any, Any] | None,
    texts: Mapping[str, Any] | None,
    priority_criteria: Iterable[Any] | None,
) -> dict[str, Any]:
    framework = evaluation.framework
    fields: dict[str, Any] = {}
    if levels is not None:
        fields["self_levels"] = clean_levels(framework, levels)
    if notes is not None:
        fields["self_notes"] = clean_notes(framework, notes)
    for name in TEXT_FIELDS:
        if texts is not None and name in texts:
            limit = 255 if name == "plan_timing" else 5000
            fields[name] = normalize_text(str(texts[name] or ""))[:limit]
    if priority_criteria is not None:
        numbers = set(rule_set_for(framework).criteria)
        given = [parse_positive_int(c) for c in priority_criteria]
        chosen = sorted({c for c in given if c is not None})
        if any(c not in numbers for c in chosen):
            raise ValidationError(_("Unknown criterion among the competencies to improve first."))
        fields["priority_criteria"] = chosen
    return fields


@transaction.atomic
def evaluation_save_draft(
    *,
    actor: User,
    evaluation: Evaluation,
    version: int,
    levels: Mapping[Any, Any] | None = None,
    notes: Mapping[Any, Any] | None = None,
    texts: Mapping[str, Any] | None = None,
    priority_criteria: Iterable[Any] | None = None,
) -> Evaluation:
    """Autosave of the self-evaluation form: any part may be incomplete."""
    access.require(actor, evaluation, Action.EDIT_SELF)
    fields = _self_fields(
        evaluation, levels=levels, notes=notes, texts=texts, priority_criteria=priority_criteria
    )
    return write_step(
        evaluation,
        actor=actor,
        action="evaluation.draft",
        version=version,
        fields=fields,
        only_if_changed=True,
    )


@dataclass
class SelfMissing:
    """What a self-evaluation still lacks before it can be submitted."""

    criteria: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.criteria or self.texts)

    def messages(self) -> list[str]:
        messages = []
        if self.criteria:
            messages.append(
                _("Choose a level for every criterion before submitting (missing: %(numbers)s).")
                % {"numbers": ", ".join(str(n) for n in self.criteria)}
            )
        if self.texts:
            messages.append(
                _(
                    "Fill in the comments and development plan before submitting (missing: "
                    "%(fields)s). Your training needs are drawn from this plan."
                )
                % {"fields": ", ".join(str(TEXT_FIELD_LABELS[name]) for name in self.texts)}
            )
        return messages


def self_missing(
    framework: Framework, *, levels: Mapping[str, str], texts: Mapping[str, Any]
) -> SelfMissing:
    """The criteria without a level and the required BM1 texts left empty (in form order)."""
    return SelfMissing(
        criteria=[
            n for n in rule_set_for(framework).criteria if levels.get(str(n)) not in LEVEL_CODES
        ],
        texts=[name for name in REQUIRED_TEXT_FIELDS if not str(texts.get(name) or "").strip()],
    )


@transaction.atomic
def evaluation_submit(
    *,
    actor: User,
    evaluation: Evaluation,
    version: int,
    levels: Mapping[Any, Any] | None = None,
    notes: Mapping[Any, Any] | None = None,
    texts: Mapping[str, Any] | None = None,
    priority_criteria: Iterable[Any] | None = None,
) -> Evaluation:
    """Submit the self-evaluation (BM1): every criterion needs a level, and the comments and
    plan their text (:data:`REQUIRED_TEXT_FIELDS`); what is missing is said all at once."""
    access.require(actor, evaluation, Action.EDIT_SELF)
    fields = _self_fields(
        evaluation, levels=levels, notes=notes, texts=texts, priority_criteria=priority_criteria
    )
    typed = dict(fields)
    final_levels = fields.get("self_levels", evaluation.self_levels)
    texts_now = {name: fields.get(name, getattr(evaluation, name)) for name in TEXT_FIELDS}
    missing = self_missing(evaluation.framework, levels=final_levels, texts=texts_now)
    if missing:
        raise ValidationError(missing.messages())
    require_framework_applies(evaluation=evaluation)
    require_reason_below_suspended(
        evaluation.framework, final_levels, fields.get("self_notes", evaluation.self_notes)
    )
    fields["self_rating"] = rate_levels(evaluation.framework, final_levels).level.code
    fields["status"] = Status.SUBMITTED
    fields["submitted_at"] = timezone.now()
    return write_step(
        evaluation,
        actor=actor,
        action="evaluation.submit",
        version=version,
        fields=fields,
        typed=typed,
    )
