"""Anonymous results of the satisfaction survey (R14, R15; decision 0024): per aspect the mean
score, its index band and how many answered it, for all the answers the reader reaches and by
unit (the units one level below the reader's own, or below the course's unit), and the same
for a unit's answers over a school year's courses (the TEMIS report's satisfaction part).

Answers are counted where they are filed: the learner's unit generalised
(``anonymity.generalised_path``); answers filed at the unit read itself make a group of their
own ("not attributed to a child unit"). Every group of fewer than ``min_group`` answers is
withheld, with its comments, and so is whatever would let it be worked out by subtraction
(``anonymity.withheld``: complementary suppression, the same decision on every page).
Comments are shown without names, sorted, only within shown groups (never for the reader's
total, which is the sum of its groups).

Sums are made by the database (one GROUP BY over the stored unit paths); only comments of shown
groups are read row by row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, Count, IntegerField, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.learning.access import progress_q, reader_paths
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.surveys import anonymity, items
from opentemis.surveys.anonymity import HERE, STEP
from opentemis.surveys.models import Survey, SurveyAnswer


@dataclass
class Tally:
    """Sums of answers: how many, and per item code the sum of the scores and how many scored."""

    count: int = 0
    sums: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    scored: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Tally) -> None:
        self.count += other.count
        for code, value in other.sums.items():
            self.sums[code] += value
        for code, value in other.scored.items():
            self.scored[code] += value


@dataclass
class Aspect:
    item: items.Item
    mean: Decimal | None
    band: str
    count: int = 0  # answers scoring this aspect


@dataclass
class Group:
    name: str
    count: int
    shown: bool = False
    key: str = ""
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


def tallies(rows: QuerySet[SurveyAnswer], codes: Iterable[str]) -> dict[str, Tally]:
    """Per stored unit path, the answers' :class:`Tally` (one GROUP BY)."""
    codes = list(codes)
    sums: dict[str, Aggregate] = {}
    for i, code in enumerate(codes):
        score = Cast(KT(f"answers__{code}"), IntegerField())
        sums[f"s{i}"] = Sum(score)
        sums[f"n{i}"] = Count(score)
    found: dict[str, Tally] = {}
    grouped = rows.order_by().values("unit_path").annotate(answers_n=Count("pk"), **sums)
    for row in grouped:
        values: dict[str, Any] = dict(row)
        tally = Tally(values["answers_n"])
        for i, code in enumerate(codes):
            tally.sums[code] = values[f"s{i}"] or 0
            tally.scored[code] = values[f"n{i}"] or 0
        found[values["unit_path"]] = tally
    return found


def _summary(group: Group, tally: Tally, item_set: items.ItemSet) -> None:
    means: list[Decimal] = []
    for item in item_set.items:
        n = tally.scored.get(item.code, 0)
        mean = (Decimal(tally.sums[item.code]) / n).quantize(Decimal("0.01")) if n else None
        if mean is not None:
            means.append(mean)
        band = item_set.band(mean) if mean is not None else ""
        group.aspects.append(Aspect(item, mean, band, n))
    if means:
        group.index = (sum(means, Decimal(0)) / len(means)).quantize(Decimal("0.01"))
        group.band = item_set.band(group.index)


def _rolled(found: Mapping[str, Tally], parent: str) -> dict[str, Tally]:
    """``found`` (per stored path) summed per group of ``parent``'s table."""
    groups: dict[str, Tally] = defaultdict(Tally)
    for path, tally in found.items():
        if path.startswith(parent):
            groups[anonymity.group_key(path, parent)].add(tally)
    return groups


def _names(keys: Iterable[str]) -> dict[str, str]:
    paths = {key.removesuffix(HERE) for key in keys}
    names = dict(Unit.objects.filter(path__in=list(paths)).values_list("path", "name"))
    result = {}
    for key in keys:
        name = names.get(key.removesuffix(HERE), "—")
        result[key] = (
            _("%(unit)s: answers not attributed to a child unit") % {"unit": name}
            if key.endswith(HERE)
            else name
        )
    return result


def _key_q(key: str) -> Q:
    if key.endswith(HERE):
        return Q(unit_path=key.removesuffix(HERE))
    return Q(unit_path__startswith=key)


def _comments(rows: QuerySet[SurveyAnswer], key: str) -> list[str]:
    return sorted(rows.filter(_key_q(key)).exclude(comment="").values_list("comment", flat=True))


def _base(actor: User, top: str) -> str:
    """The unit whose table ``actor`` reads: ``top`` (the course's unit) when they read it
    all, else the deepest unit holding every subtree of theirs under it."""
    roots = reader_paths(actor)
    if any(top.startswith(p) for p in roots):
        return top
    inside = [p for p in roots if p.startswith(top)]
    if not inside:
        return top
    common = inside[0]
    for path in inside[1:]:
        n = 0
        while n < min(len(common), len(path)) and common[n] == path[n]:
            n += 1
        common = common[:n]
    return common[: len(common) // STEP * STEP] or top


def results(survey: Survey, actor: User) -> Results:
    """The survey's results as ``actor`` may read them (``learning.access.progress_q``).

    Whether a group is withheld is decided over every answer of the course (a count, read in
    the system scope), so every reader sees the same figure for a unit, or none; a group the
    reader reaches only in part is withheld too (its figure would differ from the whole's)."""
    item_set = items.get(survey.item_set)
    course = survey.activity.course
    minimum = item_set.min_group
    codes = [item.code for item in item_set.items]
    base = _base(actor, course.unit_path)
    with system_scope():
        counts = dict(
            SurveyAnswer.objects.filter(survey=survey)
            .order_by()
            .values_list("unit_path")
            .annotate(n=Count("pk"))
        )
    hidden = anonymity.withheld(counts, anonymity.chain_between(course.unit_path, base), minimum)
    rows = SurveyAnswer.objects.filter(survey=survey, unit_path__startswith=base).filter(
        progress_q(actor)
    )
    visible = _rolled(tallies(rows, codes), base)
    whole: dict[str, int] = defaultdict(int)
    for path, n in counts.items():
        if path.startswith(base):
            whole[anonymity.group_key(path, base)] += n
    names = _names(visible)
    groups = []
    for key in sorted(visible, key=lambda k: (k.endswith(HERE), names[k])):
        tally = visible[key]
        shown = key not in hidden and tally.count == whole[key] and tally.count >= minimum
        group = Group(names[key], tally.count, shown=shown, key=key)
        if shown:
            _summary(group, tally, item_set)
            group.comments = _comments(rows, key)
        groups.append(group)
    total_tally = Tally()
    for tally in visible.values():
        total_tally.add(tally)
    total = Group(
        "",
        total_tally.count,
        shown=base not in hidden
        and total_tally.count == sum(whole.values())
        and total_tally.count >= minimum,
        key=base,
    )
    if total.shown:
        _summary(total, total_tally, item_set)
    return Results(item_set, total, groups, minimum)


@dataclass
class YearResults(Results):
    courses: int = 0  # courses whose answers are counted
    left_out: int = 0  # courses with answers, fewer than the minimum in all: not counted


def year_results(*, unit: Unit, school_year: SchoolYear) -> YearResults | None:
    """The answers filed in ``unit``'s subtree to the surveys of ``school_year``'s courses,
    pooled: in all and per child unit (the TEMIS report's satisfaction part); None when no
    course of the year has a survey.

    Withheld as on the survey pages, and more: a group that some course's own results withhold
    is withheld here too (otherwise the pooled figure minus the other courses' would give it
    away), and a course with fewer than the minimum of answers in all is left out (its total
    would be the pooled one minus the others'). Labels and bands: the item set most surveys of
    the year use (the shipped one first); aspects are matched by item code.
    """
    surveys = list(Survey.objects.filter(activity__course__school_year=school_year))
    if not surveys:
        return None
    top = unit.path[:STEP]
    versions = [s.item_set for s in surveys]
    default = items.default_version()
    version = default if default in versions else max(set(versions), key=versions.count)
    item_set = items.get(version)
    minimum = max(items.get(v).min_group for v in set(versions))
    course_paths = dict(
        Survey.objects.filter(pk__in=[s.pk for s in surveys]).values_list(
            "pk", "activity__course__unit_path"
        )
    )
    per_survey: dict[int, dict[str, int]] = defaultdict(dict)
    with system_scope():  # counts over the whole tree decide what is withheld; never shown
        for survey_id, path, n in (
            SurveyAnswer.objects.filter(survey__in=surveys, unit_path__startswith=top)
            .order_by()
            .values_list("survey_id", "unit_path")
            .annotate(n=Count("pk"))
        ):
            per_survey[survey_id][path] = n
    pooled: dict[str, int] = defaultdict(int)
    forced: set[str] = set()
    counted: list[int] = []
    left_out = 0
    for survey_id, counts in per_survey.items():
        course_path = course_paths[survey_id]
        if sum(counts.values()) < minimum:
            left_out += 1
            continue
        counted.append(survey_id)
        forced |= anonymity.withheld(
            counts, anonymity.chain_between(course_path, unit.path), minimum
        )
        for path, n in counts.items():
            pooled[path] += n
    hidden = anonymity.withheld(pooled, anonymity.chain_between(top, unit.path), minimum, forced)
    codes = {item.code for v in set(versions) for item in items.get(v).items}
    with system_scope():  # the figures of the unit read (the report checked the reader)
        rows = SurveyAnswer.objects.filter(survey_id__in=counted, unit_path__startswith=unit.path)
        found = _rolled(tallies(rows, sorted(codes)), unit.path)
        names = _names(found)
    groups = []
    total_tally = Tally()
    for key in sorted(found, key=lambda k: (k.endswith(HERE), names[k])):
        tally = found[key]
        total_tally.add(tally)
        shown = key not in hidden and tally.count >= minimum
        group = Group(names[key], tally.count, shown=shown, key=key)
        if shown:
            _summary(group, tally, item_set)
        groups.append(group)
    total = Group(
        unit.name,
        total_tally.count,
        shown=unit.path not in hidden and total_tally.count >= minimum,
        key=unit.path,
    )
    if total.shown:
        _summary(total, total_tally, item_set)
    return YearResults(item_set, total, groups, minimum, courses=len(counted), left_out=left_out)
