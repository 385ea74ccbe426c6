"""Weekly snapshots of completion per unit, for progress and rank-history charts (issue 4).

``snapshot_week`` copies, for every unit with figures, its subtree's to-evaluate, self-evaluated
and finalised totals (all populations, as the report's headline: ``reports.data.totals``) from
the summary tables into :class:`CompletionSnapshot` for the week
(Monday), and ranks each unit among its siblings by completion rate (finalised / to evaluate),
equal rates sharing a rank. Run it weekly (``manage.py refresh_reports --snapshot`` from cron, or
the ``snapshot_completion`` task); running it again in the same week updates that week's row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear
from opentemis.reports.data import TOTAL_FIELDS
from opentemis.reports.models import CompletionSnapshot, EvalCell
from opentemis.reports.refresh import refresh


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def snapshot_week(school_year: SchoolYear, day: dt.date | None = None) -> int:
    """Write this week's snapshot of every unit of ``school_year``; the number of units."""
    week = monday(day or timezone.localdate())
    with system_scope():
        refresh(school_year)
        totals = (
            EvalCell.objects.filter(school_year=school_year)
            .values("unit_id", "unit_path", "parent_path")
            # The same sum as the report's headline (reports.data.totals), done by the database.
            .annotate(**{name: Sum(name) for name in TOTAL_FIELDS})
            .order_by()
        )
        rows = list(totals)
        siblings: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            siblings[row["parent_path"]].append(row)
        for group in siblings.values():
            rated = [r for r in group if r["to_evaluate"]]
            rated.sort(key=lambda r: -r["finalised"] / r["to_evaluate"])
            rank, previous = 0, None
            for i, row in enumerate(rated, start=1):
                rate = row["finalised"] / row["to_evaluate"]
                if rate != previous:
                    rank, previous = i, rate
                row["rank"] = rank
        with transaction.atomic():
            CompletionSnapshot.objects.filter(school_year=school_year, week=week).delete()
            CompletionSnapshot.objects.bulk_create(
                [
                    CompletionSnapshot(
                        school_year=school_year,
                        unit_id=row["unit_id"],
                        unit_path=row["unit_path"],
                        week=week,
                        to_evaluate=row["to_evaluate"],
                        self_evaluated=row["self_evaluated"],
                        finalised=row["finalised"],
                        rank=row.get("rank"),
                    )
                    for row in rows
                ],
                batch_size=2000,
            )
        return len(rows)
