"""The satisfaction part of the TEMIS report (issue 14 item 6; bdtx.md R14, R15): the answers
to the end-of-course surveys of the school year's courses filed in the unit's subtree, pooled,
as means per aspect with their index band, for the unit and for each child unit.

Figures come from ``surveys.selectors.year_results``, which withholds a group of fewer than the
survey's minimum of answers (5 at least, Moodle feedback's rule, bdtx.md §3), anything that
would reveal one by subtraction (a parent minus its visible children, the pooled figure minus
the other courses'), with the same decision on every page (decision 0024). Shown to those who
follow learning in the unit (``learning.view`` or ``learning.manage``, as the survey results);
``None`` for anyone else, who sees the rest of the report as before. No free text here: the
comments stay on the survey's own results page, for groups at or above the minimum.
"""

from __future__ import annotations

from opentemis.accounts.models import User
from opentemis.core.scoping import actor_scope
from opentemis.learning.access import reads_progress_on
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.reports.data import SatisfactionAspect, SatisfactionPart, SatisfactionRow
from opentemis.surveys.anonymity import HERE
from opentemis.surveys.selectors import Group, year_results


def _row(group: Group) -> SatisfactionRow:
    key = group.key
    row = SatisfactionRow(
        key=key,
        unit_id=None,
        name=group.name,
        answers=group.count if group.shown else None,
    )
    if group.shown:
        row.index = float(group.index) if group.index is not None else None
        row.band = group.band
        for aspect in group.aspects:
            code = aspect.item.code
            row.means[code] = float(aspect.mean) if aspect.mean is not None else None
            row.scored[code] = aspect.count
            row.bands[code] = aspect.band
    return row


def satisfaction_figures(*, unit: Unit, school_year: SchoolYear) -> SatisfactionPart | None:
    """The part, whoever asks (the caller checked the reader); None without any survey."""
    results = year_results(unit=unit, school_year=school_year)
    if results is None:
        return None
    paths = [g.key for g in results.groups if not g.key.endswith(HERE)]
    ids = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))  # the unit's own
    item_set = results.item_set
    part = SatisfactionPart(
        min_group=results.min_group,
        scale=f"{item_set.scale_min}-{item_set.scale_max}",
        source=item_set.scale_source,
        aspects=[SatisfactionAspect(i.code, i.aspect) for i in item_set.items],
        total=_row(results.total),
        courses=results.courses,
        left_out=results.left_out,
    )
    part.total.unit_id = unit.pk
    for group in results.groups:
        row = _row(group)
        row.unit_id = ids.get(group.key)
        part.children.append(row)
    return part


def satisfaction_part(
    *, actor: User, unit: Unit, school_year: SchoolYear
) -> SatisfactionPart | None:
    """The part for ``actor``: None unless they follow learning in the unit."""
    if not reads_progress_on(actor, unit.path):
        return None
    with actor_scope(actor):  # the unit's children, in the reader's reach
        return satisfaction_figures(unit=unit, school_year=school_year)
