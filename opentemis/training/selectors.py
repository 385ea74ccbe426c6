"""Reads of BDTX reference data (actor first). National reference data: any signed-in
person reads it (the "to verify" notes included, so nobody takes an unconfirmed fact as law)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from opentemis.accounts.models import User
from opentemis.orgs.models import SchoolYear
from opentemis.training.models import Catalogue, Module, Programme, Requirement, TrainingYear


def catalogues_for_year(*, actor: User, school_year: SchoolYear) -> QuerySet[Catalogue]:
    """Every catalogue version of the year, newest version first within a code."""
    return (
        Catalogue.objects.filter(school_year=school_year)
        .select_related("school_year")
        .annotate(module_count=Count("modules"))
        .order_by("code", "-version")
    )


def get_catalogue(*, actor: User, pk: int) -> Catalogue:
    """A catalogue version with its modules and their cross-walk (404 if none)."""
    queryset = Catalogue.objects.select_related("school_year").prefetch_related(
        Prefetch("modules", queryset=Module.objects.prefetch_related("crosswalk"))
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass
class RequirementSummary:
    """What a title studies in a year: each programme's hours and the total."""

    title: str
    rows: list[Requirement]

    @property
    def total(self) -> int:
        return sum(row.hours for row in self.rows)

    @property
    def by_programme(self) -> list[Requirement | None]:
        """The row of each programme, 01 to 03 (None where none is loaded)."""
        rows = {row.programme: row for row in self.rows}
        return [rows.get(programme) for programme in Programme.values]

    @property
    def rebalanceable(self) -> list[str]:
        return [row.programme for row in self.rows if row.rebalanceable]


def requirements_for(
    *, actor: User, school_year: SchoolYear, title: str = ""
) -> list[RequirementSummary]:
    """The requirements of the year per title (one title if ``title``)."""
    rows = Requirement.objects.filter(school_year=school_year)
    if title:
        rows = rows.filter(title=title)
    by_title: dict[str, list[Requirement]] = {}
    for row in rows.order_by("title", "programme"):
        by_title.setdefault(row.title, []).append(row)
    return [RequirementSummary(title=t, rows=r) for t, r in by_title.items()]


def training_year(*, actor: User, school_year: SchoolYear) -> TrainingYear | None:
    return TrainingYear.objects.filter(school_year=school_year).first()
