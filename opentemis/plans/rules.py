"""The BDTX rules, as pure functions of plain values (no database): which modules to suggest
from an evaluation, the hours of a plan against the requirement, and the year's result.

What a regulation sets comes in as data (``training.TrainingYear``: the pass mark and the
result rule; ``training.Requirement``: the hours); this module only applies it, and says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from opentemis.standards.rules import Level

PROGRAMMES = ("01", "02", "03")
# At most this many programme-03 modules are suggested (the person adds more): a plan of
# 40 periods holds three or four modules. A suggestion, not a rule of law.
MAX_SUGGESTIONS = 4
DEFAULT_RULE = {"hours": "each_programme", "items": "all_passed"}


# --- suggestions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A criterion to work on: its final level (code, "" if unknown) and whether the person
    chose it in BM1 part 2 (``chosen``) or it was rated below Khá."""

    criterion: int
    level: str
    chosen: bool = False


@dataclass(frozen=True)
class ModuleRef:
    code: str
    framework: str
    criteria: tuple[int, ...]
    audience: str
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    module: str
    criteria: tuple[int, ...]
    reason: str


def weakest_first(final_levels: Mapping[str, str], chosen: Iterable[int]) -> list[Need]:
    """The criteria to work on, weakest first: those below Khá (lowest level first), then those
    the person chose to improve (BM1 part 2), then those at Khá. Criteria at Tốt are left out."""
    chosen_set = {int(c) for c in chosen}
    rated = []
    for key, code in final_levels.items():
        try:
            level = Level.from_code(code)
        except (KeyError, ValueError):
            continue
        rated.append((int(key), level))
    below = sorted((lvl, c) for c, lvl in rated if lvl < Level.KHA)
    needs = [Need(c, lvl.code, chosen=c in chosen_set) for lvl, c in below]
    taken = {n.criterion for n in needs}
    levels = dict(rated)
    for c in sorted(chosen_set - taken):
        needs.append(Need(c, levels[c].code if c in levels else "", chosen=True))
        taken.add(c)
    needs += [Need(c, lvl.code) for c, lvl in sorted(rated) if lvl == Level.KHA and c not in taken]
    return needs


def need_reason(need: Need) -> str:
    """Why a criterion is a need, as the plan shows it ("Tiêu chí 6 ở mức Đạt")."""
    if need.level and Level.from_code(need.level) < Level.KHA:
        return _("Criterion %(n)s at %(level)s") % {
            "n": need.criterion,
            "level": Level.from_code(need.level).label,
        }
    if need.chosen:
        return _("Criterion %(n)s: chosen to improve first (BM1 part 2)") % {"n": need.criterion}
    return _("Criterion %(n)s at %(level)s") % {
        "n": need.criterion,
        "level": Level.from_code(need.level).label,
    }


def suggest(
    *,
    needs: Sequence[Need],
    modules: Sequence[ModuleRef],
    framework: str,
    audience: str,
    level: str,
    limit: int = MAX_SUGGESTIONS,
) -> list[Suggestion]:
    """Programme-03 modules for ``needs`` (weakest first): the modules of the person's audience
    and school level that develop each criterion of ``framework``, each module once, with the
    reasons of every need it answers; at most ``limit``."""
    fitting = [
        m
        for m in modules
        if m.framework == framework
        and m.audience == audience
        and (not m.levels or not level or level in m.levels)
    ]
    picked: dict[str, tuple[list[int], list[str]]] = {}
    for need in needs:
        for module in fitting:
            if need.criterion not in module.criteria:
                continue
            if module.code not in picked:
                if len(picked) >= limit:
                    continue
                picked[module.code] = ([], [])
            criteria, reasons = picked[module.code]
            if need.criterion not in criteria:
                criteria.append(need.criterion)
                reasons.append(need_reason(need))
    return [
        Suggestion(module=code, criteria=tuple(criteria), reason="; ".join(reasons))
        for code, (criteria, reasons) in picked.items()
    ]


def split_hours(total: int, count: int) -> list[int]:
    """``total`` periods over ``count`` items, as even as whole periods allow (40 over 3:
    14, 13, 13): the planned hours of suggested modules whose hours are unknown."""
    if count <= 0:
        return []
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


# --- hours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursLine:
    programme: str
    required: int
    counted: Decimal

    @property
    def missing(self) -> Decimal:
        return max(Decimal(self.required) - self.counted, Decimal(0))

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def hours_lines(
    required: Mapping[str, int], counted: Mapping[str, Decimal | int]
) -> list[HoursLine]:
    """Each programme's hours against its requirement (planned or studied, as given)."""
    return [
        HoursLine(p, int(required.get(p, 0)), Decimal(counted.get(p, 0) or 0)) for p in PROGRAMMES
    ]


# --- the year's result -------------------------------------------------------------------


@dataclass(frozen=True)
class Assessed:
    """An assessed content of the plan: its label, score on 10 and/or Đạt (True) / Chưa đạt."""

    label: str
    score: Decimal | None = None
    passed: bool | None = None


def item_passes(item: Assessed, pass_score: Decimal) -> bool | None:
    """Đạt / Chưa đạt when given; else the score against the pass mark; None: not assessed."""
    if item.passed is not None:
        return item.passed
    if item.score is not None:
        return item.score >= pass_score
    return None


@dataclass(frozen=True)
class Judgement:
    completed: bool
    lines: list[HoursLine]
    reasons: list[str] = field(default_factory=list)
    rule: dict[str, str] = field(default_factory=dict)


def periods_text(value: Decimal) -> str:
    """Periods as people write them, the same from every database: 40, 2.5 (not 40.0)."""
    return f"{value.normalize():f}" if value != value.to_integral() else str(int(value))


def judge(
    *,
    required: Mapping[str, int],
    counted: Mapping[str, Decimal | int],
    items: Sequence[Assessed],
    pass_score: Decimal,
    rule: Mapping[str, str] | None = None,
) -> Judgement:
    """The year's result (TT 19/2019 Đ.10-11, rule from data): "Hoàn thành kế hoạch BDTX" when
    the hours are met (each programme, or the total) and, if the rule asks, every assessed
    content passed; otherwise "Không hoàn thành", with every reason."""
    applied = {**DEFAULT_RULE, **(rule or {})}
    lines = hours_lines(required, counted)
    reasons: list[str] = []
    if applied["hours"] == "total":
        need = sum(line.required for line in lines)
        got = sum((line.counted for line in lines), Decimal(0))
        if got < need:
            reasons.append(
                _("%(got)s of %(need)s periods studied in all")
                % {"got": periods_text(got), "need": need}
            )
    else:
        for line in lines:
            if not line.met:
                reasons.append(
                    _("programme %(p)s: %(got)s of %(need)s periods")
                    % {
                        "p": line.programme,
                        "got": periods_text(line.counted),
                        "need": line.required,
                    }
                )
    if applied["items"] == "all_passed":
        for item in items:
            verdict = item_passes(item, pass_score)
            if verdict is None:
                reasons.append(_("%(item)s: not assessed") % {"item": item.label})
            elif not verdict:
                shown = (
                    _("%(item)s: %(score)s/10, below %(mark)s")
                    % {
                        "item": item.label,
                        "score": periods_text(item.score),
                        "mark": periods_text(pass_score),
                    }
                    if item.score is not None and item.passed is None
                    else _("%(item)s: Chưa đạt") % {"item": item.label}
                )
                reasons.append(shown)
    return Judgement(completed=not reasons, lines=lines, reasons=reasons, rule=applied)
