"""Anonymous results of the satisfaction survey (R14, R15): per aspect the mean score and its
index band, for all the responses the reader reaches and by unit (the units one level below
the reader's own, or below the course's unit).

Small groups: a group of fewer than ``min_group`` responses (5, Moodle feedback's rule,
bdtx.md §3) is never shown, nor its comments. So that it cannot be found by subtracting the
shown groups from the total, a lone hidden group takes the smallest shown one with it
(complementary suppression, as reports protect small cells, decision 0009). Comments are
shown without names, sorted, only within shown groups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from opentemis.accounts.models import User
from opentemis.learning.access import progress_q, reader_paths
from opentemis.orgs.models import Unit
from opentemis.surveys import items
from opentemis.surveys.models import Survey, SurveyResponse

STEP = 4  # the unit tree's path step (orgs.Unit.steplen)


@dataclass
class Aspect:
    item: items.Item
    mean: Decimal | None
    band: str


@dataclass
class Group:
    name: str
    count: int
    shown: bool = False
    aspects: list[Aspect] = field(default_factory=list)
    index: Decimal | None = None
    band: str = ""
    comments: list[str] = field(default_factory=list)


@dataclass
class Results:
    item_set: items.ItemSet
    total: Group
    groups: list[Group]
    min_group: int


def _summary(group: Group, rows: list[SurveyResponse], item_set: items.ItemSet) -> None:
    means: list[Decimal] = []
    for item in item_set.items:
        values = [r.answers[item.code] for r in rows if isinstance(r.answers.get(item.code), int)]
        mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01")) if values else None
        if mean is not None:
            means.append(mean)
        group.aspects.append(Aspect(item, mean, item_set.band(mean) if mean is not None else ""))
    if means:
        group.index = (sum(means, Decimal(0)) / len(means)).quantize(Decimal("0.01"))
        group.band = item_set.band(group.index)
    group.comments = sorted(r.comment for r in rows if r.comment)


def suppress(counts: dict[str, int], minimum: int) -> set[str]:
    """The groups to hide: those under ``minimum``, and while exactly one is hidden, the
    smallest shown one too (so no hidden group is the total minus the shown ones)."""
    hidden = {k for k, n in counts.items() if 0 < n < minimum}
    while len(hidden) == 1:
        shown = sorted((n, k) for k, n in counts.items() if k not in hidden and n > 0)
        if not shown:
            break
        hidden.add(shown[0][1])
    return hidden


def results(survey: Survey, actor: User) -> Results:
    """The survey's results as ``actor`` may read them (``learning.access.progress_q``)."""
    item_set = items.get(survey.item_set)
    course = survey.activity.course
    rows = list(
        SurveyResponse.objects.filter(survey=survey)
        .filter(progress_q(actor))
        .only("unit_path", "answers", "comment")
    )
    roots = [p for p in reader_paths(actor) if p.startswith(course.unit_path)]
    base = (
        max([len(course.unit_path), *(len(p) for p in roots)]) if roots else len(course.unit_path)
    )
    by_group: dict[str, list[SurveyResponse]] = defaultdict(list)
    for row in rows:
        key = row.unit_path[: base + STEP] if len(row.unit_path) > base else row.unit_path
        by_group[key].append(row)
    names = dict(Unit.objects.filter(path__in=list(by_group)).values_list("path", "name"))
    minimum = item_set.min_group
    hidden = suppress({k: len(v) for k, v in by_group.items()}, minimum)
    groups = []
    for key in sorted(by_group, key=lambda k: names.get(k, k)):
        group = Group(names.get(key, "—"), len(by_group[key]), shown=key not in hidden)
        if group.shown:
            _summary(group, by_group[key], item_set)
        groups.append(group)
    total = Group("", len(rows), shown=len(rows) >= minimum)
    if total.shown:
        _summary(total, rows, item_set)
        total.comments = []  # comments only within shown groups
    return Results(item_set, total, groups, minimum)
