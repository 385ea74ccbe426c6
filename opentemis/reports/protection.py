"""Small-cell protection of the sensitive sub-columns (ethnic minority DTTS, women DTTS).

Ethnicity is sensitive personal data (Nghị định 13/2023/NĐ-CP on personal data protection,
Điều 2 khoản 4: data on race and ethnic origin). Three rules, applied to every report:

1. **Primary suppression.** A DTTS or women-DTTS figure of 1 to ``k - 1`` people is not shown
   (``None``): with 2 DTTS teachers in a school, their ratings would be theirs.
2. **Within a table.** Where parts add up to a total that is shown (the school levels to "all
   levels", the four ratings to the finalised), a single suppressed part could be recovered by
   subtraction; the next smallest non-zero part is suppressed too, or the total if there is
   none.
3. **Across reports.** A unit's figure is also the parent's figure minus its siblings'. When
   exactly one sibling's figure is suppressed, the unit whose figure is the smallest other
   non-zero one suppresses its own as well; the parent's total then hides at least two.

Totals, women and disadvantaged-area figures are not sensitive and always shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from opentemis.reports.data import Breakdown, ReportData, Section

SENSITIVE = ("dtts", "women_dtts")


def primary(value: int | None, k: int) -> bool:
    """Would ``value`` be suppressed by itself?"""
    return value is not None and 0 < value < k


def _complement(total: Breakdown | None, parts: list[Breakdown], k: int) -> None:
    for column in SENSITIVE:
        hidden = [p for p in parts if getattr(p, column) is None]
        total_shown = total is None or getattr(total, column) is not None
        if len(hidden) != 1 or not total_shown:
            continue
        candidates = [p for p in parts if getattr(p, column)]
        if candidates:
            smallest = min(candidates, key=lambda p: getattr(p, column))
            setattr(smallest, column, None)
        elif total is not None:
            setattr(total, column, None)


def _primary_all(breakdowns: Iterable[Breakdown], k: int) -> None:
    for b in breakdowns:
        for column in SENSITIVE:
            if primary(getattr(b, column), k):
                setattr(b, column, None)


def cells(data: ReportData) -> Iterator[tuple[tuple[str, ...], Breakdown]]:
    """Every Breakdown of a report with a stable address (section, table, row[, rating])."""
    for section in data.sections:
        yield from _section_cells(section)
    for table in data.staff:
        for row in table.rows:
            yield ("staff", table.dimension, row.key), row.counts


def _section_cells(section: Section) -> Iterator[tuple[tuple[str, ...], Breakdown]]:
    p = section.population
    for row in section.completion:
        for name in ("to_evaluate", "self_evaluated", "opinions", "finalised"):
            yield (p, "completion", row.level, name), getattr(row, name)
    for rrow in section.ratings:
        yield (p, "ratings", rrow.level, "finalised"), rrow.finalised
        for code, b in rrow.by_rating.items():
            yield (p, "ratings", rrow.level, code), b


def _groups(data: ReportData) -> Iterator[tuple[Breakdown | None, list[Breakdown]]]:
    """Parts that add up to a total shown in the same report."""
    for section in data.sections:
        rows = section.completion
        if rows and rows[0].level == "" and len(rows) > 1:
            for name in ("to_evaluate", "self_evaluated", "opinions", "finalised"):
                yield getattr(rows[0], name), [getattr(r, name) for r in rows[1:]]
        for rrow in section.ratings:
            yield rrow.finalised, list(rrow.by_rating.values())
        ratings = section.ratings
        if ratings and ratings[0].level == "" and len(ratings) > 1:
            yield ratings[0].finalised, [r.finalised for r in ratings[1:]]
            for code in ratings[0].by_rating:
                yield ratings[0].by_rating[code], [r.by_rating[code] for r in ratings[1:]]
    for table in data.staff:
        yield None, [row.counts for row in table.rows]


Figures = dict[tuple[str, ...], tuple[int, int]]  # address -> (DTTS, women DTTS)


def protect(data: ReportData, siblings: list[Figures] | None = None) -> ReportData:
    """Apply the three rules to ``data`` in place; ``siblings``: the unprotected (DTTS, women
    DTTS) figures of the other children of the unit's parent, by address (rule 3; see
    ``reports.selectors.sensitive_figures``)."""
    k = data.min_cell
    mine = dict(cells(data))
    if siblings:
        for address, b in mine.items():
            for index, column in enumerate(SENSITIVE):
                value = getattr(b, column)
                if not value or primary(value, k):
                    continue
                values = [o[address][index] for o in siblings if address in o]
                if sum(1 for v in values if primary(v, k)) != 1:
                    continue
                shown = [v for v in values if v and not primary(v, k)]
                # The smallest shown figure hides the other one (ties: the unit with the lower
                # id, here approximated by "not larger": both suppress, which is only safer).
                if all(value <= v for v in shown):
                    setattr(b, column, None)
    _primary_all(mine.values(), k)
    for _round in range(3):  # a suppression can make another group need one; settles quickly
        for total, parts in _groups(data):
            _complement(total, parts, k)
    return data


def protect_table(total: Breakdown | None, parts: list[Breakdown], k: int) -> None:
    """Rules 1 and 2 for a table outside :class:`ReportData` (the BDTX part): ``parts`` add up
    to ``total`` (``None``: no total shown). In place."""
    _primary_all([*parts, *([total] if total is not None else [])], k)
    for _round in range(3):
        _complement(total, parts, k)
