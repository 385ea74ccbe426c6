"""Loading frameworks from data: validated, versioned, never changing a locked version."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.orgs.models import SchoolLevel, SchoolYear
from opentemis.staff.models import Position
from opentemis.standards.applicability import YearFrameworks, in_scope, scope_text
from opentemis.standards.frameworks import framework_data
from opentemis.standards.models import Criterion, Framework, FrameworkApplication, Standard
from opentemis.standards.rules import DESCRIBED_LEVEL_CODES, LEVEL_CODES, RuleSet


def _verified(value: Any) -> bool:
    """Only ``VERIFIED`` (the Vietnamese text seen in a source), or no mark at all, counts as
    verified: ``VERIFIED_EN`` (seen only in English), ``VERIFIED_PARTIAL``, ``VERIFIED_PREFIX``,
    ``UNVERIFIED…`` and free-text notes stay "to verify"."""
    text = str(value or "").strip().upper()
    return text in ("", "VERIFIED")


def _criteria_of(data: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    standards = data.get("standards")
    if not isinstance(standards, list):
        return []
    result = []
    for standard in standards:
        criteria = standard.get("criteria")
        result.append((standard, criteria if isinstance(criteria, list) else []))
    return result


RULE_KEYS = {
    "order",
    "result",
    "all_at_least",
    "none_below",
    "min_fraction_at_least",
    "key_criteria_at_least",
    "max_fraction_below",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _shape_problems(data: Any) -> list[str]:
    """What makes ``data`` unreadable as a framework (uploaded files may hold anything).

    Unknown parts are allowed where the research data has them: ``standards`` or a standard's
    ``criteria`` may be a note (e.g. ``UNVERIFIED``) instead of a list; the framework then loads
    as incomplete. Extra keys (forms, process, notes) are kept in the hash and ignored.
    """
    if not isinstance(data, dict):
        return [_("A framework must be a mapping of fields (code, title_vi, standards ...).")]
    try:
        json.dumps(data, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return [
            _(
                "A framework may hold only texts, numbers, lists and mappings with text keys "
                "(put dates in quotes)."
            )
        ]
    problems: list[str] = []
    code = data.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 40:
        problems.append(_("A framework needs a code of at most 40 characters."))
    if not isinstance(data.get("title_vi"), str) or not data["title_vi"].strip():
        problems.append(_("A framework needs a code and a Vietnamese title."))
    problems.extend(_scope_problems(data.get("applies_to"), data.get("caveats")))
    for key, limit in (("title_vi", 255), ("title_en", 255), ("legal_ref", 255), ("subject", 40)):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            problems.append(
                _("The field %(field)s must be a text of at most %(limit)s characters.")
                % {"field": key, "limit": limit}
            )
    standards = data.get("standards")
    if isinstance(standards, list):
        for standard in standards:
            if not isinstance(standard, dict) or not _is_number(standard.get("number")):
                problems.append(_("Every standard needs a whole number (number: 1, 2 ...)."))
                continue
            criteria = standard.get("criteria")
            for criterion in criteria if isinstance(criteria, list) else []:
                problems.extend(_criterion_problems(criterion, standard["number"]))
    rules = data.get("rating_rules")
    if rules is not None and not isinstance(rules, dict):
        problems.append(_("rating_rules must be a mapping (see the documentation)."))
    elif rules and rules.get("rules") is not None:
        if not isinstance(rules["rules"], list) or not all(
            isinstance(r, dict) for r in rules["rules"]
        ):
            problems.append(_("rating_rules.rules must be a list of rules."))
        else:
            for rule in rules["rules"]:
                unknown = set(rule) - RULE_KEYS
                if unknown:
                    problems.append(
                        _("A rating rule has unknown conditions: %(names)s")
                        % {"names": ", ".join(sorted(str(k) for k in unknown))}
                    )
    return problems


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _scope_problems(applies_to: Any, caveats: Any) -> list[str]:
    problems = []
    if applies_to is not None and (
        not isinstance(applies_to, dict)
        or not set(applies_to) <= {"positions", "levels"}
        or not all(_text_list(v) for v in applies_to.values())
    ):
        problems.append(
            _(
                "applies_to must list position codes and school level codes "
                "(positions: [GV], levels: [MN])."
            )
        )
    if caveats is not None and not _text_list(caveats):
        problems.append(_("caveats must be a list of texts."))
    return problems


def _level_texts_ok(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict)
        and set(value) <= set(LEVEL_CODES)
        and all(v is None or isinstance(v, str) for v in value.values())
    )


def _suspended_ok(value: Any) -> bool:
    """``{Dat: {requirement: "...", by: "...", verification: ...}}``: what is suspended, and by
    which act."""
    if value is None:
        return True
    if not isinstance(value, dict) or not set(value) <= set(DESCRIBED_LEVEL_CODES):
        return False
    return all(
        isinstance(part, dict)
        and all(isinstance(part.get(k), str) and part[k].strip() for k in ("requirement", "by"))
        and all(isinstance(v, str | bool | None) for v in part.values())
        for part in value.values()
    )


def _criterion_problems(criterion: Any, standard: int) -> list[str]:
    if not isinstance(criterion, dict) or not _is_number(criterion.get("number")):
        return [
            _("Every criterion of standard %(standard)s needs a whole number.")
            % {"standard": standard}
        ]
    number = criterion["number"]
    problems = []
    name = criterion.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 500:
        problems.append(
            _("Criterion %(number)s needs a name of at most 500 characters.") % {"number": number}
        )
    if not (
        _level_texts_ok(criterion.get("descriptors"))
        and _level_texts_ok(criterion.get("descriptors_en"))
    ):
        problems.append(
            _(
                "The descriptors of criterion %(number)s must map the level codes "
                "Dat, Kha, Tot to texts."
            )
            % {"number": number}
        )
    if not _suspended_ok(criterion.get("suspended")):
        problems.append(
            _(
                "The suspended requirements of criterion %(number)s must map a level code "
                "(Dat, Kha, Tot) to its requirement and the act that suspended it "
                "(requirement: ..., by: ...)."
            )
            % {"number": number}
        )
    return problems


def _stored_suspended(value: Any) -> dict[str, dict[str, Any]]:
    """A criterion's suspended requirements as stored: the text, the act, verified or not."""
    return {
        code: {
            "requirement": part["requirement"],
            "requirement_en": part.get("requirement_en") or "",
            "by": part["by"],
            "verified": _verified(part.get("verification", "UNVERIFIED")),
        }
        for code, part in (value or {}).items()
    }


def validate_framework_data(data: dict[str, Any]) -> None:
    """Refuse data that could not be rated consistently; messages say what to fix."""
    problems = _shape_problems(data)
    if problems:
        raise ValidationError(problems)
    numbers = [c["number"] for _s, criteria in _criteria_of(data) for c in criteria]
    if len(numbers) != len(set(numbers)):
        raise ValidationError(_("Criterion numbers must be unique within a framework."))
    rules = data.get("rating_rules") or {}
    if rules.get("rules"):
        try:
            RuleSet.from_data(numbers, rules)
        except (KeyError, ValueError, TypeError, AttributeError, ZeroDivisionError) as exc:
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


def framework_is_complete(data: dict[str, Any]) -> bool:
    """Every standard's criteria and the rating rules are known: it can rate evaluations."""
    rules = data.get("rating_rules") or {}
    criteria = _criteria_of(data)
    return bool(rules.get("rules")) and bool(criteria) and all(c for _s, c in criteria)


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
    complete = framework_is_complete(data)
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
        applies_to=data.get("applies_to") or {},
        caveats=list(data.get("caveats") or []),
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
                descriptors_en={k: v for k, v in (c.get("descriptors_en") or {}).items() if v},
                suspended=_stored_suspended(c.get("suspended")),
                is_key=c["number"] in key_numbers,
                # Everything shown of the criterion: its name, its level texts, a suspension.
                verified=_verified(c.get("verification"))
                and _verified(c.get("descriptors_verification"))
                and all(
                    _verified(part.get("verification", "UNVERIFIED"))
                    for part in (c.get("suspended") or {}).values()
                ),
            )
            for c in criteria_data
        )
    return framework


@transaction.atomic
def framework_upload(*, actor: User, frameworks: list[dict[str, Any]]) -> list[Framework]:
    """Load frameworks from an administrator's file: each becomes a new version if changed.

    A locked version is never touched: changed data always becomes a new version (and the
    latest version is the one compared, so unchanged data loads nothing).
    """
    if not actor.is_superuser:
        raise ValidationError(_("Only a system administrator can load frameworks."))
    loaded = []
    for data in frameworks:
        before = Framework.objects.filter(code=data.get("code")).count()
        framework = framework_load(data=data, source="upload")
        if Framework.objects.filter(code=framework.code).count() != before:
            config_audit(actor, "standards.load", framework, {"version": framework.version})
        loaded.append(framework)
    return loaded


def framework_lock(*, framework: Framework) -> None:
    """Called when a cycle using ``framework`` is finished: it may never change again."""
    Framework.objects.filter(pk=framework.pk).update(is_locked=True)


def load_builtin_frameworks() -> list[Framework]:
    return [framework_load(data=data) for data in framework_data().values()]


@transaction.atomic
def framework_apply(
    *,
    actor: User,
    school_year: SchoolYear,
    framework: Framework,
    positions: list[str],
    levels: list[str],
) -> FrameworkApplication:
    """Say that ``framework`` applies in ``school_year`` to ``positions`` at ``levels``.

    A person (position, school level) may fall under one framework only in a year.
    """
    if not actor.is_superuser:
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
    outside = [
        f"{p} · {lvl}"
        for p in positions
        for lvl in levels
        if not in_scope(framework, position=p, level=lvl)
    ]
    if outside:
        raise ValidationError(
            _(
                "%(code)s applies only to %(scope)s (the scope of its regulation); it cannot be "
                "applied to %(outside)s."
            )
            % {
                "code": framework.code,
                "scope": scope_text(framework),
                "outside": ", ".join(outside),
            }
        )
    # Cells another framework covers within its own scope (a framework applied outside its
    # scope by hand, e.g. TT 20 at MN before TT 26 was complete, covers nobody there).
    year = YearFrameworks(school_year)
    taken = [
        other
        for p in positions
        for lvl in levels
        if (other := year.get(p, lvl)) is not None and other.pk != framework.pk
    ]
    if taken:
        raise ValidationError(
            _("Some of these positions and levels already fall under %(code)s this year.")
            % {"code": taken[0].code}
        )
    application, _created = FrameworkApplication.objects.get_or_create(
        school_year=school_year, framework=framework
    )
    application.positions.add(*position_objs)
    application.levels.add(*level_objs)
    config_audit(
        actor,
        "standards.apply",
        application,
        {"year": school_year.code, "positions": sorted(positions), "levels": sorted(levels)},
    )
    return application


def framework_for(*, school_year: SchoolYear, position: str, level: str) -> Framework | None:
    """The framework that applies to a ``position`` at a school ``level`` in ``school_year``
    (the year's configuration, within the framework's own scope: standards.applicability)."""
    return YearFrameworks(school_year).get(position, level)


def default_applications() -> list[tuple[str, list[str], list[str]]]:
    """Which built-in framework applies to whom when an administrator has not configured it:
    each built-in framework where its regulation applies (``applies_to`` in the data): TT 20
    for teachers of general education, TT 14 for their principals and deputies, TT 26 for
    preschool teachers, TT 25 for preschool principals and deputies."""
    return [
        (code, list(scope.get("positions") or []), list(scope.get("levels") or []))
        for code, data in framework_data().items()
        if (scope := data.get("applies_to"))
    ]


@transaction.atomic
def framework_apply_defaults(*, school_year: SchoolYear) -> list[FrameworkApplication]:
    """Apply each built-in framework to its regulation's positions and levels in
    ``school_year``, unless the year already uses that framework or another framework covers
    some of those people (a configuration is never changed); the applications made.

    A year configured before a framework became complete (TT 26 and TT 25, before their
    criteria were known) gets it now: preschool teachers and principals are no longer left
    without a standard.
    """
    year = YearFrameworks(school_year)
    applied = []
    for code, positions, levels in default_applications():
        if FrameworkApplication.objects.filter(
            school_year=school_year, framework__code=code
        ).exists():
            continue  # configured by hand (or already applied): left as it is
        if any(year.get(p, lvl) is not None for p in positions for lvl in levels):
            continue  # another framework covers some of these people this year
        framework = Framework.objects.filter(code=code).order_by("-version").first()
        if framework is None or not framework.is_complete:
            # Missing, or stored before its data was complete (TT 26 and TT 25 before this
            # release): the built-in data may have it now (loading is idempotent).
            load_builtin_frameworks()
            framework = Framework.objects.filter(code=code).order_by("-version").first()
        if framework is None or not framework.is_complete:
            continue
        application = FrameworkApplication.objects.create(
            school_year=school_year, framework=framework
        )
        application.positions.add(*_positions(positions))
        application.levels.add(*_levels(levels))
        applied.append(application)
    return applied


def framework_application_in_use(application: FrameworkApplication) -> bool:
    """Whether an evaluation of the application's year already uses its framework."""
    # Evaluations are org-scoped; the question is about the whole country's year, asked by a
    # system administrator, so it is answered in the system scope.
    with system_scope():
        return bool(
            application.framework.evaluations.filter(
                cycle__school_year_id=application.school_year_id
            ).exists()
        )


@transaction.atomic
def framework_application_remove(*, actor: User, application: FrameworkApplication) -> None:
    """Undo an application, only while no evaluation of that year uses the framework."""
    if not actor.is_superuser:
        raise ValidationError(_("Only a system administrator can choose the frameworks of a year."))
    if framework_application_in_use(application):
        raise ValidationError(
            _(
                "%(code)s is already used by evaluations in %(year)s; its application can no "
                "longer be removed."
            )
            % {"code": application.framework.code, "year": application.school_year.code}
        )
    config_audit(
        actor, "standards.application_remove", application, {"year": application.school_year.code}
    )
    application.delete()


def config_audit(actor: User, action: str, obj: models.Model, changes: dict[str, Any]) -> None:
    """Record a change of national configuration in the audit log (no unit: it is global)."""
    with actor_scope(actor):
        audit(actor=actor, action=action, obj=obj, changes=changes)


def _positions(codes: list[str]) -> list[Position]:
    return list(Position.objects.filter(code__in=codes))


def _levels(codes: list[str]) -> list[SchoolLevel]:
    return list(SchoolLevel.objects.filter(code__in=codes))
