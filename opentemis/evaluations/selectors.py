"""Reads for the evaluation pages, the API and the forms; each takes the acting user first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.roles import Perm
from opentemis.evaluations import access, services
from opentemis.evaluations.models import (
    LOCKED_STATUSES,
    Cycle,
    CycleStatus,
    Evaluation,
    EvaluationKind,
    PeerOpinion,
    PollParticipation,
    Status,
)
from opentemis.orgs.models import SchoolYear, Unit, path_prefixes
from opentemis.orgs.selectors import current_school_year_ref, default_unit, get_unit_for_user
from opentemis.staff.models import EmploymentStatus, Person, SubjectGroup
from opentemis.standards.rules import LEVEL_CODES, Level

# Positions evaluated against a standard (teachers and managers; not office staff).
EVALUATED_POSITIONS = ("GV", "TTCM", "TPCM", "TPT", "HT", "PHT")


def cycles_visible(*, actor: User) -> QuerySet[Cycle]:
    return Cycle.objects.select_related("school_year", "unit")


def get_cycle_for_user(*, actor: User, pk: int) -> Cycle:
    cycle = cycles_visible(actor=actor).filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def cycles_covering(
    unit_paths: Iterable[str], *, school_year: SchoolYear | None = None, open_only: bool = False
) -> dict[str, Cycle]:
    """For each of ``unit_paths``, the evaluation cycle that covers that unit in
    ``school_year`` (default: the current school year, ``orgs.selectors``): the cycle opened
    on the unit itself, else on the nearest unit above it. Paths no cycle covers are left out.

    ``open_only``: only an open cycle, where work can still be done (a person's own
    evaluation, deadlines); the pages about a school show a finished one too. One query,
    through the scoped manager (a cycle is visible to the units it covers and those above).
    """
    paths = set(unit_paths)
    if not paths:
        return {}
    year = school_year if school_year is not None else current_school_year_ref()
    qs = Cycle.objects.select_related("school_year", "unit").filter(
        school_year=year, unit_path__in={a for p in paths for a in path_prefixes(p)}
    )
    if open_only:
        qs = qs.filter(status=CycleStatus.OPEN)
    by_root = {cycle.unit_path: cycle for cycle in qs}
    found = {}
    for path in paths:
        nearest = next((by_root[a] for a in reversed(path_prefixes(path)) if a in by_root), None)
        if nearest is not None:
            found[path] = nearest
    return found


def cycle_covering(
    unit_path: str, *, school_year: SchoolYear | None = None, open_only: bool = False
) -> Cycle | None:
    """The cycle covering one unit (:func:`cycles_covering`), or None."""
    return cycles_covering([unit_path], school_year=school_year, open_only=open_only).get(unit_path)


def own_cycle(*, actor: User) -> Cycle | None:
    """The open cycle covering the actor's own unit, where they evaluate themself and give
    opinions (None without a staff record, or when no open cycle covers them)."""
    person = actor.person
    if person is None:
        return None
    return cycle_covering(person.unit_path, open_only=True)


def cycle_for_unit(*, actor: User, unit_path: str, cycle_id: int | None = None) -> Cycle | None:
    """The cycle a page about a unit shows: the one the request names (``?cycle=``; 404 if
    the actor cannot see it or it does not cover the unit), else the current year's cycle
    covering the unit (None if there is none)."""
    if cycle_id is None:
        return cycle_covering(unit_path)
    cycle = get_cycle_for_user(actor=actor, pk=cycle_id)
    if not unit_path.startswith(cycle.unit_path):
        raise Http404
    return cycle


def get_evaluation_for_user(
    *, actor: User, pk: int, for_write: bool = False, related: tuple[str, ...] = ()
) -> Evaluation:
    """The evaluation if the actor may see it; 404 for missing and for not yours alike.

    ``for_write``: what a workflow step needs (the record and its cycle), with the framework
    from the per-process cache. A page shows the person, unit and school year, joined in one
    query; a write does not, and a 7-table join costs PostgreSQL about 0.7 ms to plan, more
    than the rest of the lookup (measured on the national dataset, docs/benchmarks.md).
    Anything else a write touches (the person of a manager's evaluation) loads on demand, or
    joined when named in ``related`` (the API's answer shows the person and the unit).
    """
    if for_write:
        evaluation = Evaluation.objects.select_related("cycle", *related).filter(pk=pk).first()
        if evaluation is not None:
            evaluation.framework = services.framework_cached(evaluation.framework_id)
    else:
        evaluation = (
            Evaluation.objects.select_related(
                "person",
                "person__subject_group",
                "framework",
                "cycle",
                "cycle__school_year",
                "unit",
            )
            .filter(pk=pk)
            .first()
        )
    if evaluation is None or not access.can_view(actor, evaluation):
        raise Http404
    return evaluation


def evaluation_of(*, actor: User, cycle: Cycle) -> Evaluation | None:
    """The actor's own evaluation in ``cycle`` (None before they start)."""
    if not actor.person_id:
        return None
    return Evaluation.objects.filter(cycle=cycle, person_id=actor.person_id).first()


@dataclass
class RosterRow:
    person: Person
    evaluation: Evaluation | None
    can_review: bool = False


def school_roster(*, actor: User, unit: Unit, cycle: Cycle) -> list[RosterRow]:
    """A school's evaluated staff with their evaluation in ``cycle`` (None: not started)."""
    people = list(
        Person.objects.within((unit.path,))
        .filter(unit=unit, employment_status=EmploymentStatus.WORKING)
        .filter(positions__code__in=EVALUATED_POSITIONS)
        .distinct()
        .prefetch_related("positions")
        .select_related("subject_group")
        .order_by("search_text", "id")
    )
    evaluations = {
        e.person_id: e
        for e in Evaluation.objects.filter(cycle=cycle, person__in=people).select_related(
            "framework"
        )
    }
    rows = []
    for person in people:
        evaluation = evaluations.get(person.pk)
        if evaluation is not None:
            evaluation.person, evaluation.cycle = person, cycle
        rows.append(
            RosterRow(
                person=person,
                evaluation=evaluation,
                can_review=evaluation is not None
                and access.may(actor, evaluation, access.Action.REVIEW),
            )
        )
    return rows


@dataclass
class CompletionRow:
    unit: Unit | None
    to_evaluate: int = 0
    started: int = 0
    self_evaluated: int = 0
    opinions: int = 0
    finalised: int = 0
    children: int = 0

    def rate(self, value: int) -> float:
        return round(100 * value / self.to_evaluate, 1) if self.to_evaluate else 0.0

    @property
    def self_rate(self) -> float:
        return self.rate(self.self_evaluated)

    @property
    def finalised_rate(self) -> float:
        return self.rate(self.finalised)


def completion_unit(*, actor: User, cycle: Cycle, unit_id: int | None) -> Unit:
    """The unit whose completion to show: the one asked for, else the cycle's root, else the
    actor's default unit; 404 outside the actor's reach or the cycle."""
    if unit_id is not None:
        unit = get_unit_for_user(actor=actor, pk=unit_id, perm=Perm.VIEW_EVALUATIONS)
    else:
        paths = perm_paths(actor, Perm.VIEW_EVALUATIONS)
        unit = cycle.unit
        if paths is not None and not any(unit.path.startswith(p) for p in paths):
            found = default_unit(actor=actor, perm=Perm.VIEW_EVALUATIONS)
            if found is None:
                raise Http404
            unit = found
    if not unit.path.startswith(cycle.unit_path) and not cycle.unit_path.startswith(unit.path):
        raise Http404
    return unit


def completion(
    *, actor: User, cycle: Cycle, unit: Unit
) -> tuple[CompletionRow, list[CompletionRow]]:
    """Live completion of ``cycle`` for ``unit`` and each of its child units.

    Counts: working staff in evaluated positions (to evaluate), self-evaluations submitted,
    evaluations with colleagues' opinions or poll answers, finalised reviews. Grouped by the
    child's path prefix in one query per table. (Issue 4 adds summary tables for the national
    report; this is the live operational view.)
    """
    paths = perm_paths(actor, Perm.VIEW_EVALUATIONS)
    if paths is not None and not any(unit.path.startswith(p) for p in paths):
        raise Http404
    width = len(unit.path) + Unit.steplen
    children = {
        c.path: c for c in Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
    }
    people = (
        Person.objects.within((unit.path,))
        .filter(employment_status=EmploymentStatus.WORKING)
        .filter(
            Exists(
                Person.positions.through.objects.filter(
                    person_id=OuterRef("pk"), position__code__in=EVALUATED_POSITIONS
                )
            )
        )
        .exclude(unit_path=unit.path)
        .annotate(child=Substr("unit_path", 1, width))
        .values("child")
        .annotate(n=Count("id"))
    )
    opinions = Exists(PeerOpinion.objects.filter(evaluation_id=OuterRef("pk")))
    polled = Exists(PollParticipation.objects.filter(evaluation_id=OuterRef("pk")))
    done = list(LOCKED_STATUSES)
    evaluations = (
        Evaluation.objects.within((unit.path,))
        .filter(cycle=cycle)
        .exclude(unit_path=unit.path)
        .annotate(child=Substr("unit_path", 1, width), has_opinion=opinions | polled)
        .values("child")
        .annotate(
            started=Count("id"),
            self_evaluated=Count("id", filter=Q(submitted_at__isnull=False)),
            # Not "opinions": that name is the evaluation's relation to its PeerOpinion rows.
            with_opinions=Count("id", filter=Q(has_opinion=True)),
            finalised=Count("id", filter=Q(status__in=done)),
        )
    )
    rows: dict[str, CompletionRow] = {path: CompletionRow(unit=c) for path, c in children.items()}
    for staffed in people:
        row = rows.setdefault(staffed["child"], CompletionRow(unit=children.get(staffed["child"])))
        row.to_evaluate = staffed["n"]
    for counted in evaluations:
        row = rows.setdefault(counted["child"], CompletionRow(unit=children.get(counted["child"])))
        row.started = counted["started"]
        row.self_evaluated = counted["self_evaluated"]
        row.opinions = counted["with_opinions"]
        row.finalised = counted["finalised"]
    result = [r for r in rows.values() if r.unit is not None]
    result.sort(key=lambda r: r.unit.path if r.unit else "")
    total = CompletionRow(unit=unit, children=len(result))
    for r in result:
        total.to_evaluate += r.to_evaluate
        total.started += r.started
        total.self_evaluated += r.self_evaluated
        total.opinions += r.opinions
        total.finalised += r.finalised
    return total, result


def opinion_candidates(
    *, actor: User, queryset: QuerySet[Evaluation] | None = None
) -> QuerySet[Evaluation]:
    """Submitted self-evaluations of the actor's subject-group colleagues (BM2 to give)."""
    person = actor.person
    qs = Evaluation.objects.all() if queryset is None else queryset
    if person is None or person.subject_group_id is None:
        return qs.none()
    return qs.filter(
        kind=EvaluationKind.TEACHER,
        person__subject_group_id=person.subject_group_id,
        status=Status.SUBMITTED,
    ).exclude(person=person)


def poll_candidates(
    *, actor: User, queryset: QuerySet[Evaluation] | None = None
) -> QuerySet[Evaluation]:
    """Managers of the actor's school whose anonymous poll the actor has not answered yet."""
    person = actor.person
    qs = Evaluation.objects.all() if queryset is None else queryset
    if person is None:
        return qs.none()
    return (
        qs.filter(kind=EvaluationKind.MANAGER, unit_id=person.unit_id, status=Status.SUBMITTED)
        .exclude(person=person)
        .exclude(participations__person=person)
    )


def poll_answered(*, actor: User, evaluation: Evaluation) -> bool:
    """Whether the actor has answered the poll about ``evaluation``'s manager. Only that is
    known: ballots carry no author and no time (anonymity), so not what or when."""
    person_id = actor.person_id
    return (
        person_id is not None
        and PollParticipation.objects.filter(evaluation=evaluation, person_id=person_id).exists()
    )


def group_colleagues(*, actor: User, cycle: Cycle) -> list[tuple[Evaluation, PeerOpinion | None]]:
    """Submitted evaluations of the actor's subject-group colleagues, with the actor's opinion."""
    person = actor.person
    if person is None or person.subject_group_id is None:
        return []
    evaluations = list(
        Evaluation.objects.filter(
            cycle=cycle,
            kind=EvaluationKind.TEACHER,
            person__subject_group_id=person.subject_group_id,
            status__in=[Status.SUBMITTED, *LOCKED_STATUSES],
        )
        .exclude(person=person)
        .select_related("person")
        .order_by("person__search_text")
    )
    mine = {
        o.evaluation_id: o
        for o in PeerOpinion.objects.filter(author=person, evaluation__in=evaluations)
    }
    return [(e, mine.get(e.pk)) for e in evaluations]


@dataclass
class OpinionSummary:
    """The colleagues' opinions on one evaluation (BM3), without their authors."""

    counts: dict[str, int]  # every level code, lowest first -> number of opinions
    comments: list[str]  # sorted: the order they were given in could tell who wrote what

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(code, label, number) of each level, for the pages."""
        return [(level.code, level.label, self.counts[level.code]) for level in Level]


def opinion_summaries(evaluation_ids: Iterable[int]) -> dict[int, OpinionSummary]:
    """:class:`OpinionSummary` of each evaluation, in one query: the pages, the API and BM3."""
    found = {pk: OpinionSummary(dict.fromkeys(LEVEL_CODES, 0), []) for pk in evaluation_ids}
    opinions = PeerOpinion.objects.filter(evaluation_id__in=list(found))
    for evaluation_id, level, comment in opinions.values_list("evaluation_id", "level", "comment"):
        summary = found[evaluation_id]
        summary.counts[level] = summary.counts.get(level, 0) + 1
        if comment:
            summary.comments.append(comment)
    for summary in found.values():
        summary.comments.sort()
    return found


def opinion_summary(evaluation: Evaluation) -> OpinionSummary:
    return opinion_summaries([evaluation.pk])[evaluation.pk]


@dataclass
class GroupSummaryRow:
    person: Person
    evaluation: Evaluation | None
    counts: dict[str, int]
    comments: list[str]


def group_summary(*, actor: User, group: SubjectGroup, cycle: Cycle) -> list[GroupSummaryRow]:
    """BM3: for each member of a subject group, the self-rating and the colleagues' opinions."""
    members = list(
        Person.objects.filter(
            subject_group=group, employment_status=EmploymentStatus.WORKING
        ).order_by("search_text")
    )
    evaluations = {
        e.person_id: e for e in Evaluation.objects.filter(cycle=cycle, person__in=members)
    }
    summaries = opinion_summaries(e.pk for e in evaluations.values())
    rows = []
    for person in members:
        evaluation = evaluations.get(person.pk)
        summary = summaries.get(evaluation.pk) if evaluation else None
        rows.append(
            GroupSummaryRow(
                person=person,
                evaluation=evaluation,
                counts=summary.counts if summary else {},
                comments=summary.comments if summary else [],
            )
        )
    return rows


def is_group_leader(actor: User) -> bool:
    person = actor.person
    return (
        person is not None
        and person.subject_group_id is not None
        and person.positions.filter(code__in=("TTCM", "TPCM")).exists()
    )


def managers_to_review(*, actor: User, cycle: Cycle) -> list[Evaluation]:
    """Managers' evaluations (TT 14) in the actor's reach that the actor may review now."""
    paths = perm_paths(actor, Perm.REVIEW_MANAGERS)
    head_paths = perm_paths(actor, Perm.REVIEW_TEACHERS)
    if paths == () and head_paths == ():
        return []
    candidates = (
        Evaluation.objects.filter(cycle=cycle, kind=EvaluationKind.MANAGER)
        .exclude(status=Status.DRAFT)
        .select_related("person", "unit", "framework")
        .order_by("unit_path", "person__search_text")[:500]
    )
    return [e for e in candidates if access.can_review(actor, e)]
