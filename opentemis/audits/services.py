"""The auditor's one recorded act: drawing a random sample of completions (issue 14 item 7).

Drawing changes no data; it is recorded in the audit log (who, which unit, year and course, the
seed, the size asked, the population's size and the ids drawn) so that anyone can draw the same
sample again and see that it was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.audits import sampling, selectors
from opentemis.audits.selectors import CompletionEvidence
from opentemis.learning.models import Course
from opentemis.orgs.models import SchoolYear, Unit


@dataclass
class Sample:
    unit: Unit
    school_year: SchoolYear
    course: Course | None
    seed: int
    size: int | None
    share: Decimal | None
    population: int
    rows: list[CompletionEvidence]


@transaction.atomic
def sample_draw(
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    seed: int,
    size: int | None = None,
    share: Decimal | None = None,
    course: Course | None = None,
    export: bool = False,
) -> Sample:
    """Draw ``size`` completions (or ``share`` percent of them) of ``unit``'s subtree with
    ``seed``, with the evidence behind each, and record the draw (``export``: for the Excel
    file). 404 outside the actor's reach (``selectors.completions``)."""
    qs = selectors.completions(
        actor=actor,
        unit=unit,
        school_year=school_year,
        course_id=course.pk if course is not None else None,
    )
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    count = sampling.sample_size(len(ids), size=size, share=share)
    drawn = sampling.draw(ids, count=count, seed=seed)
    found = {e.pk: e for e in qs.filter(pk__in=drawn)}
    rows = selectors.evidence_of([found[pk] for pk in drawn if pk in found])
    changes = {
        "year": school_year.code,
        "seed": seed,
        "size": size,
        "share": str(share) if share is not None else None,
        "population": len(ids),
        "drawn": len(drawn),
        "ids": drawn,
    }
    if export:
        audit(actor=actor, action="audits.sample_export", unit=unit, obj=course, changes=changes)
    else:
        audit(actor=actor, action="audits.sample_draw", unit=unit, obj=course, changes=changes)
    return Sample(
        unit=unit,
        school_year=school_year,
        course=course,
        seed=seed,
        size=size,
        share=share,
        population=len(ids),
        rows=rows,
    )
