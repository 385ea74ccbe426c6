"""What a staff import reports: the counts of what it did (or would do) and the file's issues
(:class:`opentemis.core.imports.issues.Issue`, as every import reports them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from opentemis.core.imports.issues import Issue

ERROR_CAP = 500


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused file, would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transferred: int = 0
    skipped: int = 0
    rows: int = 0
    groups_created: int = 0
    errors: list[Issue] = field(default_factory=list)
    errors_truncated: bool = False
    dry_run: bool = False
    written: bool = False
    file_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_save(self) -> bool:
        """Whether confirming the file would change anything."""
        return bool(self.created or self.updated)

    @property
    def file_errors(self) -> list[Issue]:
        return [e for e in self.errors if e.row is None]

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "transferred": self.transferred,
            "skipped": self.skipped,
            "groups_created": self.groups_created,
        }
