"""Loading frameworks from data: validated, versioned, never changing a locked version."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opentemis.standards.models import Criterion, Framework, Standard
from opentemis.standards.rules import RuleSet


def _verified(value: Any) -> bool:
    return not str(value or "").upper().startswith("UNVERIFIED")


def _criteria_of(data: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    standards = data.get("standards")
    if not isinstance(standards, list):
        return []
    result = []
    for standard in standards:
        criteria = standard.get("criteria")
        result.append((standard, criteria if isinstance(criteria, list) else []))
    return result


def validate_framework_data(data: dict[str, Any]) -> None:
    """Refuse data that could not be rated consistently; messages say what to fix."""
    if not data.get("code") or not data.get("title_vi"):
        raise ValidationError(_("A framework needs a code and a Vietnamese title."))
    numbers = [c["number"] for _s, criteria in _criteria_of(data) for c in criteria]
    if len(numbers) != len(set(numbers)):
        raise ValidationError(_("Criterion numbers must be unique within a framework."))
    rules = data.get("rating_rules") or {}
    if rules.get("rules"):
        try:
            RuleSet.from_data(numbers, rules)
        except (KeyError, ValueError, TypeError) as exc:
            raise ValidationError(
                _("The rating rules cannot be read: %(error)s") % {"error": exc}
            ) from exc
        # Criteria not yet known (e.g. TT 25/2018 in the research data): nothing to check the
        # rules against; the framework loads as incomplete and cannot be used for a cycle.
        for rule in rules["rules"] if numbers else []:
            key = rule.get("key_criteria_at_least") or {}
            unknown = set(key.get("criteria", [])) - set(numbers)
            if unknown:
                raise ValidationError(
                    _("The rules name criteria that do not exist: %(numbers)s")
                    % {"numbers": ", ".join(str(n) for n in sorted(unknown))}
                )


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def framework_load(*, data: dict[str, Any], source: str = "builtin") -> Framework:
    """Store ``data`` as the newest version of its framework; unchanged data changes nothing."""
    validate_framework_data(data)
    digest = content_hash(data)
    latest = Framework.objects.filter(code=data["code"]).order_by("-version").first()
    if latest is not None and latest.content_hash == digest:
        return latest
    rules = data.get("rating_rules") or {}
    criteria = _criteria_of(data)
    key_numbers = set(rules.get("key_criteria") or [])
    complete = bool(rules.get("rules")) and bool(criteria) and all(c for _s, c in criteria)
    framework = Framework.objects.create(
        code=data["code"],
        version=(latest.version + 1) if latest else 1,
        title_vi=data["title_vi"],
        title_en=data.get("title_en") or "",
        legal_ref=data.get("legal_ref") or "",
        subject=data.get("subject") or "",
        rules=rules or None,
        rules_verified=bool(rules.get("rules")) and _verified(rules.get("verification")),
        is_complete=complete,
        content_hash=digest,
        source=source,
    )
    for standard_data, criteria_data in criteria:
        standard = Standard.objects.create(
            framework=framework,
            number=standard_data["number"],
            article=standard_data.get("article") or "",
            name=standard_data.get("name") or "",
            description=standard_data.get("description") or "",
        )
        Criterion.objects.bulk_create(
            Criterion(
                framework=framework,
                standard=standard,
                number=c["number"],
                name=c.get("name") or "",
                descriptors={k: v for k, v in (c.get("descriptors") or {}).items() if v},
                is_key=c["number"] in key_numbers,
                verified=_verified(c.get("verification")),
            )
            for c in criteria_data
        )
    return framework


def framework_lock(*, framework: Framework) -> None:
    """Called when a cycle using ``framework`` is finished: it may never change again."""
    Framework.objects.filter(pk=framework.pk).update(is_locked=True)


def load_builtin_frameworks() -> list[Framework]:
    from opentemis.standards.frameworks import framework_data

    return [framework_load(data=data) for data in framework_data().values()]


@transaction.atomic
def framework_apply(
    *, actor: Any, school_year: Any, framework: Framework, positions: list[str], levels: list[str]
) -> Any:
    """Say that ``framework`` applies in ``school_year`` to ``positions`` at ``levels``.

    A person (position, school level) may fall under one framework only in a year.
    """
    from opentemis.orgs.models import SchoolLevel
    from opentemis.staff.models import Position
    from opentemis.standards.models import FrameworkApplication

    if not getattr(actor, "is_superuser", False):
        raise ValidationError(_("Only a system administrator can choose the frameworks of a year."))
    if not framework.is_complete:
        raise ValidationError(
            _("%(code)s is incomplete (criteria or rules unknown) and cannot be applied.")
            % {"code": framework.code}
        )
    position_objs = list(Position.objects.filter(code__in=positions))
    level_objs = list(SchoolLevel.objects.filter(code__in=levels))
    if len(position_objs) != len(set(positions)) or len(level_objs) != len(set(levels)):
        raise ValidationError(_("Unknown position or school level code."))
    clash = FrameworkApplication.objects.filter(
        school_year=school_year, positions__in=position_objs, levels__in=level_objs
    ).exclude(framework=framework)
    if clash.exists():
        other = clash.select_related("framework").first()
        raise ValidationError(
            _("Some of these positions and levels already fall under %(code)s this year.")
            % {"code": other.framework.code if other else ""}
        )
    application, _created = FrameworkApplication.objects.get_or_create(
        school_year=school_year, framework=framework
    )
    application.positions.add(*position_objs)
    application.levels.add(*level_objs)
    return application


def framework_for(*, school_year: Any, position: str, level: str) -> Framework | None:
    """The framework that applies to a ``position`` at a school ``level`` in ``school_year``."""
    from opentemis.standards.models import FrameworkApplication

    application = (
        FrameworkApplication.objects.filter(
            school_year=school_year, positions__code=position, levels__code=level
        )
        .select_related("framework")
        .first()
    )
    return application.framework if application else None


# Which built-in framework applies to whom when an administrator has not configured a year:
# TT 20 for teachers and subject-group leaders of general education (TH, THCS, THPT, GDTX),
# TT 14 for principals and deputies of the same levels. Preschool (TT 26, TT 25) is not applied
# by default: its criteria are not fully known yet (the frameworks load as incomplete).
DEFAULT_APPLICATIONS = [
    ("TT20_2018_GVPT", ["GV", "TTCM", "TPCM", "TPT"], ["TH", "THCS", "THPT", "GDTX"]),
    ("TT14_2018_HTPT", ["HT", "PHT"], ["TH", "THCS", "THPT", "GDTX"]),
]


@transaction.atomic
def framework_apply_defaults(*, school_year: Any) -> list[Any]:
    """Apply the built-in defaults to a year that has no configuration yet (else do nothing)."""
    from opentemis.standards.models import FrameworkApplication

    if FrameworkApplication.objects.filter(school_year=school_year).exists():
        return []
    applied = []
    for code, positions, levels in DEFAULT_APPLICATIONS:
        framework = Framework.objects.filter(code=code).order_by("-version").first()
        if framework is None:
            load_builtin_frameworks()
            framework = Framework.objects.filter(code=code).order_by("-version").first()
        if framework is None or not framework.is_complete:
            continue
        application, _created = FrameworkApplication.objects.get_or_create(
            school_year=school_year, framework=framework
        )
        application.positions.add(*_positions(positions))
        application.levels.add(*_levels(levels))
        applied.append(application)
    return applied


def _positions(codes: list[str]) -> list[Any]:
    from opentemis.staff.models import Position

    return list(Position.objects.filter(code__in=codes))


def _levels(codes: list[str]) -> list[Any]:
    from opentemis.orgs.models import SchoolLevel

    return list(SchoolLevel.objects.filter(code__in=codes))
