"""Loading a framework file (YAML or xlsx) uploaded by an administrator: check, then confirm.

The framework upload runs on the project's import framework
(:func:`opentemis.core.imports.flow.run_import`), like the staff and paper imports: the check
reads the file (:func:`~opentemis.standards.files.read_framework_file`: an xlsx through the one
safe reader) and previews each framework (which version it would become); the confirmation
reads the same file again and loads every framework in one transaction, or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opentemis.accounts.models import User
from opentemis.core.imports.flow import ImportRun, run_import
from opentemis.core.imports.issues import Issue
from opentemis.standards import selectors, services
from opentemis.standards.files import FrameworkFileError, read_framework_file
from opentemis.standards.models import Framework
from opentemis.standards.selectors import FrameworkPreview


@dataclass
class FrameworkImport:
    """What a framework file would load (``previews``) or loaded (``loaded``), and its issues.

    ``errors`` are the file's issues (it cannot be read); a framework that can be read but not
    loaded says why in its preview's ``errors``.
    """

    previews: list[FrameworkPreview] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    errors_truncated: bool = False
    loaded: list[Framework] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and all(p.ok for p in self.previews)

    @property
    def to_save(self) -> bool:
        """Whether confirming would load anything: every framework valid, one of them new."""
        return self.ok and bool(self.previews) and not all(p.unchanged for p in self.previews)


def framework_file_import(*, actor: User, file: Any, dry_run: bool) -> FrameworkImport:
    """Check an uploaded framework file and, unless ``dry_run``, load it: every framework of
    the file or none. Loading (:func:`~opentemis.standards.services.framework_upload`) is for
    system administrators; a refusal is its ``ValidationError``."""
    result = FrameworkImport(dry_run=dry_run)

    def check(run: ImportRun) -> list[dict[str, Any]]:
        try:
            frameworks = read_framework_file(run.source.stream, run.source.name)
        except FrameworkFileError as exc:
            run.issues.extend(exc.issues, truncated=exc.truncated)
            return []
        result.previews = selectors.framework_preview(frameworks=frameworks)
        return frameworks

    def write(frameworks: list[dict[str, Any]]) -> bool:
        if not result.to_save:
            return False
        result.loaded = services.framework_upload(actor=actor, frameworks=frameworks)
        return True

    outcome = run_import(file=file, check=check, write=write, dry_run=dry_run)
    result.errors = outcome.issues
    result.errors_truncated = outcome.truncated
    result.written = outcome.written
    return result
