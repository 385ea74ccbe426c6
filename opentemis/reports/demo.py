"""Demo data for the TEMIS report: last school year's finished evaluation, and the summaries.

The demo province gets a finished cycle for the previous school year in which 96 % of its
teachers and managers were finalised (so the report compares two years), then both years'
summaries are built and this week's completion snapshot is taken.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.evaluations import services
from opentemis.evaluations.demo import DemoFrameworks, _levels, _review
from opentemis.evaluations.models import (
    Cycle,
    CycleStatus,
    Evaluation,
    Status,
    TrainingNeed,
)
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import current_school_year
from opentemis.reports.refresh import rebuild
from opentemis.reports.snapshots import snapshot_week
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.standards.services import framework_apply_defaults


def previous_year(current: SchoolYear) -> SchoolYear:
    start = current.start_date.replace(year=current.start_date.year - 1)
    end = current.end_date.replace(year=current.end_date.year - 1)
    code = f"{start.year}-{start.year + 1}"
    year, _ = SchoolYear.objects.get_or_create(
        code=code, defaults={"start_date": start, "end_date": end, "is_current": False}
    )
    return year


def seed_previous_year(*, officer: User, province: Unit, seed: int) -> Cycle | None:
    """A finished cycle of last year over ``province`` (once)."""
    current = current_school_year()
    if current is None:
        return None
    year = previous_year(current)
    if Cycle.objects.filter(school_year=year, unit=province).exists():
        return None
    cycle: Cycle = Cycle.objects.create(
        school_year=year,
        unit=province,
        unit_path=province.path,
        name=f"Đánh giá chuẩn nghề nghiệp năm học {year.code}",
        self_due=year.end_date - dt.timedelta(days=30),
        opinions_due=year.end_date - dt.timedelta(days=20),
        review_due=year.end_date - dt.timedelta(days=10),
        status=CycleStatus.FINISHED,
        opened_by=officer,
        finished_at=timezone.now() - dt.timedelta(days=150),
    )
    rng = random.Random(seed + 1)  # noqa: S311 - demo data, not secrets
    # Last year's frameworks: the defaults (TT 20/14, and TT 26/25 for preschool people).
    framework_apply_defaults(school_year=year)
    frameworks = DemoFrameworks(cycle)
    finished = timezone.make_aware(dt.datetime.combine(cycle.review_due, dt.time(10)))
    rows = []
    for person in (
        Person.objects.filter(
            unit_path__startswith=province.path,
            employment_status=EmploymentStatus.WORKING,
            positions__code__in=["GV", "TTCM", "TPCM", "HT", "PHT"],
        )
        .distinct()
        .select_related("unit")
        .prefetch_related("positions", "unit__levels")
    ):
        if rng.random() > 0.96:
            continue  # not evaluated that year (joined later, leave)
        found = frameworks.of(person)
        if found is None:
            continue
        framework, kind, n, keys = found
        levels = _levels(rng, n, keys)
        review = _review(rng, levels)
        rows.append(
            Evaluation(
                cycle=cycle,
                person=person,
                framework=framework,
                kind=kind,
                unit_id=person.unit_id,
                unit_path=person.unit_path,
                status=Status.ACKNOWLEDGED,
                self_levels=levels,
                self_rating=services.rate_levels(framework, levels).level.code,
                submitted_at=finished - dt.timedelta(days=20),
                review_levels=review,
                final_rating=services.rate_levels(framework, review).level.code,
                finalised_at=finished,
                acknowledged_at=finished,
            )
        )
    Evaluation.objects.bulk_create(rows, batch_size=500)
    TrainingNeed.objects.bulk_create(
        [
            TrainingNeed(evaluation=e, criterion=c, reason=reason, modules=modules)
            for e in Evaluation.objects.filter(cycle=cycle).select_related("framework")
            for c, reason, modules in services.training_needs_of(e)
        ],
        batch_size=1000,
    )
    return cycle


def build_demo_reports() -> None:
    """Both years' summaries and this week's snapshot."""
    current = current_school_year()
    if current is None:
        return
    rebuild(previous_year(current))
    rebuild(current)
    snapshot_week(current)
