"""The framework an evaluation follows: which one applies to a person, its rules (cached per
process), the rating they give, and the levels and notes they accept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opentemis.core.text import normalize_text
from opentemis.evaluations.models import Cycle, Evaluation, EvaluationKind
from opentemis.staff.models import Person
from opentemis.standards.applicability import YearFrameworks, applicable_to_person, require_applies
from opentemis.standards.models import Framework
from opentemis.standards.rules import (
    LEVEL_CODES,
    Level,
    RatingResult,
    RuleSet,
    rate,
    unjustified_below_suspended,
)


class CriterionRow(TypedDict):
    number: int
    name: str
    is_key: bool


# A framework version's content (criteria, rules) never changes once stored: new content becomes
# a new version (standards.services). Its rules and its row are therefore cached per process, and
# the workflow's writes need no join to standards_framework. The caches are cleared whenever a
# framework or a criterion is saved or deleted (evaluations/signals.py), e.g. when an
# administrator loads a version or a test database reuses a primary key.
_RULES: dict[int, RuleSet] = {}
_FRAMEWORKS: dict[int, Framework] = {}
_CRITERIA: dict[int, list[CriterionRow]] = {}


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


def criteria_of(framework: Framework) -> list[CriterionRow]:
    """The framework's criteria (number, name, is_key) in order, cached per process."""
    cached = _CRITERIA.get(framework.pk)
    if cached is None:
        rows = framework.criteria.order_by("number").values("number", "name", "is_key")
        cached = _CRITERIA[framework.pk] = [
            CriterionRow(number=row["number"], name=row["name"], is_key=row["is_key"])
            for row in rows
        ]
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


def is_complete(framework: Framework, levels: Mapping[str, str]) -> bool:
    rules = rule_set_for(framework)
    return all(levels.get(str(n)) in LEVEL_CODES for n in rules.criteria)


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


def clean_levels(framework: Framework, levels: Mapping[Any, Any]) -> dict[str, str]:
    """Keep known criteria with valid level codes; refuse anything else."""
    numbers = {str(n) for n in rule_set_for(framework).criteria}
    cleaned: dict[str, str] = {}
    for key, value in levels.items():
        number = str(key)
        if value in (None, ""):
            continue
        if number not in numbers:
            raise ValidationError(_("Criterion %(n)s is not in this standard.") % {"n": number})
        if value not in LEVEL_CODES:
            raise ValidationError(
                _("“%(value)s” is not a level (Chưa đạt, Đạt, Khá, Tốt).") % {"value": value}
            )
        cleaned[number] = str(value)
    return cleaned


def clean_notes(framework: Framework, notes: Mapping[Any, Any] | None) -> dict[str, str]:
    """Notes (or comments) of known criteria, normalised and cut to 2,000 characters."""
    numbers = {str(n) for n in rule_set_for(framework).criteria}
    return {
        str(k): normalize_text(str(v))[:2000]
        for k, v in (notes or {}).items()
        if str(k) in numbers and str(v or "").strip()
    }


def framework_for_person(
    *, cycle: Cycle, person: Person, table: YearFrameworks | None = None
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
