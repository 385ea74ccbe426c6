"""The overall rating of a professional-standard evaluation, computed from criterion levels.

Rules are data (`data/frameworks.yaml`, copied from the team's research with its verification
tags), evaluated in order, first match wins, else the fallback. TT 20/2018 Khoản 2 Điều 10:

- Tốt: every criterion ≥ Khá, at least 2/3 of criteria at Tốt, and criteria 3-7 (Tiêu chuẩn 2,
  Điều 5) at Tốt;
- Khá: every criterion ≥ Đạt, at least 2/3 ≥ Khá, and criteria 3-7 ≥ Khá;
- Đạt: every criterion ≥ Đạt;
- Chưa đạt: otherwise (some criterion at Chưa đạt).

TT 14/2018, TT 25/2018 and TT 26/2018 have the same shape with their own key criteria. Besides
the result, :func:`rate` says, in the user's language, which conditions kept the result from
each higher level (e.g. "Not at level Tốt: criterion 4 is at Khá (a key criterion, must be Tốt);
needs at least 10/15 criteria at Tốt, has 9").

**Suspended requirements** (docs/decisions/0013-framework-scope-and-suspended-requirements.md).
A legal act can suspend part of what a level of a criterion requires: Thông tư
29/2021/TT-BGDĐT suspended the training-qualification requirement of criterion 3's Đạt level
(certainly in TT 26/2018, possibly in TT 20/2018; scope to verify). Nobody may be failed on a
suspended requirement, but the engine cannot know why a person put a criterion below that
level. So a level below a suspended requirement counts as given **only if a reason is written
for that criterion** (the note of the self-evaluation, the reviewer's comment):
:func:`unjustified_below_suspended` names the criteria without one and the services refuse to
submit or finalise them; and :func:`rate` adds to the explanation that the criterion is below
that level for another requirement, not the suspended one. The computed rating is unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.core.text import fold


class Level(IntEnum):
    """Chưa đạt < Đạt < Khá < Tốt (the same four levels in every framework).

    The one declaration of the levels: their codes (how they are stored), their names in the
    legal texts, the abbreviations of the official forms and the labels of the pages. Other
    modules read them from here (:data:`LEVEL_CODES`, :attr:`legal_name`, :attr:`short`).
    """

    CHUA_DAT = 0
    DAT = 1
    KHA = 2
    TOT = 3

    @classmethod
    def from_code(cls, code: str) -> Level:
        return _BY_CODE[code]

    @classmethod
    def from_text(cls, text: str) -> Level | None:
        """The level a person wrote in a file, or None: its name in any case, with or without
        diacritics, spaces or dots ("Chưa đạt", "chua dat", "KHÁ"), the abbreviation of the
        forms ("CĐ", "C.Đ", "K") or the code ("ChuaDat")."""
        return _BY_WRITING.get(re.sub(r"[^a-z]", "", fold(text)))

    @property
    def code(self) -> str:
        return _CODES[self]

    @property
    def label(self) -> str:
        """The name shown on pages, in the page's language."""
        return str(_LABELS[self])

    @property
    def legal_name(self) -> str:
        """The name in the legal texts (Chưa đạt, Đạt, Khá, Tốt): printed forms and files
        exchanged with users say it in Vietnamese whatever the page's language."""
        return _LEGAL_NAMES[self]

    @property
    def short(self) -> str:
        """The abbreviation of the official forms' tables (BM1: CĐ, Đ, K, T)."""
        return _SHORT[self]


_CODES = {Level.CHUA_DAT: "ChuaDat", Level.DAT: "Dat", Level.KHA: "Kha", Level.TOT: "Tot"}
_BY_CODE = {code: level for level, code in _CODES.items()}
_LEGAL_NAMES = {Level.CHUA_DAT: "Chưa đạt", Level.DAT: "Đạt", Level.KHA: "Khá", Level.TOT: "Tốt"}
_SHORT = {Level.CHUA_DAT: "CĐ", Level.DAT: "Đ", Level.KHA: "K", Level.TOT: "T"}
# Level names are Vietnamese legal terms; English gets a gloss.
_LABELS = {
    Level.CHUA_DAT: gettext_lazy("Not met (Chưa đạt)"),
    Level.DAT: gettext_lazy("Met (Đạt)"),
    Level.KHA: gettext_lazy("Good (Khá)"),
    Level.TOT: gettext_lazy("Excellent (Tốt)"),
}
# Written forms, folded to letters only: the name (which is also the code) and the abbreviation.
_BY_WRITING = {
    re.sub(r"[^a-z]", "", fold(written)): level
    for level in Level
    for written in (_LEGAL_NAMES[level], _SHORT[level])
}

#: Every level's code, lowest first: how levels are stored (evaluations, summaries, files).
LEVEL_CODES: tuple[str, ...] = tuple(level.code for level in Level)
#: The levels a criterion describes (Đạt, Khá, Tốt); Chưa đạt is only "not Đạt".
DESCRIBED_LEVEL_CODES: tuple[str, ...] = LEVEL_CODES[1:]


@dataclass(frozen=True)
class Rule:
    """One row of a framework's rating table: ``result`` if every condition holds."""

    order: int
    result: Level
    all_at_least: Level | None = None
    min_fraction: tuple[Level, Fraction] | None = None
    key_at_least: tuple[Level, tuple[int, ...]] | None = None
    max_fraction_below: tuple[Level, Fraction] | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Rule:
        def level(value: str | None) -> Level | None:
            return Level.from_code(value) if value else None

        mf = data.get("min_fraction_at_least")
        key = data.get("key_criteria_at_least")
        mb = data.get("max_fraction_below")
        return cls(
            order=int(data["order"]),
            result=Level.from_code(data["result"]),
            all_at_least=level(data.get("all_at_least") or data.get("none_below")),
            min_fraction=(Level.from_code(mf["level"]), Fraction(mf["fraction"])) if mf else None,
            key_at_least=(Level.from_code(key["level"]), tuple(int(c) for c in key["criteria"]))
            if key
            else None,
            max_fraction_below=(Level.from_code(mb["level"]), Fraction(mb["fraction"]))
            if mb
            else None,
        )


@dataclass(frozen=True)
class Suspension:
    """Part of what ``level`` of ``criterion`` requires, suspended by a legal act (``by``)."""

    criterion: int
    level: Level
    requirement: str
    by: str
    verified: bool = False

    @classmethod
    def from_data(cls, criterion: int, suspended: Mapping[str, Any] | None) -> list[Suspension]:
        """The suspensions of one criterion, from its data (``{"Dat": {"requirement": ...,
        "by": ..., "verification": ...}}``, or the stored form with ``verified``)."""
        result = []
        for code, part in (suspended or {}).items():
            verified = part.get("verified")
            if verified is None:
                verified = str(part.get("verification") or "").upper() == "VERIFIED"
            result.append(
                cls(
                    criterion=int(criterion),
                    level=Level.from_code(code),
                    requirement=str(part.get("requirement") or ""),
                    by=str(part.get("by") or ""),
                    verified=bool(verified),
                )
            )
        return result


@dataclass(frozen=True)
class RuleSet:
    """A framework's rules over its criteria (numbered as in the regulation)."""

    criteria: tuple[int, ...]
    rules: tuple[Rule, ...]
    fallback: Level = Level.CHUA_DAT
    citation: str = ""
    suspended: tuple[Suspension, ...] = ()

    @classmethod
    def from_data(
        cls,
        criteria: list[int],
        data: Mapping[str, Any],
        citation: str = "",
        suspended: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> RuleSet:
        """``suspended``: criterion number -> its ``suspended`` data (see :class:`Suspension`)."""
        rules = tuple(sorted((Rule.from_data(r) for r in data["rules"]), key=lambda r: r.order))
        return cls(
            criteria=tuple(criteria),
            rules=rules,
            fallback=Level.from_code(data.get("fallback", "ChuaDat")),
            citation=citation,
            suspended=tuple(
                s
                for number, part in sorted((suspended or {}).items())
                for s in Suspension.from_data(number, part)
            ),
        )


@dataclass
class RatingResult:
    level: Level
    # For each level above the result (lowest first): why the evaluation did not reach it.
    shortfalls: dict[Level, list[str]] = field(default_factory=dict)
    # Facts the reader must know about the levels given (a suspended requirement).
    notices: list[str] = field(default_factory=list)

    def explanation(self) -> list[str]:
        return [
            _("Not at level %(level)s: %(reasons)s")
            % {"level": level.label, "reasons": "; ".join(reasons)}
            for level, reasons in sorted(self.shortfalls.items())
        ] + list(self.notices)


def below_suspended(rules: RuleSet, levels: Mapping[int, Level]) -> list[Suspension]:
    """The suspensions whose criterion is rated below the level they belong to."""
    return [s for s in rules.suspended if s.criterion in levels and levels[s.criterion] < s.level]


def unjustified_below_suspended(
    rules: RuleSet, levels: Mapping[int, Level], reasons: Collection[int]
) -> list[Suspension]:
    """Criteria rated below a level part of whose requirement is suspended, with no written
    reason (``reasons``: the criteria that have one). Such a level could rest on the suspended
    requirement alone, which may fail nobody: the services refuse it (decision 0013)."""
    return [s for s in below_suspended(rules, levels) if s.criterion not in reasons]


def suspension_notice(suspension: Suspension, actual: Level) -> str:
    return _(
        "criterion %(number)s is at %(actual)s: the requirement “%(requirement)s” of level "
        "%(level)s is suspended (%(by)s), so this criterion is below %(level)s only for its "
        "other requirements, never for that one"
    ) % {
        "number": suspension.criterion,
        "actual": actual.label,
        "requirement": suspension.requirement,
        "level": suspension.level.label,
        "by": suspension.by,
    }


def _numbers(items: list[int]) -> str:
    return ", ".join(str(n) for n in sorted(items))


def _failures(rule: Rule, levels: Mapping[int, Level], n: int) -> list[str]:
    """Every condition of ``rule`` that ``levels`` breaks, as sentences (empty: rule holds)."""
    reasons: list[str] = []
    if rule.key_at_least is not None:
        required, keys = rule.key_at_least
        below: dict[Level, list[int]] = {}
        for number in keys:
            if levels[number] < required:
                below.setdefault(levels[number], []).append(number)
        for actual, numbers in sorted(below.items()):
            reasons.append(
                _(
                    "criterion %(numbers)s at %(actual)s "
                    "(key criterion, must be at least %(required)s)"
                )
                % {"numbers": _numbers(numbers), "actual": actual.label, "required": required.label}
            )
    if rule.all_at_least is not None:
        required = rule.all_at_least
        below = {}
        for number, actual in levels.items():
            if actual < required and not (
                rule.key_at_least
                and number in rule.key_at_least[1]
                and rule.key_at_least[0] >= required
            ):
                below.setdefault(actual, []).append(number)
        for actual, numbers in sorted(below.items()):
            reasons.append(
                _(
                    "criterion %(numbers)s at %(actual)s "
                    "(every criterion must be at least %(required)s)"
                )
                % {"numbers": _numbers(numbers), "actual": actual.label, "required": required.label}
            )
    if rule.min_fraction is not None:
        required, fraction = rule.min_fraction
        needed = math.ceil(fraction * n)
        count = sum(1 for actual in levels.values() if actual >= required)
        if count < needed:
            reasons.append(
                _(
                    "needs at least %(needed)s/%(total)s criteria at %(level)s or above, "
                    "has %(count)s"
                )
                % {"needed": needed, "total": n, "level": required.label, "count": count}
            )
    if rule.max_fraction_below is not None:
        level, fraction = rule.max_fraction_below
        allowed = math.floor(fraction * n)
        count = sum(1 for actual in levels.values() if actual < level)
        if count > allowed:
            reasons.append(
                _("at most %(allowed)s/%(total)s criteria may be below %(level)s, has %(count)s")
                % {"allowed": allowed, "total": n, "level": level.label, "count": count}
            )
    return reasons


def rate(rules: RuleSet, levels: Mapping[int, Level]) -> RatingResult:
    """The overall rating of ``levels`` (criterion number -> level) under ``rules``."""
    missing = [c for c in rules.criteria if c not in levels]
    unknown = [c for c in levels if c not in rules.criteria]
    if missing or unknown:
        raise ValueError(f"levels must cover exactly criteria {rules.criteria}")
    n = len(rules.criteria)
    result = rules.fallback
    for rule in rules.rules:
        if not _failures(rule, levels, n):
            result = rule.result
            break
    shortfalls: dict[Level, list[str]] = {}
    for rule in rules.rules:
        if rule.result > result:
            reasons = _failures(rule, levels, n)
            if reasons:
                shortfalls.setdefault(rule.result, reasons)
    if result == rules.fallback and result == Level.CHUA_DAT:
        below = [c for c, lvl in levels.items() if lvl == Level.CHUA_DAT]
        if below and Level.DAT not in shortfalls:
            shortfalls[Level.DAT] = [
                _("criterion %(numbers)s at %(actual)s")
                % {"numbers": _numbers(below), "actual": Level.CHUA_DAT.label}
            ]
    notices = [suspension_notice(s, levels[s.criterion]) for s in below_suspended(rules, levels)]
    return RatingResult(level=result, shortfalls=shortfalls, notices=notices)
