"""Every write of BDTX reference data (decision 0017): keyword-only, atomic, audited.

A locked catalogue version is never written again: :func:`require_draft` refuses, and a change
becomes a new draft version (:func:`catalogue_new_version`, or an upload of changed data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, QuerySet
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit, UnitKind
from opentemis.training.files import MAX_HOURS, MODULE_FIELDS, TrainingData, read_training_file
from opentemis.training.models import (
    Catalogue,
    CatalogueStatus,
    CrossWalk,
    Module,
    Programme,
    ProgrammeContent,
    Requirement,
    Title,
    TrainingYear,
)
from opentemis.training.selectors import catalogue_as_data

BUILTIN_FILE = Path(__file__).resolve().parent / "data" / "catalogues.yaml"
MODULE_COPIED = (
    "position",
    "code",
    "title",
    "audience",
    "levels",
    "hours",
    "framework",
    "criteria",
    "contents",
    "outcomes",
    "to_verify",
)


class Outcome:
    NEW = "new"
    NEW_VERSION = "new_version"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


@dataclass
class LoadResult:
    catalogues: list[tuple[Catalogue, str]]
    requirements: int
    contents: int
    changed: bool


def in_school_year(month_day: str, school_year: SchoolYear) -> dt.date:
    """The date of ``MM-DD`` that falls within ``school_year`` (05-31 of 2025-2026: 2026-05-31)."""
    for year in (school_year.start_date.year, school_year.end_date.year):
        day = dt.date.fromisoformat(f"{year}-{month_day}")
        if school_year.start_date <= day <= school_year.end_date:
            return day
    return dt.date.fromisoformat(f"{school_year.end_date.year}-{month_day}")


def _year_fields(year: dict[str, Any], school_year: SchoolYear) -> dict[str, Any]:
    """A file's ``year`` section as TrainingYear fields (dates placed in the school year;
    what the file leaves out keeps the model's default)."""
    fields = {k: v for k, v in year.items() if v not in (None, "", {})}
    for key in ("plan_due", "school_plan_due"):
        fields[key] = in_school_year(fields[key], school_year) if key in fields else None
    return fields


def require_content_free(content: ProgrammeContent) -> None:
    """Refuse to change or remove a content that a submitted plan uses: add a new one."""
    if content.locked:
        raise ValidationError(
            _(
                "The content %(code)s is in submitted plans and no longer changes: add a new "
                "content instead."
            )
            % {"code": content.code}
        )


def mark_in_use(
    *, actor: User, catalogue: Catalogue | None, contents: Iterable[int] | QuerySet[Any]
) -> None:
    """What a submitted plan uses never changes again: lock its catalogue version (audited
    once, when it happens) and its programme contents (ids, or a query of them: one UPDATE).
    Called by the plans app."""
    if catalogue is not None and not catalogue.is_locked:
        locked = Catalogue.objects.filter(pk=catalogue.pk, status=CatalogueStatus.DRAFT).update(
            status=CatalogueStatus.LOCKED
        )
        if locked:
            catalogue.status = CatalogueStatus.LOCKED
            audit(actor=actor, action="training.catalogue_in_use", obj=catalogue)
    ProgrammeContent.objects.filter(pk__in=contents, locked=False).update(locked=True)


def require_draft(catalogue: Catalogue) -> None:
    """Refuse any write to a locked version (it may be used by plans): make a new version."""
    if catalogue.is_locked:
        raise ValidationError(
            _(
                "%(code)s version %(version)s is locked and never changes: create a new "
                "version to change it."
            )
            % {"code": catalogue.code, "version": catalogue.version}
        )


def catalogue_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def level_codes() -> set[str]:
    return set(SchoolLevel.objects.values_list("code", flat=True))


def catalogue_outcome(*, school_year: SchoolYear, data: dict[str, Any]) -> tuple[str, int]:
    """What loading ``data`` into ``school_year`` would do, and the version it would be."""
    latest = (
        Catalogue.objects.filter(school_year=school_year, code=data["code"])
        .order_by("-version")
        .first()
    )
    if latest is None:
        return Outcome.NEW, 1
    if latest.content_hash == catalogue_hash(data):
        return Outcome.UNCHANGED, latest.version
    if latest.is_locked:
        return Outcome.NEW_VERSION, latest.version + 1
    return Outcome.REPLACED, latest.version


def _write_modules(catalogue: Catalogue, modules: list[dict[str, Any]]) -> None:
    require_draft(catalogue)
    catalogue.modules.all().delete()
    for position, data in enumerate(modules, start=1):
        module = Module.objects.create(
            catalogue=catalogue,
            position=position,
            **{k: v for k, v in data.items() if k in MODULE_COPIED and k != "position"},
        )
        CrossWalk.objects.bulk_create(
            CrossWalk(module=module, **link) for link in data.get("crosswalk", [])
        )


@transaction.atomic
def catalogue_load(
    *, actor: User | None, school_year: SchoolYear, data: dict[str, Any]
) -> tuple[Catalogue, str]:
    """Load one checked catalogue (``files.TrainingData.catalogues`` item): unchanged data
    writes nothing; a draft latest version is replaced in place; a locked one gets a new
    version."""
    outcome, version = catalogue_outcome(school_year=school_year, data=data)
    fields = {
        "kind": data["kind"],
        "title": data["title"],
        "legal_ref": data["legal_ref"],
        "regulation_version": data["regulation_version"],
        "to_verify": data["to_verify"],
        "content_hash": catalogue_hash(data),
    }
    if outcome == Outcome.UNCHANGED:
        return Catalogue.objects.get(school_year=school_year, code=data["code"], version=version), (
            outcome
        )
    if outcome == Outcome.REPLACED:
        catalogue = Catalogue.objects.select_for_update().get(
            school_year=school_year, code=data["code"], version=version
        )
        require_draft(catalogue)
        for name, value in fields.items():
            setattr(catalogue, name, value)
        catalogue.save()
    else:
        catalogue = Catalogue.objects.create(
            school_year=school_year, code=data["code"], version=version, **fields
        )
    _write_modules(catalogue, data["modules"])
    audit(
        actor=actor,
        action="training.catalogue_load",
        obj=catalogue,
        changes={"version": catalogue.version, "year": school_year.code},
    )
    return catalogue, outcome


@transaction.atomic
def training_load(*, actor: User | None, school_year: SchoolYear, data: TrainingData) -> LoadResult:
    """Load a checked file into ``school_year``: the year's rules, the requirements, each
    catalogue (:func:`catalogue_load`) and the programme contents, all or nothing."""
    changed = False
    if data.year is not None:
        TrainingYear.objects.update_or_create(
            school_year=school_year,
            defaults={
                **_year_fields(data.year, school_year),
                "regulation_version": data.regulation_version,
            },
        )
        changed = True
    for row in data.requirements:
        Requirement.objects.update_or_create(
            school_year=school_year,
            title=row["title"],
            programme=row["programme"],
            defaults={
                **{k: v for k, v in row.items() if k not in ("title", "programme")},
                "regulation_version": data.regulation_version,
            },
        )
    if data.requirements:
        audit(
            actor=actor,
            action="training.requirements_load",
            obj=school_year,
            changes={"count": len(data.requirements)},
        )
    catalogues = [
        catalogue_load(actor=actor, school_year=school_year, data=item) for item in data.catalogues
    ]
    for row in data.contents:
        unit = province_by_code(row["unit"]) if row["unit"] else None
        if row["unit"] and unit is None:
            raise ValidationError(province_problem(row["unit"]))
        ProgrammeContent.objects.update_or_create(
            school_year=school_year,
            programme=row["programme"],
            unit=unit,
            code=row["code"],
            defaults={k: v for k, v in row.items() if k not in ("programme", "unit", "code")},
        )
    changed = changed or bool(data.requirements or data.contents)
    changed = changed or any(outcome != Outcome.UNCHANGED for _c, outcome in catalogues)
    return LoadResult(
        catalogues=catalogues,
        requirements=len(data.requirements),
        contents=len(data.contents),
        changed=changed,
    )


def province_by_code(code: str) -> Unit | None:
    """The provincial department (Sở) with ``code``: programme 02 is set per province."""
    return Unit.objects.filter(code=code, kind=UnitKind.DEPARTMENT).first()


def province_problem(code: str) -> str:
    return _("No provincial department (Sở) has the code %(code)s.") % {"code": code}


def load_builtin_catalogues(*, school_year: SchoolYear) -> LoadResult:
    """The shipped data (``training/data/catalogues.yaml``) in ``school_year``: idempotent."""
    data, issues = read_training_file(BUILTIN_FILE.read_bytes(), levels=level_codes())
    if issues:
        raise ValidationError([issue.message for issue in issues])
    return training_load(actor=None, school_year=school_year, data=data)


@transaction.atomic
def catalogue_lock(*, actor: User, catalogue: Catalogue) -> Catalogue:
    """Lock a draft version: from now on it never changes."""
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    require_draft(catalogue)
    catalogue.status = CatalogueStatus.LOCKED
    catalogue.save(update_fields=["status"])
    audit(actor=actor, action="training.catalogue_lock", obj=catalogue)
    return catalogue


@transaction.atomic
def catalogue_new_version(*, actor: User, catalogue: Catalogue) -> Catalogue:
    """A new draft version copied from the locked ``catalogue`` (modules and cross-walk), to
    be changed instead of it. Refused while a newer draft of the same catalogue exists."""
    if not catalogue.is_locked:
        raise ValidationError(_("Only a locked version is copied: a draft can be changed."))
    siblings = Catalogue.objects.select_for_update().filter(
        school_year=catalogue.school_year, code=catalogue.code
    )
    if siblings.filter(status=CatalogueStatus.DRAFT).exists():
        raise ValidationError(_("A draft version of this catalogue already exists."))
    latest = siblings.aggregate(latest=Max("version"))["latest"] or catalogue.version
    copy = Catalogue.objects.create(
        school_year=catalogue.school_year,
        code=catalogue.code,
        version=latest + 1,
        kind=catalogue.kind,
        title=catalogue.title,
        legal_ref=catalogue.legal_ref,
        regulation_version=catalogue.regulation_version,
        to_verify=catalogue.to_verify,
        content_hash=catalogue.content_hash,
        based_on=catalogue,
    )
    for module in catalogue.modules.prefetch_related("crosswalk"):
        new = Module.objects.create(
            catalogue=copy, **{name: getattr(module, name) for name in MODULE_COPIED}
        )
        CrossWalk.objects.bulk_create(
            CrossWalk(
                module=new,
                target_catalogue=link.target_catalogue,
                target_module=link.target_module,
                to_verify=link.to_verify,
            )
            for link in module.crosswalk.all()
        )
    audit(
        actor=actor,
        action="training.catalogue_new_version",
        obj=copy,
        changes={"version": copy.version, "based_on": catalogue.version},
    )
    return copy


def _check_module_fields(fields: dict[str, Any], module: Module) -> None:
    """What the file check asks of a module's fields (files._Checker.module), for a change
    made on the pages: known school levels, criterion numbers with their framework, notes
    about known fields. Errors are keyed by field."""
    errors: dict[str, str] = {}
    if "levels" in fields:
        levels = fields["levels"]
        if not isinstance(levels, list) or not set(levels) <= level_codes():
            errors["levels"] = _("must be a list of school levels among %(known)s.") % {
                "known": ", ".join(sorted(level_codes()))
            }
    if "criteria" in fields:
        criteria = fields["criteria"]
        if not isinstance(criteria, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) and 0 < c < 100 for c in criteria
        ):
            errors["criteria"] = _("must be a list of criterion numbers.")
    if "hours" in fields and fields["hours"] is not None:
        hours = fields["hours"]
        if isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= MAX_HOURS:
            errors["hours"] = _(
                "must be a whole number of periods from 1 to %(max)s, or empty if unknown."
            ) % {"max": MAX_HOURS}
    criteria = fields.get("criteria", module.criteria)
    framework = fields.get("framework", module.framework)
    if criteria and not framework and "criteria" not in errors:
        errors["framework"] = _("is required when criteria are given (e.g. TT20_2018_GVPT).")
    if "to_verify" in fields:
        notes = fields["to_verify"]
        if not isinstance(notes, dict) or not all(
            key in MODULE_FIELDS and isinstance(note, str) for key, note in notes.items()
        ):
            errors["to_verify"] = _("must map fields (%(fields)s) to a note.") % {
                "fields": ", ".join(MODULE_FIELDS)
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def module_update(*, actor: User, module: Module, fields: dict[str, Any]) -> Module:
    """Change fields of a module of a draft version; a locked version refuses. The version's
    content hash follows its data, so that uploading the same data again changes nothing."""
    module = Module.objects.select_for_update().select_related("catalogue").get(pk=module.pk)
    require_draft(module.catalogue)
    unknown = set(fields) - set(MODULE_COPIED)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    _check_module_fields(fields, module)
    for name, value in fields.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    catalogue = module.catalogue
    catalogue.content_hash = catalogue_hash(catalogue_as_data(catalogue))
    catalogue.save(update_fields=["content_hash"])
    audit(actor=actor, action="training.module_update", obj=module, changes=dict(fields))
    return module


# --- a Sở's programme-02 contents ---------------------------------------------------------------

CONTENT_FIELDS = ("code", "title", "titles", "hours", "description")


def _require_province(actor: User, unit: Unit) -> None:
    """Programme 02 is set by a Sở for its own province (TT 17/2019 §IV.2): 404 elsewhere."""
    if unit.kind != UnitKind.DEPARTMENT:
        raise ValidationError(_("Only a provincial department (Sở) sets programme-02 contents."))
    require_perm_on(actor, Perm.MANAGE_LOCAL_CONTENTS, unit.path)


def _clean_content(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = dict(fields)
    if "code" in cleaned:
        cleaned["code"] = str(cleaned["code"]).strip()
    if "title" in cleaned:
        cleaned["title"] = str(cleaned["title"]).strip()
    if "titles" in cleaned:
        titles = list(cleaned["titles"] or [])
        if set(titles) - set(Title.values):
            raise ValidationError(_("Unknown teacher title."))
        cleaned["titles"] = [t for t in Title.values if t in titles]
    return cleaned


def _save_content(content: ProgrammeContent) -> None:
    duplicate = ProgrammeContent.objects.filter(
        school_year=content.school_year,
        programme=content.programme,
        unit=content.unit,
        code=content.code,
    ).exclude(pk=content.pk)
    if duplicate.exists():
        raise ValidationError(
            _("A content with the code %(code)s already exists this year.") % {"code": content.code}
        )
    content.full_clean(validate_constraints=False)
    content.save()


@transaction.atomic
def local_content_add(
    *, actor: User, unit: Unit, school_year: SchoolYear, fields: dict[str, Any]
) -> ProgrammeContent:
    """Add a programme-02 content of ``unit`` (a Sở within ``actor``'s reach) to the year."""
    _require_province(actor, unit)
    content = ProgrammeContent(
        school_year=school_year, programme=Programme.P02, unit=unit, **_clean_content(fields)
    )
    _save_content(content)
    audit(
        actor=actor,
        action="training.content_add",
        obj=content,
        unit=unit,
        changes={name: getattr(content, name) for name in CONTENT_FIELDS},
    )
    return content


@transaction.atomic
def local_content_update(
    *, actor: User, content: ProgrammeContent, fields: dict[str, Any]
) -> ProgrammeContent:
    """Change a programme-02 content of a province within ``actor``'s reach."""
    content = (
        # of=self: the unit is a nullable join (national contents have none), which
        # PostgreSQL will not lock.
        ProgrammeContent.objects.select_for_update(of=("self",))
        .select_related("unit", "school_year")
        .get(pk=content.pk)
    )
    if content.unit is None or content.programme != Programme.P02:
        raise ValidationError(_("Only programme-02 contents of a province are changed here."))
    _require_province(actor, content.unit)
    require_content_free(content)
    for name, value in _clean_content(fields).items():
        setattr(content, name, value)
    _save_content(content)
    audit(
        actor=actor,
        action="training.content_update",
        obj=content,
        unit=content.unit,
        changes=dict(fields),
    )
    return content


@transaction.atomic
def local_content_delete(*, actor: User, content: ProgrammeContent) -> None:
    """Remove a programme-02 content of a province within ``actor``'s reach."""
    content = (
        ProgrammeContent.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=content.pk)
    )
    if content.unit is None or content.programme != Programme.P02:
        raise ValidationError(_("Only programme-02 contents of a province are changed here."))
    _require_province(actor, content.unit)
    require_content_free(content)
    audit(
        actor=actor,
        action="training.content_delete",
        obj=content,
        unit=content.unit,
        changes={"code": content.code, "title": content.title},
    )
    try:
        content.delete()
    except ProtectedError:  # in personal plans being drafted (plans.PlanItem.content)
        raise ValidationError(
            _(
                "The content %(code)s is in personal plans: it can no longer be removed. "
                "Change it instead."
            )
            % {"code": content.code}
        ) from None
