"""Which framework a person is evaluated against: one answer, asked by every path.

A framework applies to someone in a school year when both hold:

1. the year's configuration (:class:`FrameworkApplication`) gives it to one of their positions
   at one of their unit's school levels; and
2. the framework's own scope (``applies_to``: the positions and school levels its regulation
   covers, e.g. TT 26/2018: teachers of preschools) includes that position and level. A
   framework without a scope of its own (an uploaded one) is limited by the configuration only.

Positions are tried managers first (a principal who also teaches is evaluated as a principal),
school levels in their usual order (MN, TH, THCS ...). Starting an evaluation (page, API),
importing paper results and configuring a year all ask this module, so a preschool teacher is
never evaluated against TT 20/2018, whatever path the evaluation comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opentemis.orgs.models import SchoolLevel, SchoolYear
from opentemis.staff.models import Person, Position
from opentemis.standards.models import Framework, FrameworkApplication


def in_scope(framework: Framework, *, position: str, level: str) -> bool:
    """Whether the framework's own scope covers ``position`` at school ``level``."""
    scope = framework.applies_to or {}
    positions, levels = scope.get("positions"), scope.get("levels")
    return (not positions or position in positions) and (not levels or level in levels)


def scope_text(framework: Framework) -> str:
    """The scope as "GV, TTCM, TPCM · MN" (codes, as on the year's grid)."""
    scope = framework.applies_to or {}
    return " · ".join(", ".join(scope.get(key) or ["*"]) for key in ("positions", "levels"))


class YearFrameworks:
    """A school year's configuration, read once: (position, level) -> framework.

    For one person, one short query; for many (the demo, a school's paper import), build it
    once and pass it to :func:`applicable`.
    """

    def __init__(self, school_year: SchoolYear) -> None:
        self.school_year = school_year
        self._cells: dict[tuple[str, str], Framework] = {}
        applications = (
            FrameworkApplication.objects.filter(school_year=school_year)
            .select_related("framework")
            .prefetch_related("positions", "levels")
            .order_by("pk")
        )
        for application in applications:
            framework = application.framework
            for position in application.positions.all():
                for level in application.levels.all():
                    # A framework configured outside its own scope (TT 20 at a preschool, set
                    # by hand before TT 26 was complete) applies to nobody there.
                    if in_scope(framework, position=position.code, level=level.code):
                        self._cells.setdefault((position.code, level.code), framework)

    def get(self, position: str, level: str) -> Framework | None:
        """The framework configured for ``position`` at ``level`` within its scope, or None."""
        return self._cells.get((position, level))


@dataclass(frozen=True)
class Applicable:
    """The framework someone is evaluated against, and through which position and level."""

    framework: Framework
    position: Position
    level: str

    @property
    def is_manager(self) -> bool:
        return bool(self.position.is_manager)


def person_positions_levels(person: Person) -> tuple[list[Position], list[str]]:
    """The person's positions (managers first) and their unit's school levels (in order)."""
    positions = sorted(person.positions.all(), key=lambda p: (not p.is_manager, p.order))
    levels = [lvl.code for lvl in sorted(person.unit.levels.all(), key=lambda lvl: lvl.order)]
    return positions, levels or [""]


def applicable(
    *,
    school_year: SchoolYear,
    positions: Iterable[Position],
    levels: Iterable[str],
    table: YearFrameworks | None = None,
) -> Applicable | None:
    """The framework for someone holding ``positions`` in a unit of ``levels`` (None: none)."""
    table = table or YearFrameworks(school_year)
    levels = list(levels)
    for position in positions:
        for level in levels:
            framework = table.get(position.code, level)
            if framework is not None:
                return Applicable(framework=framework, position=position, level=level)
    return None


def applicable_to_person(
    *, school_year: SchoolYear, person: Person, table: YearFrameworks | None = None
) -> Applicable:
    """The framework ``person`` is evaluated against in ``school_year``; ValidationError (in
    the user's language) when none applies."""
    positions, levels = person_positions_levels(person)
    found = applicable(school_year=school_year, positions=positions, levels=levels, table=table)
    if found is None:
        raise ValidationError(
            _(
                "No professional standard applies to this person's position and school level in "
                "%(year)s. Ask the system administrator to configure the year's frameworks."
            )
            % {"year": school_year}
        )
    return found


def require_applies(
    *,
    framework: Framework,
    school_year: SchoolYear,
    person: Person,
    table: YearFrameworks | None = None,
) -> Applicable:
    """Refuse to evaluate ``person`` against ``framework`` unless it is the one that applies
    to their position and school level (same code; the version is the one stored with the
    evaluation)."""
    found = applicable_to_person(school_year=school_year, person=person, table=table)
    if found.framework.code != framework.code:
        level = SchoolLevel.objects.filter(code=found.level).first()
        raise ValidationError(
            _(
                "%(name)s cannot be evaluated against %(standard)s: it does not apply to "
                "their position and school level (%(position)s, %(level)s). The standard "
                "that applies is %(expected)s."
            )
            % {
                "name": person.full_name,
                "standard": framework.legal_ref or framework.code,
                "position": found.position.name,
                "level": level.name if level else found.level,
                "expected": found.framework.legal_ref or found.framework.code,
            }
        )
    return found
