"""Reads for the standards pages: upload previews, the year's grid, evaluator rules.

Frameworks, their applications and evaluator rules are national configuration (not
org-scoped); the pages that show these are for system administrators only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch
from django.utils.translation import gettext as _

from opentemis.orgs.models import SchoolLevel, SchoolYear
from opentemis.staff.models import Position
from opentemis.standards.models import Framework, FrameworkApplication
from opentemis.standards.rules import Level
from opentemis.standards.services import (
    _criteria_of,
    content_hash,
    framework_application_in_use,
    framework_is_complete,
    validate_framework_data,
)


def latest_frameworks() -> list[Framework]:
    """The newest version of every framework code."""
    latest = Framework.objects.values("code").annotate(v=Max("version"))
    wanted = {(row["code"], row["v"]) for row in latest}
    return [fw for fw in Framework.objects.all() if (fw.code, fw.version) in wanted]


# ---------------------------------------------------------------------------------------------
# Upload preview
# ---------------------------------------------------------------------------------------------


@dataclass
class FrameworkPreview:
    """What loading one framework of an uploaded file would do."""

    data: dict[str, Any]
    code: str = ""
    title: str = ""
    version: int | None = None  # the version it will become (or stays, if unchanged)
    unchanged: bool = False
    latest: Framework | None = None
    standards_count: int = 0
    criteria_count: int = 0
    key_criteria: list[int] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    complete: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def framework_preview(*, frameworks: list[dict[str, Any]]) -> list[FrameworkPreview]:
    """Validate each framework of a file and say which version it would become."""
    previews = []
    codes: set[str] = set()
    for data in frameworks:
        preview = FrameworkPreview(data=data)
        try:
            validate_framework_data(data)
        except ValidationError as exc:
            preview.errors = list(exc.messages)
        code = data.get("code") if isinstance(data, dict) else None
        preview.code = code if isinstance(code, str) else ""
        preview.title = str(data.get("title_vi") or "") if isinstance(data, dict) else ""
        if preview.code in codes:
            preview.errors.append(
                _("The file holds %(code)s twice.") % {"code": preview.code or "?"}
            )
        codes.add(preview.code)
        if preview.ok:
            _describe(preview)
        previews.append(preview)
    return previews


def _describe(preview: FrameworkPreview) -> None:
    data = preview.data
    criteria = _criteria_of(data)
    preview.standards_count = len(criteria)
    preview.criteria_count = sum(len(c) for _s, c in criteria)
    rules = data.get("rating_rules") or {}
    preview.key_criteria = sorted(rules.get("key_criteria") or [])
    preview.rules = rule_lines(rules)
    preview.complete = framework_is_complete(data)
    latest = Framework.objects.filter(code=preview.code).order_by("-version").first()
    preview.latest = latest
    if latest is not None and latest.content_hash == content_hash(data):
        preview.unchanged, preview.version = True, latest.version
    else:
        preview.version = latest.version + 1 if latest else 1


def _level(code: str) -> str:
    return Level.from_code(code).label


def rule_lines(rules: dict[str, Any]) -> list[str]:
    """The rating rules as sentences, in the order they are checked."""
    lines = []
    for rule in sorted(rules.get("rules") or [], key=lambda r: int(r["order"])):
        conditions = []
        every = rule.get("all_at_least") or rule.get("none_below")
        if every:
            conditions.append(_("every criterion at least %(level)s") % {"level": _level(every)})
        if mf := rule.get("min_fraction_at_least"):
            conditions.append(
                _("at least %(fraction)s of the criteria at %(level)s or above")
                % {"fraction": mf["fraction"], "level": _level(mf["level"])}
            )
        if key := rule.get("key_criteria_at_least"):
            conditions.append(
                _("criteria %(numbers)s at least %(level)s")
                % {
                    "numbers": ", ".join(str(n) for n in key["criteria"]),
                    "level": _level(key["level"]),
                }
            )
        if mb := rule.get("max_fraction_below"):
            conditions.append(
                _("at most %(fraction)s of the criteria below %(level)s")
                % {"fraction": mb["fraction"], "level": _level(mb["level"])}
            )
        lines.append(
            _("%(result)s if %(conditions)s")
            % {"result": _level(rule["result"]), "conditions": "; ".join(conditions) or "—"}
        )
    if lines:
        lines.append(
            _("otherwise %(result)s")
            % {"result": _level(rules.get("fallback") or Level.CHUA_DAT.code)}
        )
    return lines


# ---------------------------------------------------------------------------------------------
# A school year's configuration
# ---------------------------------------------------------------------------------------------


@dataclass
class YearGrid:
    """Positions x school levels of a year, with the framework that applies in each cell."""

    positions: list[Position]
    levels: list[SchoolLevel]
    rows: list[tuple[Position, list[Framework | None]]]
    applications: list[tuple[FrameworkApplication, bool]]  # (application, in use)


def year_grid(*, school_year: SchoolYear) -> YearGrid:
    positions = list(Position.objects.all())
    levels = list(SchoolLevel.objects.all())
    applications = list(
        FrameworkApplication.objects.filter(school_year=school_year)
        .select_related("framework", "school_year")
        .prefetch_related(
            Prefetch("positions", queryset=Position.objects.only("code")),
            Prefetch("levels", queryset=SchoolLevel.objects.only("code")),
        )
    )
    cells: dict[tuple[str, str], Framework] = {}
    for application in applications:
        for position in application.positions.all():
            for level in application.levels.all():
                cells.setdefault((position.code, level.code), application.framework)
    rows = [(p, [cells.get((p.code, lvl.code)) for lvl in levels]) for p in positions]
    return YearGrid(
        positions=positions,
        levels=levels,
        rows=rows,
        applications=[(a, framework_application_in_use(a)) for a in applications],
    )


def framework_as_data(framework: Framework) -> dict[str, Any]:
    """A stored version as the dict of the file formats (to edit it into a new version)."""
    data: dict[str, Any] = {"code": framework.code, "title_vi": framework.title_vi}
    for key in ("title_en", "legal_ref", "subject"):
        if getattr(framework, key):
            data[key] = getattr(framework, key)
    standards = []
    for standard in framework.standards.prefetch_related("criteria"):
        item: dict[str, Any] = {"number": standard.number, "name": standard.name}
        if standard.article:
            item["article"] = standard.article
        if standard.description:
            item["description"] = standard.description
        item["criteria"] = []
        for criterion in standard.criteria.all():
            entry: dict[str, Any] = {"number": criterion.number, "name": criterion.name}
            if criterion.descriptors:
                entry["descriptors"] = dict(criterion.descriptors)
            if not criterion.verified:
                entry["verification"] = "UNVERIFIED"
            item["criteria"].append(entry)
        standards.append(item)
    data["standards"] = standards
    if framework.rules:
        data["rating_rules"] = dict(framework.rules)
    return data
