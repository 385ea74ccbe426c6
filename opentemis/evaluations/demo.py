"""A cycle in progress for the demo: realistic completion, every step reachable by the accounts.

Written in bulk (it is generated data, like ``synth``), with ratings computed by the same
engine as the services. The demo accounts' own school is arranged so that a new user can click
through every step: the teacher ``giaovien`` has not started (start, fill BM1, submit), their
subject-group colleagues have submitted (give opinions, BM2), the principal ``hieutruong`` has
submitted evaluations to review and finalise, and the officer ``so`` sees completion.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.evaluations import services
from opentemis.evaluations.models import (
    Cycle,
    Evaluation,
    EvaluationKind,
    PeerOpinion,
    Status,
    TrainingNeed,
)
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import current_school_year
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.standards.applicability import YearFrameworks
from opentemis.standards.models import Framework
from opentemis.standards.rules import LEVEL_CODES
from opentemis.standards.services import framework_apply_defaults, load_builtin_frameworks

# Observed shape of results: mostly Khá and Tốt, some Đạt, rare Chưa đạt.
TARGETS = {"Tot": 0.36, "Kha": 0.49, "Dat": 0.14, "ChuaDat": 0.01}
ORDER = LEVEL_CODES


class DemoFrameworks:
    """The framework each demo person is evaluated against: the one the services would give
    (standards.applicability, the year's configuration read once), with its criteria count and
    key criteria. A preschool teacher gets TT 26/2018, a preschool principal TT 25/2018."""

    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle
        self.table = YearFrameworks(cycle.school_year)
        self._rules: dict[int, tuple[int, set[int]]] = {}

    def of(self, person: Person) -> tuple[Framework, str, int, set[int]] | None:
        try:
            framework, kind = services.framework_for_person(
                cycle=self.cycle, person=person, table=self.table
            )
        except ValidationError:
            return None
        if framework.pk not in self._rules:
            rules = services.rule_set_for(framework)
            keys = set(rules.rules[0].key_at_least[1]) if rules.rules[0].key_at_least else set()
            self._rules[framework.pk] = (len(rules.criteria), keys)  # the Tốt row's keys
        n, keys = self._rules[framework.pk]
        return framework, kind, n, keys


def _levels(rng: random.Random, n: int, keys: set[int]) -> dict[str, str]:
    """A plausible set of criterion levels around a target overall level."""
    target = rng.choices(list(TARGETS), list(TARGETS.values()))[0]
    base = max(1, ORDER.index(target))  # a Chưa đạt result is Đạt with one criterion failed
    levels = {i: base for i in range(1, n + 1)}
    others = [i for i in levels if i not in keys]
    for i in rng.sample(others, k=rng.randint(0, 4)):
        levels[i] = min(3, max(1, base + rng.choice((-1, 1))))
    if target == "ChuaDat":
        levels[rng.choice(others)] = 0
    return {str(i): ORDER[lvl] for i, lvl in levels.items()}


def _review(rng: random.Random, levels: dict[str, str]) -> dict[str, str]:
    """The principal mostly agrees with the person, sometimes one level lower."""
    result = {}
    for key, code in levels.items():
        index = ORDER.index(code)
        if index > 1 and rng.random() < 0.04:
            index -= 1
        result[key] = ORDER[index]
    return result


@transaction.atomic
def seed_demo_cycle(
    *, officer: User, province: Unit, demo_school: Unit, demo_teacher: Person | None, seed: int
) -> Cycle | None:
    """Open the demo cycle over ``province`` and fill it (once; later runs keep it)."""
    year = current_school_year()
    if year is None or Cycle.objects.filter(school_year=year, unit=province).exists():
        return None
    load_builtin_frameworks()
    framework_apply_defaults(school_year=year)
    today = timezone.localdate()
    cycle = services.cycle_open(
        actor=officer,
        unit=province,
        school_year=year,
        name=f"Đánh giá chuẩn nghề nghiệp năm học {year.code}",
        self_due=today + dt.timedelta(days=10),
        opinions_due=today + dt.timedelta(days=17),
        review_due=today + dt.timedelta(days=28),
    )
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    people = list(
        Person.objects.filter(
            unit_path__startswith=province.path,
            employment_status=EmploymentStatus.WORKING,
            positions__code__in=["GV", "TTCM", "TPCM", "HT", "PHT"],
        )
        .distinct()
        .select_related("unit")
        .prefetch_related("positions", "unit__levels")
        .order_by("id")
    )
    now = timezone.now()
    evaluations: list[Evaluation] = []
    frameworks = DemoFrameworks(cycle)
    for person in people:
        if demo_teacher is not None and person.pk == demo_teacher.pk:
            continue  # the demo teacher starts from scratch
        in_demo_school = person.unit_id == demo_school.pk
        found = frameworks.of(person)
        if found is None:
            continue  # no standard applies (e.g. a level nobody configured): not evaluated
        framework, kind, n, keys = found
        roll = rng.random()
        # Province-wide: ~78 % started, ~64 % submitted, ~35 % finalised. The demo school: all
        # teachers submitted and waiting for the principal (so the review can be tried).
        if in_demo_school:
            status = Status.SUBMITTED
        elif roll < 0.22:
            continue
        elif roll < 0.36:
            status = Status.DRAFT
        elif roll < 0.38:
            status = Status.RETURNED
        elif roll < 0.65:
            status = Status.SUBMITTED
        elif roll < 0.9:
            status = Status.FINALISED
        else:
            status = Status.ACKNOWLEDGED
        self_levels = _levels(rng, n, keys)
        evaluation = Evaluation(
            cycle=cycle,
            person=person,
            framework=framework,
            kind=kind,
            unit_id=person.unit_id,
            unit_path=person.unit_path,
            status=status,
            self_levels=self_levels,
            strengths="Nhiệt tình, có trách nhiệm; tích cực đổi mới phương pháp dạy học.",
            improvements="Ứng dụng công nghệ thông tin và chuyển đổi số trong dạy học.",
            plan_goals="Nâng cao năng lực ứng dụng CNTT và kiểm tra, đánh giá theo năng lực.",
            plan_content="Mô đun 3 và mô đun 9 (BDTX).",
            plan_timing="Tháng 6 - tháng 12",
            plan_conditions="Được nhà trường tạo điều kiện tham gia bồi dưỡng.",
            priority_criteria=[n],
        )
        if status == Status.DRAFT:
            # Part-filled drafts.
            keep = rng.randint(3, n - 1)
            evaluation.self_levels = {k: v for k, v in self_levels.items() if int(k) <= keep}
        else:
            evaluation.self_rating = services.rate_levels(framework, self_levels).level.code
            evaluation.submitted_at = now - dt.timedelta(hours=rng.randint(1, 200))
        if status == Status.RETURNED:
            evaluation.returned_reason = "Bổ sung minh chứng cho tiêu chí 5 và 6."
        if status in (Status.FINALISED, Status.ACKNOWLEDGED):
            evaluation.review_levels = _review(rng, self_levels)
            evaluation.final_rating = services.rate_levels(
                framework, evaluation.review_levels
            ).level.code
            evaluation.finalised_at = now - dt.timedelta(hours=rng.randint(1, 48))
            if status == Status.ACKNOWLEDGED:
                evaluation.acknowledged_at = now
        evaluations.append(evaluation)
    Evaluation.objects.bulk_create(evaluations, batch_size=500)
    saved = list(Evaluation.objects.filter(cycle=cycle).select_related("framework", "person"))
    needs = [
        TrainingNeed(evaluation=e, criterion=c, reason=reason, modules=modules)
        for e in saved
        if e.status in (Status.FINALISED, Status.ACKNOWLEDGED)
        for c, reason, modules in services.training_needs_of(e)
    ]
    TrainingNeed.objects.bulk_create(needs, batch_size=1000)
    _opinions(rng, saved, demo_teacher)
    return cycle


def _opinions(
    rng: random.Random, evaluations: list[Evaluation], demo_teacher: Person | None
) -> None:
    """Colleagues' opinions for submitted teachers, except the demo teacher's own (to try)."""
    by_group: dict[int | None, list[Person]] = {}  # None: no subject group, no colleagues
    for person in Person.objects.filter(
        subject_group_id__in={e.person.subject_group_id for e in evaluations}
    ).only("id", "subject_group_id"):
        by_group.setdefault(person.subject_group_id, []).append(person)
    rows = []
    for e in evaluations:
        if e.kind != EvaluationKind.TEACHER or e.status == Status.DRAFT:
            continue
        peers = [
            p
            for p in by_group.get(e.person.subject_group_id, [])
            if p.pk != e.person_id and (demo_teacher is None or p.pk != demo_teacher.pk)
        ]
        for peer in rng.sample(peers, k=min(len(peers), rng.randint(0, 4))):
            level = e.self_rating if rng.random() < 0.8 else "Kha"
            rows.append(PeerOpinion(evaluation=e, author=peer, level=level or "Kha"))
    PeerOpinion.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
