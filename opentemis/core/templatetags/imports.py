"""``{% import_issues issues truncated %}``: the issues of an uploaded file, as every import
page shows them (``imports/_issues.html``): problems with the whole file as sentences, then a
table of the located ones (sheet when the import reads several, row, column header and
letter, problem)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from opentemis.core.imports.issues import Issue

register = template.Library()


@register.inclusion_tag("imports/_issues.html")
def import_issues(issues: Iterable[Issue], truncated: bool = False) -> dict[str, Any]:
    items = list(issues or ())
    located = [issue for issue in items if issue.located]
    return {
        "file_issues": [issue for issue in items if not issue.located],
        "located": located,
        "sheets": any(issue.sheet for issue in located),
        "truncated": truncated,
    }
