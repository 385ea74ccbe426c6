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
from opentemis.reports.models import CompletionSnapshot, EvalCell
from opentemis.reports.refresh import refresh


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def snapshot_week(school_year: SchoolYear, day: dt.date | None = None) -> int:
    """Write this week's snapshot of every unit of ``school_year``; the number of units."""
    week = monday(day or timezone.localdate())
    with system_scope():
        refresh(school_year)
        # The same sums as the report's headline (reports.data.totals: TOTAL_FIELDS), done by
        # the database.
        rows = list(
            EvalCell.objects.filter(school_year=school_year)
            .values("unit_id", "unit_path", "parent_path")
            .annotate(
                to_evaluate=Sum("to_evaluate"),
                self_evaluated=Sum("self_evaluated"),
                finalised=Sum("finalised"),
            )
            .order_by()
        )
        siblings: dict[str, list[tuple[int, float]]] = defaultdict(list)  # (unit id, rate)
        for row in rows:
            if row["to_evaluate"]:
                rate = row["finalised"] / row["to_evaluate"]
                siblings[row["parent_path"]].append((row["unit_id"], rate))
        ranks: dict[int, int] = {}  # unit id -> rank among its siblings (equal rates share)
        for group in siblings.values():
            group.sort(key=lambda unit_rate: -unit_rate[1])
            rank, previous = 0, None
            for i, (unit_id, rate) in enumerate(group, start=1):
                if rate != previous:
                    rank, previous = i, rate
                ranks[unit_id] = rank
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
                        rank=ranks.get(row["unit_id"]),
                    )
                    for row in rows
                ],
                batch_size=2000,
            )
        return len(rows)
