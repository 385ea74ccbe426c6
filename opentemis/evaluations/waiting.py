"""Reads: what is waiting for whom. The review queue of a principal (the school's teachers and,
by configuration, its deputies) and of an officer (the principals the Sở evaluates), the
colleagues' self-evaluations to give an opinion on, the polls to answer.

The review queue is the set-wise form of :func:`opentemis.evaluations.access.can_review`: the
same rules (``Perm.REVIEW_TEACHERS`` on the school for teachers; the configured
:class:`EvaluatorRule` for managers, resolved in the same order as
:func:`access.evaluator_rule_for`), written as one query so that a Sở officer's list of the
principals waiting across 121 schools is one indexed query plus a page, not a check per row.
A test compares the two on every evaluation of a world (``tests/test_waiting.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from opentemis.accounts.models import User
from opentemis.accounts.permissions import path_filter, perm_paths, role_grants
from opentemis.accounts.roles import ROLE_PERMS, Perm
from opentemis.evaluations import selectors
from opentemis.evaluations.models import (
    CycleStatus,
    Evaluation,
    EvaluationKind,
    EvaluatorKind,
    EvaluatorRule,
    PeerOpinion,
    Status,
)
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person

# The statuses a review queue can be filtered by; "submitted" is "waiting for you".
QUEUE_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.DRAFT, Status.FINALISED)
NOTHING = Q(pk__in=[])

#: A condition on an evaluator rule (which rules resolve to the reviewer asked about).
RuleTest = Callable[[EvaluatorRule], bool]


def ordered_rules() -> list[EvaluatorRule]:
    """The evaluator rules of manager positions in :func:`access.evaluator_rule_for`'s order:
    the head's position (HT, GD) first, a level-specific rule before a general one."""
    rules = sorted(
        EvaluatorRule.objects.filter(position__is_manager=True).select_related("position"),
        key=lambda r: r.pk,
    )
    order = {"HT": 0, "GD": 0}
    rules.sort(key=lambda r: (order.get(r.position.code, 1), r.level_id is None))
    return rules


def _matches(rule: EvaluatorRule) -> Q:
    """The evaluation's person holds the rule's position (and its unit the rule's level)."""
    held = Exists(
        Person.positions.through.objects.filter(
            person_id=OuterRef("person_id"), position_id=rule.position_id
        )
    )
    if rule.level_id is None:
        return Q(held)
    level = Exists(
        Unit.levels.through.objects.filter(
            unit_id=OuterRef("unit_id"), schoollevel_id=rule.level_id
        )
    )
    return Q(held) & Q(level)


def resolves_to(rules: list[EvaluatorRule], wanted: RuleTest) -> Q:
    """Manager evaluations whose resolved rule (the first matching one) satisfies ``wanted``."""
    q = NOTHING
    earlier = Q()
    for rule in rules:
        if wanted(rule):
            q |= earlier & _matches(rule)
        earlier &= ~_matches(rule)
    return q


def reviewed_by_head_q(rules: list[EvaluatorRule]) -> Q:
    """Evaluations the head of the school reviews: teachers, and managers whose evaluator
    rule names the school head (deputies, by default)."""
    by_head = resolves_to(rules, lambda r: r.evaluator == EvaluatorKind.SCHOOL_HEAD)
    return Q(kind=EvaluationKind.TEACHER) | (Q(kind=EvaluationKind.MANAGER) & by_head)


def _superior_of_kind(kind: str) -> RuleTest:
    """A rule naming an officer of a superior unit of ``kind`` (or of any kind)."""
    return lambda r: r.evaluator == EvaluatorKind.SUPERIOR and r.superior_kind in ("", kind)


def reviewable_q(actor: User) -> Q:
    """Evaluations ``actor`` may review (ignoring status and cycle): ``access.can_review`` as
    a query condition."""
    if not actor.is_authenticated:
        return NOTHING
    person_id = actor.person_id
    mine = Q(person_id=person_id) if person_id is not None else NOTHING
    if actor.is_superuser:
        return ~mine
    rules = ordered_rules()
    q = NOTHING
    if perm_paths(actor, Perm.REVIEW_TEACHERS) != ():
        at_school = path_filter(actor, Perm.REVIEW_TEACHERS, "unit_path")
        by_head = resolves_to(rules, lambda r: r.evaluator == EvaluatorKind.SCHOOL_HEAD)
        q |= at_school & (
            Q(kind=EvaluationKind.TEACHER) | (Q(kind=EvaluationKind.MANAGER) & by_head)
        )
    grants = [
        path
        for role, path in role_grants(actor)
        if Perm.REVIEW_MANAGERS in ROLE_PERMS.get(role, ())
    ]
    if grants:
        kinds = dict(Unit.dangerously_unscoped.filter(path__in=grants).values_list("path", "kind"))
        for path in set(grants):
            below = Q(unit_path__startswith=path) & ~Q(unit_path=path)
            by_superior = resolves_to(rules, _superior_of_kind(kinds.get(path, "")))
            q |= below & Q(kind=EvaluationKind.MANAGER) & by_superior
    return q & ~mine


def review_queue(
    *, actor: User, status: str = Status.SUBMITTED, unit: Unit | None = None, kind: str = ""
) -> QuerySet[Evaluation]:
    """Evaluations of open cycles that ``actor`` reviews, by ``status`` ("" = any), inside
    ``unit`` (already checked visible by the caller) and of ``kind`` ("" = both), ordered by
    unit then name."""
    qs = Evaluation.objects.filter(cycle__status=CycleStatus.OPEN).filter(reviewable_q(actor))
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("person", "unit", "cycle").order_by(
        "unit_path", "person__search_text", "id"
    )


def opinions_to_give(*, actor: User) -> QuerySet[Evaluation]:
    """Colleagues' submitted self-evaluations (open cycles) the actor has not given an opinion
    on yet (BM2): the colleagues of :func:`selectors.opinion_candidates`, less those answered."""
    given = PeerOpinion.objects.filter(evaluation_id=OuterRef("pk"), author_id=actor.person_id)
    return (
        selectors.opinion_candidates(actor=actor)
        .filter(cycle__status=CycleStatus.OPEN)
        .exclude(Exists(given))
    )


def polls_to_answer(*, actor: User) -> QuerySet[Evaluation]:
    """Managers of the actor's school (open cycles) whose anonymous poll is open and not yet
    answered by the actor."""
    return selectors.poll_candidates(actor=actor).filter(cycle__status=CycleStatus.OPEN)


@dataclass
class Waiting:
    """What waits for one person, as counts for the home page."""

    to_review: int = 0
    teachers_to_review: int = 0
    managers_to_review: int = 0
    opinions: int = 0
    polls: int = 0
    returned: Evaluation | None = None

    @property
    def anything(self) -> bool:
        return bool(self.to_review or self.opinions or self.polls or self.returned)


def waiting_for(*, actor: User) -> Waiting:
    """The counts of what waits for ``actor``: a few COUNT queries (none for what their roles
    cannot have)."""
    result = Waiting()
    if not actor.is_authenticated:
        return result
    can_review = actor.is_superuser or bool(
        perm_paths(actor, Perm.REVIEW_TEACHERS) or perm_paths(actor, Perm.REVIEW_MANAGERS)
    )
    if can_review:
        by_kind = dict(
            review_queue(actor=actor).order_by().values_list("kind").annotate(n=Count("id"))
        )
        result.teachers_to_review = by_kind.get(EvaluationKind.TEACHER, 0)
        result.managers_to_review = by_kind.get(EvaluationKind.MANAGER, 0)
        result.to_review = result.teachers_to_review + result.managers_to_review
    if actor.person_id:
        result.opinions = opinions_to_give(actor=actor).count()
        result.polls = polls_to_answer(actor=actor).count()
        result.returned = (
            Evaluation.objects.filter(
                person_id=actor.person_id,
                status=Status.RETURNED,
                cycle__status=CycleStatus.OPEN,
            )
            .only("id", "returned_reason")
            .first()
        )
    return result
