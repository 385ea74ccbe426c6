"""Reads of BDTX reference data (actor first). National reference data: any signed-in
person reads it (the "to verify" notes included, so nobody takes an unconfirmed fact as law)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from opentemis.accounts.models import User
from opentemis.accounts.permissions import path_filter, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.staff.models import Person
from opentemis.standards.applicability import person_positions_levels
from opentemis.training.models import (
    Audience,
    Catalogue,
    CatalogueKind,
    Module,
    Programme,
    ProgrammeContent,
    Requirement,
    Title,
    TrainingYear,
)


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


def get_module(*, actor: User, pk: int) -> Module:
    """A module of any catalogue version, with its catalogue (404 if none)."""
    return get_object_or_404(Module.objects.select_related("catalogue__school_year"), pk=pk)


def catalogue_as_data(catalogue: Catalogue) -> dict[str, Any]:
    """A catalogue version as a file gives it (a ``files.TrainingData.catalogues`` item): what
    the export writes and what the version's content hash is taken of."""
    modules = catalogue.modules.order_by("position", "code").prefetch_related("crosswalk")
    return {
        "code": catalogue.code,
        "kind": catalogue.kind,
        "title": catalogue.title,
        "legal_ref": catalogue.legal_ref,
        "regulation_version": catalogue.regulation_version,
        "to_verify": catalogue.to_verify,
        "modules": [
            {
                "code": m.code,
                "title": m.title,
                "audience": m.audience,
                "levels": list(m.levels),
                "hours": m.hours,
                "framework": m.framework,
                "criteria": list(m.criteria),
                "contents": m.contents,
                "outcomes": m.outcomes,
                "to_verify": dict(m.to_verify),
                "crosswalk": [
                    {
                        "target_catalogue": link.target_catalogue,
                        "target_module": link.target_module,
                        "to_verify": link.to_verify,
                    }
                    for link in m.crosswalk.all()
                ],
            }
            for m in modules
        ],
    }


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


# --- the contents of programmes 01 and 02 ------------------------------------------------------


def content_provinces(*, actor: User) -> QuerySet[Unit]:
    """The provincial departments (Sở) whose programme-02 contents ``actor`` may set."""
    return Unit.objects.filter(
        path_filter(actor, Perm.MANAGE_LOCAL_CONTENTS, "path"), kind=UnitKind.DEPARTMENT
    ).order_by("path")


def get_content_province(*, actor: User, pk: int) -> Unit:
    """The Sở ``pk`` if ``actor`` may set its programme-02 contents; 404 otherwise (another
    province, or a unit that is not a Sở, is not even confirmed to exist)."""
    unit = get_object_or_404(Unit.objects.all(), pk=pk, kind=UnitKind.DEPARTMENT)
    require_perm_on(actor, Perm.MANAGE_LOCAL_CONTENTS, unit.path)
    return unit


def national_contents(*, actor: User, school_year: SchoolYear) -> QuerySet[ProgrammeContent]:
    """The programme-01 contents of the year, set by the ministry (read by everyone)."""
    return ProgrammeContent.objects.filter(
        school_year=school_year, programme=Programme.P01, unit__isnull=True
    ).order_by("code")


def local_contents(
    *, actor: User, unit: Unit, school_year: SchoolYear
) -> QuerySet[ProgrammeContent]:
    """The programme-02 contents of the year that the Sở ``unit`` set for its province."""
    require_perm_on(actor, Perm.MANAGE_LOCAL_CONTENTS, unit.path)
    return ProgrammeContent.objects.filter(
        school_year=school_year, programme=Programme.P02, unit=unit
    ).order_by("code")


def get_local_content(*, actor: User, pk: int) -> ProgrammeContent:
    """A programme-02 content of a province within ``actor``'s reach; 404 otherwise."""
    content = get_object_or_404(
        ProgrammeContent.objects.select_related("unit", "school_year"),
        pk=pk,
        programme=Programme.P02,
        unit__isnull=False,
    )
    assert content.unit is not None
    require_perm_on(actor, Perm.MANAGE_LOCAL_CONTENTS, content.unit.path)
    return content


# --- what applies to a person -----------------------------------------------------------------

LEVEL_TITLES = {"MN": Title.GV_MN, "TH": Title.GV_TH, "THCS": Title.GV_THCS, "THPT": Title.GV_THPT}


def title_of_person(person: Person) -> str | None:
    """The BDTX title ``person`` studies as: a manager (CBQL) of a preschool or of a general
    school, or a teacher of their school's first level (a TH-THCS school's teachers: TH).
    None when neither applies (no position, or a unit without a school level)."""
    positions, levels = person_positions_levels(person)
    level = levels[0]
    if positions and positions[0].is_manager and level:
        return Title.CBQL_MN if level == "MN" else Title.CBQL_PT
    if not positions:
        return None
    return LEVEL_TITLES.get(level) or (Title.GV_THPT if level == "GDTX" else None)


def audience_of(title: str) -> str:
    return Audience.CBQL if title in (Title.CBQL_MN, Title.CBQL_PT) else Audience.GV


def catalogue_for(*, school_year: SchoolYear, title: str) -> Catalogue | None:
    """The catalogue version a plan of ``title`` chooses its programme-03 modules from: the
    newest version of the year's catalogues that holds modules of the title's audience, a
    TT 17/2019 programme-03 catalogue before the others (the ETEP cascade modules serve the
    managers until their own catalogue is loaded)."""
    audience = audience_of(title)
    versions = (
        Catalogue.objects.filter(school_year=school_year, modules__audience=audience)
        .distinct()
        .order_by("code", "-version")
    )
    newest: dict[str, Catalogue] = {}
    for catalogue in versions:
        newest.setdefault(catalogue.code, catalogue)
    ranked = sorted(
        newest.values(),
        key=lambda c: (c.kind != CatalogueKind.TT17_PROGRAMME_03, c.code),
    )
    return ranked[0] if ranked else None


def contents_for(
    *, school_year: SchoolYear, title: str, province: Unit | None
) -> list[ProgrammeContent]:
    """The programme-01 contents (national) and the programme-02 contents of ``province`` that
    apply to ``title`` in the year (a content with no titles applies to everyone)."""
    rows = ProgrammeContent.objects.filter(school_year=school_year).filter(
        Q(programme=Programme.P01, unit__isnull=True) | Q(programme=Programme.P02, unit=province)
    )
    return [c for c in rows.order_by("programme", "code") if not c.titles or title in c.titles]


def requirement_hours(*, school_year: SchoolYear, title: str) -> dict[str, int]:
    """Programme -> periods a ``title`` studies in the year (empty where none is loaded)."""
    return dict(
        Requirement.objects.filter(school_year=school_year, title=title).values_list(
            "programme", "hours"
        )
    )
