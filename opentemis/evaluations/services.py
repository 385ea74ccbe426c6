"""Evaluation workflow: every state change, as small atomic functions (views, API, CLI call these).

The steps follow TT 20/2018 Điều 10 khoản 1 (teachers) and TT 14/2018 Điều 10 (principals):
self-evaluation (BM1) → colleagues' opinions (BM2/BM3; for principals, the staff's anonymous
poll) → the reviewer's levels and overall rating → the person is notified and acknowledges.

Writes are guarded by an optimistic lock (``version``): a save based on an old version raises
:class:`ConflictError` carrying the record as it is now, so the second editor sees the other's
changes and nothing is overwritten silently. Each change is recorded in the audit log with the
fields before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.accounts import audit_text
from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.conflicts import StaleVersion, compare
from opentemis.core.params import parse_positive_int
from opentemis.core.text import normalize_text
from opentemis.evaluations import access, signals
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import (
    Cycle,
    CycleStatus,
    Evaluation,
    EvaluationKind,
    EvidenceLink,
    NeedReason,
    PeerOpinion,
    PollBallot,
    PollParticipation,
    Status,
    TrainingNeed,
)
from opentemis.orgs.models import path_prefixes
from opentemis.standards.applicability import YearFrameworks, applicable_to_person, require_applies
from opentemis.standards.frameworks import modules_for
from opentemis.standards.models import Framework
from opentemis.standards.rules import (
    LEVEL_CODES,
    Level,
    RatingResult,
    RuleSet,
    rate,
    unjustified_below_suspended,
)
from opentemis.standards.services import framework_apply_defaults, framework_lock

TEXT_FIELDS = (
    "strengths",
    "improvements",
    "plan_goals",
    "plan_content",
    "plan_timing",
    "plan_conditions",
)
#: The BM1 comments and plan (labels as the form shows them).
TEXT_FIELD_LABELS = {
    "strengths": gettext_lazy("Strengths"),
    "improvements": gettext_lazy("Points to improve"),
    "plan_goals": gettext_lazy("Development plan: goals"),
    "plan_content": gettext_lazy("Content to study (competencies to improve first)"),
    "plan_timing": gettext_lazy("Timing"),
    "plan_conditions": gettext_lazy("Conditions"),
}
#: Needed to submit BM1: the comments and the plan's goals and content are where training needs
#: come from (TT 20 Điều 10; form BM1). Timing and conditions are the plan's logistics and may
#: stay empty.
REQUIRED_TEXT_FIELDS = ("strengths", "improvements", "plan_goals", "plan_content")
# Below this many answers, a poll's results are not shown at all: with 1 or 2 answers the
# principal could tell who said what.
POLL_MIN_BALLOTS = 3


#: Fields a person types; a conflict lists differences in these only (not the bookkeeping the
#: steps add, such as the reviewer or the time of finalisation).
INPUT_FIELDS = frozenset(
    {
        "self_levels",
        "self_notes",
        *TEXT_FIELDS,
        "priority_criteria",
        "review_levels",
        "review_comments",
        "review_note",
    }
)


class ConflictError(StaleVersion):
    """The record changed since the actor loaded it; ``current`` is how it is now and
    ``differences`` how it differs from what the actor typed (see core/conflicts.py)."""

    def __init__(
        self,
        current: Evaluation,
        submitted: Mapping[str, Any] | None = None,
        *,
        sent_version: Any = None,
    ) -> None:
        typed = {k: v for k, v in (submitted or {}).items() if k in INPUT_FIELDS}
        saver = current.updated_by
        super().__init__(
            current=current,
            sent_version=sent_version,
            differences=compare(_saved(current, typed), typed, label=_label, say=_say),
            who=audit_text.person_name(saver) if saver is not None else "",
        )


def _saved(current: Evaluation, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(current, name, None) for name in names}


def _label(name: str, criterion: str | None) -> str:
    text = audit_text.label(name, Evaluation)
    if criterion is None:
        return text
    return f"{_('Criterion %(n)s') % {'n': criterion}}: {text}"


def _say(name: str, value: Any) -> str:
    return audit_text.say(name, value, Evaluation)


# --- rating ---------------------------------------------------------------------------------

# A framework version's content (criteria, rules) never changes once stored: new content becomes
# a new version (standards.services). Its rules and its row are therefore cached per process, and
# the workflow's writes need no join to standards_framework. The caches are cleared whenever a
# framework or a criterion is saved or deleted (evaluations/signals.py), e.g. when an
# administrator locks a version or a test database reuses a primary key.
_RULES: dict[int, RuleSet] = {}
_FRAMEWORKS: dict[int, Framework] = {}
_CRITERIA: dict[int, list[dict[str, Any]]] = {}


def clear_framework_caches(**_: Any) -> None:
    _RULES.clear()
    _FRAMEWORKS.clear()
    _CRITERIA.clear()


def rule_set_for(framework: Framework) -> RuleSet:
    """A framework version's rules (immutable once stored), cached per process."""
    cached = _RULES.get(framework.pk)
    if cached is None:
        cached = _RULES[framework.pk] = framework.rule_set()
    return cached


def criteria_of(framework: Framework) -> list[dict[str, Any]]:
    """The framework's criteria (number, name, is_key) in order, cached per process."""
    cached = _CRITERIA.get(framework.pk)
    if cached is None:
        cached = _CRITERIA[framework.pk] = list(
            framework.criteria.order_by("number").values("number", "name", "is_key")
        )
    return cached


def framework_cached(pk: int) -> Framework:
    """The framework row by primary key, cached per process (for rules and criteria only)."""
    cached = _FRAMEWORKS.get(pk)
    if cached is None:
        cached = _FRAMEWORKS[pk] = Framework.objects.get(pk=pk)
    return cached


def rate_levels(framework: Framework, levels: Mapping[str, str]) -> RatingResult:
    """The overall rating and its explanation for ``levels`` ({"1": "Tot", ...})."""
    rules = rule_set_for(framework)
    return rate(rules, {int(k): Level.from_code(v) for k, v in levels.items()})


def require_reason_below_suspended(
    framework: Framework, levels: Mapping[str, str], reasons: Mapping[str, str]
) -> None:
    """Nobody is failed on a suspended requirement (TT 29/2021 on criterion 3's training
    qualification, decision 0013): a level below one whose requirement is partly suspended
    needs a written reason for that criterion (``reasons``: its notes or comments)."""
    rules = rule_set_for(framework)
    given = {int(k): Level.from_code(v) for k, v in levels.items() if v in LEVEL_CODES}
    written = {int(k) for k, v in reasons.items() if str(v or "").strip()}
    missing = unjustified_below_suspended(rules, given, written)
    if missing:
        s = missing[0]
        raise ValidationError(
            _(
                "Criterion %(number)s is at %(actual)s, but the requirement “%(requirement)s” "
                "of level %(level)s is suspended (%(by)s): nobody may be rated below %(level)s "
                "for it. Write for criterion %(number)s (its note or comment) which other "
                "requirement is not met, or choose another level."
            )
            % {
                "number": s.criterion,
                "actual": given[s.criterion].label,
                "requirement": s.requirement,
                "level": s.level.label,
                "by": s.by,
            }
        )


def is_complete(framework: Framework, levels: Mapping[str, str]) -> bool:
    rules = rule_set_for(framework)
    return all(levels.get(str(n)) in LEVEL_CODES for n in rules.criteria)


def clean_levels(framework: Framework, levels: Mapping[Any, Any]) -> dict[str, str]:
    """Keep known criteria with valid level codes; refuse anything else."""
    numbers = {str(n) for n in rule_set_for(framework).criteria}
    cleaned: dict[str, str] = {}
    for key, value in levels.items():
        key = str(key)
        if value in (None, ""):
            continue
        if key not in numbers:
            raise ValidationError(_("Criterion %(n)s is not in this standard.") % {"n": key})
        if value not in LEVEL_CODES:
            raise ValidationError(
                _("“%(value)s” is not a level (Chưa đạt, Đạt, Khá, Tốt).") % {"value": value}
            )
        cleaned[key] = str(value)
    return cleaned


def _clean_notes(framework: Framework, notes: Mapping[Any, Any] | None) -> dict[str, str]:
    numbers = {str(n) for n in rule_set_for(framework).criteria}
    return {
        str(k): normalize_text(str(v))[:2000]
        for k, v in (notes or {}).items()
        if str(k) in numbers and str(v or "").strip()
    }


# --- cycles ---------------------------------------------------------------------------------


def _check_dates(self_due: dt.date, opinions_due: dt.date, review_due: dt.date) -> None:
    if not self_due <= opinions_due <= review_due:
        raise ValidationError(
            _(
                "Deadlines must follow the steps: self-evaluation, then colleagues' opinions, "
                "then the review."
            )
        )


@transaction.atomic
def cycle_open(
    *,
    actor: Any,
    unit: Any,
    school_year: Any,
    name: str,
    self_due: dt.date,
    opinions_due: dt.date,
    review_due: dt.date,
) -> Cycle:
    """Open an evaluation cycle for ``school_year`` over ``unit``'s subtree."""
    if not has_perm_on(actor, Perm.MANAGE_CYCLES, unit.path):
        raise PermissionDenied
    _check_dates(self_due, opinions_due, review_due)
    overlapping = Cycle.objects.filter(school_year=school_year, status=CycleStatus.OPEN).filter(
        models.Q(unit_path__startswith=unit.path)
        | models.Q(unit_path__in=path_prefixes(unit.path, include_self=False))
    )
    if overlapping.exists():
        raise ValidationError(
            _("A cycle for %(year)s already covers part of this unit.") % {"year": school_year}
        )
    framework_apply_defaults(school_year=school_year)
    cycle = Cycle.objects.create(
        school_year=school_year,
        unit=unit,
        unit_path=unit.path,
        name=normalize_text(name)[:200],
        self_due=self_due,
        opinions_due=opinions_due,
        review_due=review_due,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit(
        actor=actor,
        action="cycle.open",
        unit=unit,
        obj=cycle,
        changes={"after": {"name": cycle.name, "deadlines": [self_due, opinions_due, review_due]}},
    )
    return cycle


@transaction.atomic
def cycle_update_deadlines(
    *, actor: Any, cycle: Cycle, self_due: dt.date, opinions_due: dt.date, review_due: dt.date
) -> Cycle:
    if not has_perm_on(actor, Perm.MANAGE_CYCLES, cycle.unit_path):
        raise PermissionDenied
    _check_dates(self_due, opinions_due, review_due)
    before = [cycle.self_due, cycle.opinions_due, cycle.review_due]
    cycle.self_due, cycle.opinions_due, cycle.review_due = self_due, opinions_due, review_due
    cycle.save(update_fields=["self_due", "opinions_due", "review_due"])
    audit(
        actor=actor,
        action="cycle.deadlines",
        unit=cycle.unit,
        obj=cycle,
        changes={"before": before, "after": [self_due, opinions_due, review_due]},
    )
    return cycle


@transaction.atomic
def cycle_finish(*, actor: Any, cycle: Cycle) -> Cycle:
    """Close a cycle: no more edits; the frameworks it used can never change again."""
    if not has_perm_on(actor, Perm.MANAGE_CYCLES, cycle.unit_path):
        raise PermissionDenied
    cycle.status = CycleStatus.FINISHED
    cycle.finished_at = timezone.now()
    cycle.save(update_fields=["status", "finished_at"])
    used = Framework.objects.filter(evaluations__cycle=cycle).distinct()
    for framework in used:
        framework_lock(framework=framework)
    audit(actor=actor, action="cycle.finish", unit=cycle.unit, obj=cycle)
    return cycle


# --- starting and saving a self-evaluation --------------------------------------------------


def framework_for_person(
    *, cycle: Cycle, person: Any, table: YearFrameworks | None = None
) -> tuple[Framework, str]:
    """The framework and evaluation kind that apply to ``person`` in ``cycle``'s year (one
    answer for every path: standards.applicability); ValidationError when none applies.
    ``table``: the year's :class:`YearFrameworks`, when asking for many people."""
    found = applicable_to_person(school_year=cycle.school_year, person=person, table=table)
    kind = EvaluationKind.MANAGER if found.is_manager else EvaluationKind.TEACHER
    return found.framework, kind


def require_framework_applies(*, evaluation: Evaluation) -> None:
    """Refuse to go on with an evaluation whose framework does not apply to its person (one
    started against TT 20 for a preschool teacher before TT 26 was configured)."""
    require_applies(
        framework=evaluation.framework,
        school_year=evaluation.cycle.school_year,
        person=evaluation.person,
    )


@transaction.atomic
def evaluation_start(*, actor: Any, cycle: Cycle, person: Any) -> Evaluation:
    """The person's evaluation in ``cycle``, created on first use (by the person themself)."""
    if getattr(actor, "person_id", None) != person.pk and not actor.is_superuser:
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


def guarded_update(
    evaluation: Evaluation, *, version: int, actor: Any, submitted: Mapping[str, Any], **fields: Any
) -> Evaluation:
    """UPDATE ... WHERE version = <what the actor saw>; raise ConflictError if someone saved."""
    now = timezone.now()
    updated = Evaluation.objects.filter(pk=evaluation.pk, version=version).update(
        version=models.F("version") + 1, updated_at=now, updated_by=actor, **fields
    )
    if not updated:
        current = Evaluation.objects.select_related("updated_by__person").get(pk=evaluation.pk)
        raise ConflictError(current, submitted, sent_version=version)
    for name, value in fields.items():
        setattr(evaluation, name, value)
    evaluation.version = version + 1
    evaluation.updated_at = now
    evaluation.updated_by = actor
    return evaluation


def field_changes(evaluation: Evaluation, fields: Mapping[str, Any]) -> dict[str, Any]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in fields.items():
        old = getattr(evaluation, name)
        if old != value:
            before[name], after[name] = old, value
    return {"before": before, "after": after}


def _write(
    evaluation: Evaluation,
    *,
    actor: Any,
    action: str,
    version: int,
    fields: Mapping[str, Any],
    typed: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    only_if_changed: bool = False,
    before_audit: Any = None,
) -> Evaluation:
    """The tail of every workflow step: the guarded UPDATE, then the audit of what changed.

    ``typed``: what the actor typed (shown back in a conflict; default ``fields``); ``extra``:
    more facts for the audit row (a reason); ``only_if_changed``: no audit row when nothing
    changed (autosave); ``before_audit``: called between the two (training needs).
    """
    changes = field_changes(evaluation, fields)
    if extra:
        changes.update(extra)
    submitted = fields if typed is None else typed
    guarded_update(evaluation, version=version, actor=actor, submitted=submitted, **fields)
    if before_audit is not None:
        before_audit()
    if only_if_changed and not changes["after"]:
        return evaluation
    audit(actor=actor, action=action, unit_id=evaluation.unit_id, obj=evaluation, changes=changes)
    signals.emit_after_commit(evaluation=evaluation, action=action, actor=actor, details=extra)
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
        fields["self_notes"] = _clean_notes(framework, notes)
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
    actor: Any,
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
    return _write(
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
    actor: Any,
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
    return _write(
        evaluation,
        actor=actor,
        action="evaluation.submit",
        version=version,
        fields=fields,
        typed=typed,
    )


# --- evidence -------------------------------------------------------------------------------


def criterion_number(evaluation: Evaluation, criterion: Any) -> int:
    """``criterion`` as a number of the evaluation's framework, or ``ValidationError``."""
    number = parse_positive_int(criterion)
    if number is None or number not in rule_set_for(evaluation.framework).criteria:
        raise ValidationError(
            _("Criterion %(n)s is not in this standard.") % {"n": criterion}, code="criterion"
        )
    return number


@transaction.atomic
def evidence_attach(*, actor: Any, evaluation: Evaluation, criterion: int, evidence: Any) -> None:
    """Cite one of the person's evidence items for a criterion of their self-evaluation."""
    access.require(actor, evaluation, Action.EDIT_SELF)
    if evidence.owner_id != evaluation.person_id:
        raise PermissionDenied
    criterion = criterion_number(evaluation, criterion)
    _link, created = EvidenceLink.objects.get_or_create(
        evaluation=evaluation, criterion=criterion, evidence=evidence
    )
    if created:
        audit(
            actor=actor,
            action="evaluation.evidence_attach",
            unit_id=evaluation.unit_id,
            obj=evaluation,
            changes={"after": {"criterion": criterion, "evidence": evidence.pk}},
        )


@transaction.atomic
def evidence_detach(*, actor: Any, evaluation: Evaluation, criterion: int, evidence: Any) -> None:
    access.require(actor, evaluation, Action.EDIT_SELF)
    deleted, _n = EvidenceLink.objects.filter(
        evaluation=evaluation, criterion=criterion, evidence=evidence
    ).delete()
    if deleted:
        audit(
            actor=actor,
            action="evaluation.evidence_detach",
            unit_id=evaluation.unit_id,
            obj=evaluation,
            changes={"before": {"criterion": criterion, "evidence": evidence.pk}},
        )


# --- colleagues' opinions (BM2) -------------------------------------------------------------


@transaction.atomic
def opinion_give(
    *, actor: Any, evaluation: Evaluation, level: str, comment: str = ""
) -> PeerOpinion:
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


# --- the principal's anonymous poll (TT 14 step 2) ------------------------------------------


@transaction.atomic
def poll_answer(
    *, actor: Any, evaluation: Evaluation, levels: Mapping[Any, Any], overall: str
) -> None:
    """Record one anonymous answer; the participation row only says that the person answered."""
    access.require(actor, evaluation, Action.ANSWER_POLL)
    cleaned = clean_levels(evaluation.framework, levels)
    if overall not in LEVEL_CODES:
        raise ValidationError(_("Choose an overall level."))
    try:
        with transaction.atomic():
            PollParticipation.objects.create(evaluation=evaluation, person=actor.person)
    except IntegrityError as exc:
        raise ValidationError(_("You have already answered this poll.")) from exc
    PollBallot.objects.create(evaluation=evaluation, levels=cleaned, overall=overall)
    # Deliberately no audit row naming the voter and the evaluation together with a time that
    # could be matched to a ballot: the participation row is the only trace.


@dataclass
class PollResults:
    answers: int
    shown: bool
    overall: dict[str, int] = field(default_factory=dict)
    criteria: dict[int, dict[str, int]] = field(default_factory=dict)


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


# --- review ---------------------------------------------------------------------------------


def _review_fields(
    evaluation: Evaluation,
    *,
    levels: Mapping[Any, Any] | None,
    comments: Mapping[Any, Any] | None,
    note: str | None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if levels is not None:
        fields["review_levels"] = clean_levels(evaluation.framework, levels)
    if comments is not None:
        fields["review_comments"] = _clean_notes(evaluation.framework, comments)
    if note is not None:
        fields["review_note"] = normalize_text(note)[:5000]
    return fields


@transaction.atomic
def evaluation_review_save(
    *,
    actor: Any,
    evaluation: Evaluation,
    version: int,
    levels: Mapping[Any, Any] | None = None,
    comments: Mapping[Any, Any] | None = None,
    note: str | None = None,
) -> Evaluation:
    access.require(actor, evaluation, Action.REVIEW)
    fields = _review_fields(evaluation, levels=levels, comments=comments, note=note)
    typed = dict(fields)
    fields["reviewer"] = actor
    return _write(
        evaluation,
        actor=actor,
        action="evaluation.review",
        version=version,
        fields=fields,
        typed=typed,
    )


@transaction.atomic
def evaluation_return(
    *, actor: Any, evaluation: Evaluation, version: int, reason: str
) -> Evaluation:
    """Send the self-evaluation back to the person for revision, saying why."""
    access.require(actor, evaluation, Action.REVIEW)
    reason = normalize_text(reason or "").strip()
    if not reason:
        raise ValidationError(_("Say what should be revised."))
    fields = {"status": Status.RETURNED, "returned_reason": reason[:2000]}
    return _write(
        evaluation,
        actor=actor,
        action="evaluation.return",
        version=version,
        fields=fields,
        typed={},
    )


def finalise_warning(evaluation: Evaluation) -> str:
    """Why finalising now deserves a second thought, or "".

    Colleagues' opinions (for a manager, the staff's poll) come before the review; finalising
    while none has arrived and their deadline has not passed locks the record without them.
    Whether to ask is configuration: ``settings.EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS``.
    """
    if not getattr(settings, "EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS", True):
        return ""
    due = evaluation.cycle.opinions_due
    if timezone.localdate() > due:
        return ""
    if evaluation.kind == EvaluationKind.MANAGER:
        if PollBallot.objects.filter(evaluation=evaluation).exists():
            return ""
        text = _(
            "Nobody has answered the staff poll about this manager yet, and the poll stays "
            "open until %(date)s. Finalising now locks the record without their answers."
        )
    else:
        if PeerOpinion.objects.filter(evaluation=evaluation).exists():
            return ""
        text = _(
            "No colleague of the subject group has given an opinion yet, and they may do so "
            "until %(date)s. Finalising now locks the record without their opinions."
        )
    return text % {"date": due.strftime("%d/%m/%Y")}


@transaction.atomic
def evaluation_finalise(
    *,
    actor: Any,
    evaluation: Evaluation,
    version: int,
    levels: Mapping[Any, Any] | None = None,
    comments: Mapping[Any, Any] | None = None,
    note: str | None = None,
    acknowledge_no_opinions: bool = False,
) -> Evaluation:
    """The reviewer decides the level of every criterion and the overall rating; record locked.

    Before the opinions deadline with no opinion yet (:func:`finalise_warning`), the reviewer
    must say they finalise knowingly: ``acknowledge_no_opinions=True``.
    """
    access.require(actor, evaluation, Action.REVIEW)
    fields = _review_fields(evaluation, levels=levels, comments=comments, note=note)
    typed = dict(fields)
    final_levels = fields.get("review_levels", evaluation.review_levels)
    if not is_complete(evaluation.framework, final_levels):
        raise ValidationError(_("Set a level for every criterion before finalising."))
    require_framework_applies(evaluation=evaluation)
    require_reason_below_suspended(
        evaluation.framework,
        final_levels,
        fields.get("review_comments", evaluation.review_comments),
    )
    warning = "" if acknowledge_no_opinions else finalise_warning(evaluation)
    if warning:
        raise ValidationError(
            {"acknowledge_no_opinions": [ValidationError(warning, code="no_opinions")]}
        )
    fields.update(
        reviewer=actor,
        final_rating=rate_levels(evaluation.framework, final_levels).level.code,
        status=Status.FINALISED,
        finalised_at=timezone.now(),
        returned_reason="",
    )
    # A record reaches finalisation only from "submitted": a first finalisation, or one after
    # an officer's reopening, which deleted the previous needs. Nothing to replace.
    return _write(
        evaluation,
        actor=actor,
        action="evaluation.finalise",
        version=version,
        fields=fields,
        typed=typed,
        before_audit=lambda: record_training_needs(evaluation, replace=False),
    )


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


@transaction.atomic
def evaluation_acknowledge(*, actor: Any, evaluation: Evaluation) -> Evaluation:
    """The person has seen the result (the school's notification, TT 20 Điều 10 khoản 1 c)."""
    access.require(actor, evaluation, Action.ACKNOWLEDGE)
    fields = {"status": Status.ACKNOWLEDGED, "acknowledged_at": timezone.now()}
    guarded_update(evaluation, version=evaluation.version, actor=actor, submitted={}, **fields)
    audit(actor=actor, action="evaluation.acknowledge", unit_id=evaluation.unit_id, obj=evaluation)
    return evaluation


@transaction.atomic
def evaluation_reopen(*, actor: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """An officer reopens a finalised record for the reviewer, with a recorded reason."""
    access.require(actor, evaluation, Action.REOPEN)
    reason = normalize_text(reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening."))
    fields = {
        "status": Status.SUBMITTED,
        "final_rating": "",
        "finalised_at": None,
        "acknowledged_at": None,
    }

    def forget_needs() -> None:
        TrainingNeed.objects.filter(evaluation=evaluation).delete()
        evaluation.__dict__.get("_prefetched_objects_cache", {}).pop("needs", None)

    return _write(
        evaluation,
        actor=actor,
        action="evaluation.reopen",
        version=evaluation.version,
        fields=fields,
        typed={},
        extra={"reason": reason},
        before_audit=forget_needs,
    )
