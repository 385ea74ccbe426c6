"""The selection conditions of core staff (cốt cán), checked and shown (issue 14 item 1).

TT 20/2018 Điều 12 (teachers) and TT 14/2018 Điều 12 (managers) say who may be chosen: years
at the level, the last rating, the Tiêu chuẩn 2 criteria at Tốt... The figures live in data
(``data/core_conditions.yaml``, with their source and what is still to verify); this module
reads the facts of a candidate from the records (:func:`facts_for`, set-wise) and judges them
with one pure function (:func:`check`), which says for every condition whether it is met, not
met or unknown, and why, in words shown to the officer.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.evaluations.models import Evaluation
from opentemis.orgs.models import SchoolYear
from opentemis.plans.bulk import latest_finalised_of as latest_finalised
from opentemis.staff.models import Assignment, Person
from opentemis.standards.rules import Level

DATA = Path(__file__).parent / "data" / "core_conditions.yaml"
MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
#: What each condition is called (the audit log names the failing ones).
CONDITION_NAMES = {
    "years_at_level": gettext_lazy("Years at the school level"),
    "years_as_manager": gettext_lazy("Years as principal or deputy"),
    "overall_rating": gettext_lazy("Last rating"),
    "key_criteria": gettext_lazy("Criteria of Standard 2 at Good"),
    "rules": gettext_lazy("Selection conditions"),
}


@dataclass(frozen=True)
class Condition:
    code: str
    check: str
    params: dict[str, Any]
    source: str = ""
    to_verify: str = ""


@dataclass(frozen=True)
class RuleSet:
    kind: str
    levels: tuple[str, ...]
    framework: str
    source: str
    verification: str
    conditions: tuple[Condition, ...]
    declared: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    version: str
    rule_sets: tuple[RuleSet, ...]

    def for_candidate(self, kind: str, level: str) -> RuleSet | None:
        """The rule set of ``kind`` (teacher / manager) at school level ``level``."""
        return next(
            (r for r in self.rule_sets if r.kind == kind and level in r.levels),
            None,
        )


def parse_rules(data: dict[str, Any]) -> Rules:
    sets = []
    for raw in data["rule_sets"]:
        conditions = tuple(
            Condition(
                code=c["code"],
                check=c["check"],
                params={
                    k: v for k, v in c.items() if k not in {"code", "check", "source", "to_verify"}
                },
                source=c.get("source", ""),
                to_verify=c.get("to_verify", "") or "",
            )
            for c in raw["conditions"]
        )
        sets.append(
            RuleSet(
                kind=raw["kind"],
                levels=tuple(raw["levels"]),
                framework=raw.get("framework", ""),
                source=raw.get("source", ""),
                verification=raw.get("verification", ""),
                conditions=conditions,
                declared=tuple(raw.get("declared", ())),
            )
        )
    return Rules(version=str(data.get("version", "")), rule_sets=tuple(sets))


@functools.cache
def rules() -> Rules:
    """The conditions in force (the data file, read once)."""
    with DATA.open(encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))


@dataclass(frozen=True)
class EvaluationFacts:
    """What a candidate's last finalised evaluation says (``plans.drafting.latest_finalised``)."""

    year: str
    framework: str
    rating: str
    levels: dict[str, str]


@dataclass(frozen=True)
class Facts:
    """What the records say of a candidate: ``years_at_level`` None when no assignment is
    recorded; ``evaluation`` None when none was finalised."""

    years_at_level: float | None
    evaluation: EvaluationFacts | None


@dataclass(frozen=True)
class Outcome:
    code: str
    status: str  # met / not_met / unknown
    reason: str
    to_verify: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "status": self.status,
            "reason": self.reason,
            "to_verify": self.to_verify,
        }


@dataclass
class Check:
    """Every condition's outcome for one candidate, and the statements nobody records."""

    outcomes: list[Outcome] = field(default_factory=list)
    declared: tuple[str, ...] = ()
    source: str = ""

    @property
    def passed(self) -> bool:
        """All conditions met (an unknown one is not met: the officer must say why)."""
        return bool(self.outcomes) and all(o.status == MET for o in self.outcomes)

    @property
    def failing(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != MET]

    def as_list(self) -> list[dict[str, str]]:
        return [o.as_dict() for o in self.outcomes]


def _level(code: str) -> str:
    """A level's name in the legal texts (Tốt...), whatever the page's language."""
    return Level.from_code(code).legal_name if code in _RANK else code or "—"


def _rank(code: str) -> int:
    return _RANK.get(code, -1)


_RANK = {level.code: int(level) for level in Level}


def check(rule_set: RuleSet | None, facts: Facts) -> Check:
    """Judge ``facts`` against ``rule_set``: a pure function (no query, no clock).

    No rule set (a kind and level the data does not cover): one unknown outcome saying so.
    """
    if rule_set is None:
        return Check(
            outcomes=[
                Outcome(
                    "rules",
                    UNKNOWN,
                    _("No selection conditions are known for this kind of staff at this level."),
                )
            ]
        )
    result = Check(declared=rule_set.declared, source=rule_set.source)
    for condition in rule_set.conditions:
        status, reason = _judge(condition, facts)
        result.outcomes.append(Outcome(condition.code, status, reason, condition.to_verify))
    return result


def _judge(condition: Condition, facts: Facts) -> tuple[str, str]:
    params = condition.params
    ev = facts.evaluation
    if condition.check == "years_at_level":
        need = float(params["min_years"])
        if facts.years_at_level is None:
            return UNKNOWN, _("No work history is recorded at this level (needs %(n)s years).") % {
                "n": f"{need:g}"
            }
        years = facts.years_at_level
        values = {"years": f"{years:.1f}", "n": f"{need:g}"}
        if years >= need:
            return MET, _("%(years)s years at this level (needs %(n)s).") % values
        return NOT_MET, _("Only %(years)s years at this level (needs %(n)s).") % values
    if condition.check == "years_as_manager":
        return UNKNOWN, _(
            "Years as principal or deputy are not recorded: confirm at least %(n)s years."
        ) % {"n": params["min_years"]}
    if condition.check == "overall_rating":
        need_level = str(params["min_level"])
        if ev is None:
            return NOT_MET, _("No finalised evaluation (needs a rating of %(level)s or above).") % {
                "level": _level(need_level)
            }
        values = {"rating": _level(ev.rating), "year": ev.year, "level": _level(need_level)}
        if _rank(ev.rating) >= _rank(need_level):
            return MET, _("Rated %(rating)s in %(year)s (needs %(level)s or above).") % values
        return NOT_MET, _("Rated %(rating)s in %(year)s (needs %(level)s or above).") % values
    if condition.check == "criteria_level":
        need_level = str(params["level"])
        criteria = [int(c) for c in params["criteria"]]
        listed = ", ".join(str(c) for c in criteria)
        if ev is None:
            return NOT_MET, _(
                "No finalised evaluation (criteria %(criteria)s must be at %(level)s)."
            ) % {"criteria": listed, "level": _level(need_level)}
        below = [c for c in criteria if _rank(ev.levels.get(str(c), "")) < _rank(need_level)]
        if not below:
            return MET, _("Criteria %(criteria)s at %(level)s in %(year)s.") % {
                "criteria": listed,
                "level": _level(need_level),
                "year": ev.year,
            }
        shown = ", ".join(f"{c} ({_level(ev.levels.get(str(c), ''))})" for c in below)
        return NOT_MET, _("Below %(level)s in %(year)s: criteria %(below)s.") % {
            "level": _level(need_level),
            "year": ev.year,
            "below": shown,
        }
    return UNKNOWN, _("This condition cannot be checked from the records.")


# --- the facts, read from the records --------------------------------------------------------


def _evaluation_facts(evaluation: Evaluation | None) -> EvaluationFacts | None:
    if evaluation is None:
        return None
    return EvaluationFacts(
        year=evaluation.cycle.school_year.code,
        framework=evaluation.framework.code,
        rating=evaluation.final_rating,
        levels={str(k): str(v) for k, v in (evaluation.review_levels or {}).items()},
    )


def years_at_level(
    people: Sequence[int], level_code: dict[int, str], until: dt.date
) -> dict[int, float]:
    """Years each person worked, up to ``until``, at units holding the level each is checked
    for (``level_code``: person -> level code), from their assignments (one query). A
    multi-level school counts for each of its levels."""
    rows = (
        Assignment.objects.filter(person_id__in=people, start_date__lt=until)
        .values_list("person_id", "start_date", "end_date", "unit__levels__code")
        .order_by()
    )
    spans: dict[int, set[tuple[dt.date, dt.date]]] = defaultdict(set)
    seen: set[int] = set()
    for person_id, start, end, code in rows:
        seen.add(person_id)
        if code == level_code.get(person_id):
            spans[person_id].add((start, min(end or until, until)))
    return {pk: sum(max((b - a).days, 0) for a, b in spans.get(pk, set())) / 365.25 for pk in seen}


def facts_for(
    people: Iterable[Person], levels: dict[int, str], school_year: SchoolYear
) -> dict[int, Facts]:
    """The facts of each person (set-wise: two queries for the lot), for the level each is
    checked for (``levels``: person -> level code)."""
    people = list(people)
    years = years_at_level([p.pk for p in people], levels, school_year.start_date)
    # The one selector of a person's newest finalised evaluation (plans.drafting's, set-wise).
    newest = latest_finalised(people, school_year)
    cycles = {
        e.pk: e
        for e in Evaluation.objects.filter(pk__in=[e.pk for e in newest.values()]).select_related(
            "cycle__school_year", "framework"
        )
    }
    return {
        p.pk: Facts(
            years_at_level=years.get(p.pk),
            evaluation=_evaluation_facts(cycles.get(newest[p.pk].pk) if p.pk in newest else None),
        )
        for p in people
    }
