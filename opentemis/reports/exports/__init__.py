"""The TEMIS report as files (PDF, xlsx, JSON), all rendered from one :class:`ReportData`.

:func:`report_sheets` lays the report out once, as titled tables grouped in sheets (one xlsx
sheet, one run of PDF pages each); :mod:`.pdf` and :mod:`.xlsx` only render those tables, so the
two files always show the same rows and columns (the split the evaluation forms use in
``evaluations.printing.layout``: one row generator, several renderers).

Cells are typed: ``int`` counts, ``float`` percentages (0-100, in columns of kind ``pct``) or
means (columns of kind ``dec``, two decimals: the satisfaction scores), ``str`` text, and
``None`` for a figure suppressed by small-cell protection, printed "<k"
(k = ``ReportData.min_cell``). A percentage of a suppressed count is suppressed too, otherwise
the count could be worked back from it. "Nothing to divide by" is :data:`DASH`, not ``None``.

Labels go through gettext at render time: the files come out in the active language,
Vietnamese by default. Names of units and of school levels come from the data as they are.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from opentemis.core.replicas import data_as_of
from opentemis.reports.data import (
    BREAKDOWN_KEYS,
    RATINGS,
    Breakdown,
    NeedRow,
    ReportData,
    SatisfactionPart,
    Section,
    percent,
)
from opentemis.standards.rules import Level

Cell = int | float | str | None
DASH = "\u2013"  # en dash: no figure because there is nothing to count
FORMATS = ("pdf", "xlsx", "json")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class Column:
    """A table column. ``width`` is in mm on the PDF page (A4 content: 180 mm portrait, 267 mm
    landscape); the spreadsheet derives its widths from it. Consecutive columns with the same
    ``group`` get one merged title above theirs ("Nữ" over "SL" and "%")."""

    title: str
    width: float
    kind: str = "text"  # text, code (centred text), int, pct, dec (a mean, two decimals)
    group: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "pct", "dec")


@dataclass
class Row:
    """A row of cells; a ``heading`` row is one full-width bold cell (a school level)."""

    cells: list[Cell]
    heading: bool = False
    bold: bool = False


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # printed under the table

    def group_spans(self) -> list[tuple[str, int, int]]:
        """(group title, first column index, span) for each run of grouped columns."""
        spans: list[tuple[str, int, int]] = []
        for i, column in enumerate(self.columns):
            if not column.group:
                continue
            if spans and spans[-1][0] == column.group and spans[-1][1] + spans[-1][2] == i:
                title, first, span = spans[-1]
                spans[-1] = (title, first, span + 1)
            else:
                spans.append((column.group, i, 1))
        return spans

    @property
    def has_suppressed(self) -> bool:
        return any(cell is None for row in self.rows if not row.heading for cell in row.cells)

    @property
    def width(self) -> float:
        return sum(c.width for c in self.columns)


@dataclass
class Sheet:
    """One section of the report: an xlsx sheet, a run of pages in the PDF."""

    key: str
    name: str  # xlsx sheet name (at most 31 characters)
    title: str
    tables: list[Table]
    orientation: str = "L"


# --- labels ---------------------------------------------------------------------------------


def breakdown_titles() -> list[str]:
    """The ministry's five sub-columns, in :data:`BREAKDOWN_KEYS` order."""
    return [
        pgettext("report column", "Total"),
        pgettext("report column", "Women"),
        pgettext("report column", "Ethnic minority"),
        pgettext("report column", "Ethnic-minority women"),
        pgettext("report column", "Disadvantaged area"),
    ]


def rating_label(code: str) -> str:
    return Level.from_code(code).label


def as_of_text(data: ReportData) -> str:
    if data.as_of is None:
        return _("Figures not yet computed")
    as_of = data_as_of(data.as_of)  # the one freshness rule (core.replicas, decision 0026)
    moment = timezone.localtime(as_of) if timezone.is_aware(as_of) else as_of
    return _("Figures as of %(time)s") % {"time": moment.strftime("%H:%M %d/%m/%Y")}


def report_title() -> str:
    return _("Report on the evaluation of teachers and school managers against the standards")


def suppression_note(min_cell: int) -> str:
    return _(
        "<%(k)d: fewer than %(k)d people; the figure is not shown, to protect personal data "
        "(small-cell protection)."
    ) % {"k": min_cell}


def suppressed_text(min_cell: int) -> str:
    return f"<{min_cell}"


_NOT_NAME = re.compile(r"[^A-Za-z0-9-]+")


def filename(data: ReportData, fmt: str) -> str:
    """``Bao_cao_TEMIS_SA_2025-2026.pdf``: ASCII, Vietnamese letters folded."""
    folded = unicodedata.normalize("NFKD", data.unit_code.replace("Đ", "D").replace("đ", "d"))
    code = _NOT_NAME.sub("_", folded.encode("ascii", "ignore").decode()).strip("_") or "unit"
    year = _NOT_NAME.sub("_", data.school_year) or "year"
    return f"Bao_cao_TEMIS_{code}_{year}.{fmt}"


# --- cells ----------------------------------------------------------------------------------


def share(part: int | None, whole: int | None) -> Cell:
    """``part`` of ``whole`` in percent; None (suppressed) when either is suppressed."""
    if part is None or whole is None:
        return None
    if not whole:
        return DASH
    return percent(part, whole)


def _counts_and_shares(counts: Breakdown, base: Breakdown) -> list[Cell]:
    cells: list[Cell] = []
    for key in BREAKDOWN_KEYS:
        value = getattr(counts, key)
        cells += [value, share(value, getattr(base, key))]
    return cells


def _breakdown_columns(first: list[Column], *, with_share: bool, width: float) -> list[Column]:
    columns = list(first)
    for title in breakdown_titles():
        if with_share:
            columns.append(Column(_("Number"), width, "int", title))
            columns.append(Column("%", width, "pct", title))
        else:
            columns.append(Column(title, width, "int"))
    return columns


# --- tables ---------------------------------------------------------------------------------


def completion_table(section: Section, code: str) -> Table:
    stages: list[tuple[str, str]] = [
        (_("People to evaluate"), "to_evaluate"),
        (_("Self-evaluated"), "self_evaluated"),
        (_("Colleagues' opinions collected"), "opinions"),
        (_("Evaluation finalised (rated)"), "finalised"),
    ]
    table = Table(
        f"{code}. {_('Completion of the evaluation')}: {section.title}",
        _breakdown_columns([Column(_("School level / stage"), 67)], with_share=True, width=20),
    )
    for row in section.completion:
        table.rows.append(Row([row.label], heading=True))
        for label, attr in stages:
            counts: Breakdown = getattr(row, attr)
            table.rows.append(
                Row([label, *_counts_and_shares(counts, row.to_evaluate)], bold=not row.level)
            )
    return table


def ratings_table(section: Section, code: str) -> Table:
    table = Table(
        f"{code}. {_('Overall rating of the finalised evaluations')}: {section.title}",
        _breakdown_columns([Column(_("School level / rating"), 67)], with_share=True, width=20),
    )
    for row in section.ratings:
        table.rows.append(Row([row.label], heading=True))
        table.rows.append(
            Row([_("Rated"), *_counts_and_shares(row.finalised, row.finalised)], bold=True)
        )
        for rating in reversed(RATINGS):  # Tốt first, as the ministry's tables list them
            counts = row.by_rating.get(rating, Breakdown(0, 0, 0, 0, 0))
            table.rows.append(
                Row([rating_label(rating), *_counts_and_shares(counts, row.finalised)])
            )
    return table


def criteria_table(section: Section) -> Table:
    columns = [Column(_("No."), 11, "code"), Column(_("Criterion"), 100)]
    for rating in reversed(RATINGS):
        columns += [
            Column(_("Number"), 17, "int", rating_label(rating)),
            Column("%", 15, "pct", rating_label(rating)),
        ]
    columns.append(Column(pgettext("report column", "Total"), 20, "int"))
    table = Table(f"{_('Level reached on each criterion')}: {section.title}", columns)
    for row in section.criteria:
        total = sum(row.counts.get(r, 0) for r in RATINGS)
        cells: list[Cell] = [row.number, row.name]
        for rating in reversed(RATINGS):
            count = row.counts.get(rating, 0)
            cells += [count, share(count, total)]
        table.rows.append(Row([*cells, total]))
    return table


def needs_tables(section: Section) -> list[Table]:
    def table(title: str, key_title: str, rows: list[NeedRow]) -> Table:
        return Table(
            f"{title}: {section.title}",
            [
                Column(key_title, 25, "code"),
                Column(_("Content"), 120),
                Column(_("People who need training"), 35, "int"),
            ],
            [Row([r.key, r.label, r.count]) for r in rows],
        )

    return [
        table(_("Training needs by criterion"), _("Criterion"), section.needs_by_criterion),
        table(_("Training needs by BDTX module"), _("Module"), section.needs_by_module),
    ]


def staff_tables(data: ReportData) -> list[Table]:
    tables = []
    for staff in data.staff:
        table = Table(
            f"{_('Staff in evaluated positions')}: {staff.title}",
            _breakdown_columns([Column(staff.title, 87)], with_share=False, width=36),
        )
        table.rows = [Row([row.label, *row.counts.values()]) for row in staff.rows]
        tables.append(table)
    return tables


def group_legend() -> str:
    """ "Group A: at least 80 %; group B: ... " from ``settings.REPORT_GROUPS``."""
    parts = []
    for name, minimum in settings.REPORT_GROUPS:
        if minimum > 0:
            parts.append(
                _("group %(name)s: at least %(min)s %%") % {"name": name, "min": f"{minimum:g}"}
            )
        else:
            parts.append(_("group %(name)s: the rest") % {"name": name})
    return _("Completion groups: %(groups)s.") % {"groups": "; ".join(parts)}


def children_table(data: ReportData) -> Table:
    table = Table(
        _("Completion of the evaluation in the child units, ranked"),
        [
            Column(_("Rank"), 11, "code"),
            Column(_("Code"), 20, "code"),
            Column(_("Unit"), 55),
            Column(_("People to evaluate"), 20, "int"),
            Column(_("Self-evaluated"), 20, "int"),
            Column(_("Finalised"), 20, "int"),
            Column(_("Finalised (%)"), 20, "pct"),
            Column(_("Group"), 14, "code"),
        ],
    )
    for child in data.children:
        table.rows.append(
            Row(
                [
                    child.rank if child.rank is not None else DASH,
                    child.code,
                    child.name,
                    child.to_evaluate,
                    child.self_evaluated,
                    child.finalised,
                    child.rate if child.rate is not None else DASH,
                    child.group or DASH,
                ]
            )
        )
    if data.children:
        complete = sum(1 for c in data.children if c.rate is not None and c.rate >= 100)
        table.notes.append(
            _("%(complete)d of %(count)d units have finalised every evaluation.")
            % {"complete": complete, "count": len(data.children)}
        )
        counts = {name: 0 for name, _minimum in settings.REPORT_GROUPS}
        for child in data.children:
            if child.group in counts:
                counts[child.group] += 1
        summary = ", ".join(f"{name}: {n}" for name, n in counts.items())
        table.notes.append(f"{group_legend()} {_('Units per group')}: {summary}.")
    return table


def years_table(data: ReportData) -> Table:
    columns = [
        Column(_("School year"), 27, "code"),
        Column(_("People to evaluate"), 24, "int"),
        Column(_("Finalised"), 24, "int"),
        Column(_("Finalised (%)"), 24, "pct"),
    ]
    for rating in reversed(RATINGS):
        columns += [
            Column(_("Number"), 21, "int", rating_label(rating)),
            Column("%", 21, "pct", rating_label(rating)),
        ]
    table = Table(_("Comparison with the previous school year"), columns)
    for year in data.years:
        cells: list[Cell] = [
            year.school_year,
            year.to_evaluate,
            year.finalised,
            year.rate if year.rate is not None else DASH,
        ]
        for rating in reversed(RATINGS):
            count = year.by_rating.get(rating, 0)
            cells += [count, share(count, year.finalised)]
        table.rows.append(Row(cells))
    return table


def satisfaction_tables(part: SatisfactionPart) -> list[Table]:
    """The satisfaction survey of the year's courses: per aspect for the unit, then per child
    unit (index, band, the mean of each aspect). A withheld figure is "<k", k the survey's own
    minimum of answers (it may differ from the report's ``min_cell``)."""
    withheld = f"<{part.min_group}"
    total = part.total
    per_aspect = Table(
        _("Satisfaction per aspect"),
        [
            Column(_("Aspect"), 90),
            Column(_("Mean"), 30, "dec"),
            Column(_("Band"), 30, "code"),
            Column(_("Answers"), 30, "int"),
        ],
    )
    for aspect in part.aspects:
        mean = total.means.get(aspect.code)
        per_aspect.rows.append(
            Row(
                [
                    aspect.label,
                    (mean if mean is not None else DASH) if total.shown else withheld,
                    (total.bands.get(aspect.code, "") or DASH) if total.shown else withheld,
                    total.scored.get(aspect.code, 0) if total.shown else withheld,
                ]
            )
        )
    per_aspect.rows.append(
        Row(
            [
                _("Index (mean of the aspects)"),
                (total.index if total.index is not None else DASH) if total.shown else withheld,
                (total.band or DASH) if total.shown else withheld,
                total.answers if total.answers is not None else withheld,
            ],
            bold=True,
        )
    )
    notes = [
        _(
            "Scale %(scale)s (%(source)s). Answers to the end-of-course surveys of "
            "%(courses)d courses of the school year, pooled."
        )
        % {"scale": part.scale, "source": part.source, "courses": part.courses},
        satisfaction_note(part.min_group),
    ]
    if part.left_out:
        notes.append(
            _("%(n)d courses with fewer than %(k)d answers in all are not counted.")
            % {"n": part.left_out, "k": part.min_group}
        )
    per_aspect.notes = notes
    # 109 mm for the first four columns; the aspects share the rest of 267 (landscape A4).
    width = max(14.0, math.floor(157 / max(1, len(part.aspects)) * 10) / 10)
    children = Table(
        _("Satisfaction in the child units"),
        [
            Column(_("Unit"), 55),
            Column(_("Answers"), 18, "int"),
            Column(_("Index"), 16, "dec"),
            Column(_("Band"), 20, "code"),
            *[Column(a.label, width, "dec", _("Mean per aspect")) for a in part.aspects],
        ],
    )
    for row in part.children:
        if not row.shown:
            cells: list[Cell] = [row.name, withheld, withheld, withheld]
            cells += [withheld for _a in part.aspects]
        else:
            cells = [
                row.name,
                row.answers,
                row.index if row.index is not None else DASH,
                row.band or DASH,
            ]
            for aspect in part.aspects:
                mean = row.means.get(aspect.code)
                cells.append(mean if mean is not None else DASH)
        children.rows.append(Row(cells))
    if part.children:
        children.notes.append(satisfaction_note(part.min_group))
    return [per_aspect, children]


def satisfaction_note(k: int) -> str:
    return _(
        "<%(k)d: fewer than %(k)d answers, or withheld so that a small group cannot be worked "
        "out by subtraction; answers are anonymous (decision 0024)."
    ) % {"k": k}


def _section_tables(section: Section, code: str) -> list[Table]:
    """A population's tables, as in sheet A.2: completion, ratings, criteria, needs."""
    return [
        completion_table(section, f"{code}.1"),
        ratings_table(section, f"{code}.2"),
        criteria_table(section),
        *needs_tables(section),
    ]


def report_sheets(data: ReportData) -> list[Sheet]:
    """The whole report as sheets of tables, in the order of the ministry's report."""
    teachers, managers = data.teachers, data.managers
    return [
        Sheet(
            "a11",
            "A.1.1",
            _("A.1.1. Completion of the evaluation"),
            [completion_table(teachers, "A.1.1")],
        ),
        Sheet("a12", "A.1.2", _("A.1.2. Overall rating"), [ratings_table(teachers, "A.1.2")]),
        Sheet(
            "criteria",
            pgettext("report sheet", "Criteria"),
            _("Level reached on each criterion"),
            [criteria_table(teachers)],
        ),
        Sheet(
            "needs",
            _("Training needs"),
            _("Training needs"),
            needs_tables(teachers),
            orientation="P",
        ),
        Sheet(
            "managers",
            pgettext("report sheet", "Managers"),
            _("A.2. School managers"),
            [
                completion_table(managers, "A.2.1"),
                ratings_table(managers, "A.2.2"),
                criteria_table(managers),
                *needs_tables(managers),
            ],
        ),
        Sheet(
            "preschool",
            pgettext("report sheet", "Preschool teachers"),
            _("A.3. Preschool teachers"),
            _section_tables(data.preschool_teachers, "A.3"),
        ),
        Sheet(
            "preschool_managers",
            pgettext("report sheet", "Preschool managers"),
            _("A.4. Preschool managers"),
            _section_tables(data.preschool_managers, "A.4"),
        ),
        Sheet(
            "staff",
            pgettext("report sheet", "Staff"),
            _("Staff in evaluated positions"),
            staff_tables(data),
        ),
        Sheet(
            "children",
            pgettext("report sheet", "Child units"),
            _("Completion in the child units"),
            [children_table(data)],
            orientation="P",
        ),
        Sheet(
            "years",
            pgettext("report sheet", "Year comparison"),
            _("Comparison with the previous school year"),
            [years_table(data)],
        ),
        *(
            [
                Sheet(
                    "satisfaction",
                    pgettext("report sheet", "Satisfaction"),
                    _("Satisfaction survey of the year's courses"),
                    satisfaction_tables(data.satisfaction),
                )
            ]
            if data.satisfaction is not None
            else []
        ),
    ]


# --- entry points ---------------------------------------------------------------------------


def renderer(fmt: str) -> Callable[[ReportData], bytes]:
    """The function that renders ``fmt`` (one of :data:`FORMATS`); ValueError for others."""
    # Local (the three below): each renderer imports this package at load time, and only the
    # format asked for is loaded (fpdf and openpyxl are heavy).
    if fmt == "pdf":
        from opentemis.reports.exports.pdf import report_pdf

        return report_pdf
    if fmt == "xlsx":
        from opentemis.reports.exports.xlsx import report_xlsx

        return report_xlsx
    if fmt == "json":
        from opentemis.reports.exports.json import report_json

        return report_json
    raise ValueError(fmt)


def render(data: ReportData, fmt: str) -> bytes:
    return renderer(fmt)(data)
