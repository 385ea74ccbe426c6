"""Loading a BDTX data file uploaded by an administrator: check, preview, then confirm, on the
project's import framework (:func:`opentemis.core.imports.flow.run_import`), like the framework
upload (standards/importer.py): the check reads and validates the whole file and says what each
catalogue would become; the confirmation reads the same bytes again and loads everything in one
transaction, or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opentemis.accounts.models import User
from opentemis.core.imports.flow import ImportRun, run_import
from opentemis.core.imports.issues import Issue
from opentemis.orgs.models import SchoolYear
from opentemis.training import services
from opentemis.training.files import MAX_FILE_BYTES, TrainingData, read_training_file
from opentemis.training.models import Catalogue


@dataclass
class CataloguePreview:
    code: str
    title: str
    modules: int
    to_verify: int
    outcome: str
    version: int


@dataclass
class TrainingImport:
    previews: list[CataloguePreview] = field(default_factory=list)
    requirements: int = 0
    contents: int = 0
    errors: list[Issue] = field(default_factory=list)
    errors_truncated: bool = False
    loaded: list[Catalogue] = field(default_factory=list)
    written: bool = False

    @property
    def to_save(self) -> bool:
        changes = any(p.outcome != services.Outcome.UNCHANGED for p in self.previews)
        return not self.errors and (changes or bool(self.requirements or self.contents))


def training_file_import(
    *, actor: User, school_year: SchoolYear, file: Any, dry_run: bool
) -> TrainingImport:
    """Check an uploaded BDTX file for ``school_year`` and, unless ``dry_run``, load it."""
    result = TrainingImport()

    def check(run: ImportRun) -> TrainingData:
        run.source.stream.seek(0)
        content = run.source.stream.read(MAX_FILE_BYTES + 1)
        data, issues = read_training_file(
            content,
            levels=services.level_codes(),
            province_exists=lambda code: services.province_by_code(code) is not None,
        )
        run.issues.extend(issues)
        for item in data.catalogues:
            outcome, version = services.catalogue_outcome(school_year=school_year, data=item)
            result.previews.append(
                CataloguePreview(
                    code=item["code"],
                    title=item["title"],
                    modules=len(item["modules"]),
                    to_verify=sum(1 for m in item["modules"] if m["to_verify"]),
                    outcome=outcome,
                    version=version,
                )
            )
        result.requirements = len(data.requirements)
        result.contents = len(data.contents)
        return data

    def write(data: TrainingData) -> bool:
        if not result.to_save:
            return False
        loaded = services.training_load(actor=actor, school_year=school_year, data=data)
        result.loaded = [catalogue for catalogue, _outcome in loaded.catalogues]
        return True

    outcome = run_import(file=file, check=check, write=write, dry_run=dry_run)
    result.errors = outcome.issues
    result.errors_truncated = outcome.truncated
    result.written = outcome.written
    return result
