"""The TEMIS report's figures for one unit and school year: the shape every output reads.

``reports.selectors.report_for(actor=..., unit=..., school_year=...)`` builds a
:class:`ReportData` from the summary tables; the page, the dashboards, the PDF and xlsx exports,
the CLI (``opentemis report``) and the API all render this one structure, so they always agree.

Layout (domain guide §4, the ministry's TEMIS report):

* **A.1.1** completion of the evaluation, per school level (all levels first, then MN, TH, THCS,
  THPT, GDTX as present): people to evaluate, self-evaluated, opinions collected, finalised;
* **A.1.2** distribution of the overall (final) rating, per school level;
* per-criterion level distributions; training needs by criterion and by BDTX module;
* the same for managers (CBQL, TT 14/2018) in :attr:`ReportData.managers` (section A.2);
* the same for preschool teachers (GVMN, TT 26/2018) and preschool managers (CBMN, TT 25/2018)
  in :attr:`ReportData.preschool_teachers` and :attr:`ReportData.preschool_managers` (A.3, A.4):
  people of preschools are evaluated against their own standards and never counted with TT 20;
* staff counts by school level, position, age band and qualification;
* completion of each child unit, ranked and grouped (Group A ≥ 80 % by default);
* a comparison with the previous school year;
* the satisfaction survey of the year's courses (:class:`SatisfactionPart`, issue 14 item 6):
  means per aspect for the unit and each child unit, withheld below the survey's minimum
  number of answers (``reports.satisfaction``); ``None`` for a reader who does not follow
  learning in the unit, or when no course of the year has a survey.

The report's headline, the year comparison, the ranking of child units and the weekly progress
snapshots all count the same people: everyone to evaluate in the subtree, whatever their
population (teachers, managers, ...), summed by :func:`totals` over the summary rows'
:data:`TOTAL_FIELDS`. The per-population sections break that total down.

Every figure about people is a :class:`Breakdown`: the total and the ministry's four sub-columns
(women, ethnic minority DTTS, women DTTS, disadvantaged area). A sub-column that would expose
fewer than ``min_cell`` people is ``None`` (suppressed; shown "<k" or "*"), see
``reports.protection``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from opentemis.standards.rules import LEVEL_CODES

RATINGS = LEVEL_CODES  # lowest first
BREAKDOWN_KEYS = ("total", "women", "dtts", "women_dtts", "disadvantaged")
# The counts every completion figure of a unit is made of (summary rows and snapshots alike).
TOTAL_FIELDS = ("to_evaluate", "self_evaluated", "finalised")


@dataclass
class Breakdown:
    """A count of people with the ministry's sub-columns; ``None`` = suppressed."""

    total: int | None = 0
    women: int | None = 0
    dtts: int | None = 0
    women_dtts: int | None = 0
    disadvantaged: int | None = 0

    def values(self) -> list[int | None]:
        return [getattr(self, k) for k in BREAKDOWN_KEYS]


def percent(part: int | None, whole: int | None) -> float | None:
    """``part`` of ``whole`` in percent, one decimal; None when either is unknown or zero."""
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


@dataclass
class Totals:
    """Completion of everyone to evaluate in a unit, all populations together.

    The one total the headline, the year comparison, the child ranking and the weekly snapshots
    show, so that they never disagree (issue 9: 1.356 teachers in the headline beside 1519
    people in the year comparison).
    """

    to_evaluate: int = 0
    self_evaluated: int = 0
    finalised: int = 0

    @property
    def rate(self) -> float | None:
        """Finalised of to evaluate, in percent."""
        return percent(self.finalised, self.to_evaluate)


def totals(rows: Iterable[Any]) -> Totals:
    """:class:`Totals` summed over summary rows (anything with the :data:`TOTAL_FIELDS`)."""
    result = Totals()
    for row in rows:
        for name in TOTAL_FIELDS:
            setattr(result, name, getattr(result, name) + getattr(row, name))
    return result


@dataclass
class CompletionRow:
    """A.1.1 for one school level (``level`` "" = all levels)."""

    level: str
    label: str
    to_evaluate: Breakdown
    self_evaluated: Breakdown
    opinions: Breakdown
    finalised: Breakdown


@dataclass
class RatingRow:
    """A.1.2 for one school level: finalised evaluations by overall rating."""

    level: str
    label: str
    finalised: Breakdown
    by_rating: dict[str, Breakdown]  # RATINGS -> Breakdown


@dataclass
class CriterionRow:
    """Final levels of one criterion over the finalised evaluations (totals only)."""

    number: int
    name: str
    counts: dict[str, int]  # RATINGS -> number of people


@dataclass
class NeedRow:
    key: str  # criterion number as text, or BDTX module code
    label: str
    count: int


@dataclass
class Section:
    """The evaluation figures for one population: teachers (GV, TT 20), managers (CBQL, TT 14),
    preschool teachers (GVMN, TT 26) or preschool managers (CBMN, TT 25)."""

    population: str  # "GV", "CBQL", "GVMN" or "CBMN"
    title: str
    completion: list[CompletionRow] = field(default_factory=list)
    ratings: list[RatingRow] = field(default_factory=list)
    criteria: list[CriterionRow] = field(default_factory=list)
    needs_by_criterion: list[NeedRow] = field(default_factory=list)
    needs_by_module: list[NeedRow] = field(default_factory=list)


@dataclass
class StaffRow:
    key: str
    label: str
    counts: Breakdown


@dataclass
class StaffTable:
    """Working staff in evaluated positions by one dimension."""

    dimension: str  # "level", "position", "age_band", "qualification"
    title: str
    rows: list[StaffRow] = field(default_factory=list)


@dataclass
class ChildRow:
    """One child unit in the ranking: completion of the teachers' and managers' evaluation."""

    unit_id: int
    code: str
    name: str
    kind: str
    to_evaluate: int
    self_evaluated: int
    finalised: int
    rate: float | None  # finalised / to_evaluate, percent
    rank: int | None
    group: str  # "A", "B", "C" (thresholds in settings), "" when nothing to evaluate


@dataclass
class YearFigures:
    """Headline figures of a school year, for the year-over-year comparison."""

    school_year: str
    to_evaluate: int
    finalised: int
    rate: float | None
    by_rating: dict[str, int]


@dataclass
class SatisfactionAspect:
    code: str
    label: str


@dataclass
class SatisfactionRow:
    """Satisfaction of one unit (or of the answers filed at the unit itself, ``unit_id``
    None): ``answers`` None and no means when withheld (fewer than ``min_group`` answers, or
    hidden so that a withheld group cannot be worked out by subtraction)."""

    key: str
    unit_id: int | None
    name: str
    answers: int | None
    index: float | None = None
    band: str = ""
    means: dict[str, float | None] = field(default_factory=dict)  # aspect code -> mean
    scored: dict[str, int] = field(default_factory=dict)  # aspect code -> answers scoring it
    bands: dict[str, str] = field(default_factory=dict)  # aspect code -> index band

    @property
    def shown(self) -> bool:
        return self.answers is not None


@dataclass
class SatisfactionPart:
    """The satisfaction survey of the school year's courses, answers pooled (R14, R15)."""

    min_group: int
    scale: str  # "1-10"
    source: str
    aspects: list[SatisfactionAspect]
    total: SatisfactionRow
    children: list[SatisfactionRow] = field(default_factory=list)
    courses: int = 0  # courses counted
    left_out: int = 0  # courses with fewer answers than min_group in all, not counted


@dataclass
class ReportData:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    school_year: str
    as_of: dt.datetime | None  # when the summaries were last brought up to date
    min_cell: int  # sub-columns under this many people are suppressed
    teachers: Section
    managers: Section
    staff: list[StaffTable] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    years: list[YearFigures] = field(default_factory=list)  # this year and the previous one
    totals: Totals = field(default_factory=Totals)  # everyone to evaluate: the headline
    preschool_teachers: Section = field(default_factory=lambda: Section("GVMN", ""))
    preschool_managers: Section = field(default_factory=lambda: Section("CBMN", ""))
    satisfaction: SatisfactionPart | None = None

    @property
    def sections(self) -> list[Section]:
        """Every population's section, in the order of the report (A.1 to A.4)."""
        return [self.teachers, self.managers, self.preschool_teachers, self.preschool_managers]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["totals"]["rate"] = self.totals.rate
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        return data
