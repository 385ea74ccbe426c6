"""Who a course enrols (issue 13 item 1): its audience rule as one query over staff.

``Course.audience`` holds, all optional and combined by AND:

* ``units``: unit pks; their subtrees (else the whole subtree of the offering unit);
* ``levels``: school-level codes (MN, TH, THCS, THPT...) of the person's unit;
* ``positions``: position codes; ``subjects``: subject codes (any of them);
* ``from_plans``: only people whose approved BDTX plan of the course's year holds the course's
  module (by its code, whatever the catalogue version).

The wave adds its own condition: a core-staff course (``Wave.CORE``) enrols only people
designated core staff for the year. Only people at work are enrolled. Everything stays inside the
offering unit's subtree: a Sở cannot enrol another province.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from opentemis.learning.models import Course, Wave
from opentemis.orgs.models import Unit
from opentemis.plans.models import PlanItem, PlanStatus
from opentemis.staff.models import CoreDesignation, EmploymentStatus, Person

KEYS = ("units", "levels", "positions", "subjects", "from_plans")


def clean_audience(raw: Any) -> dict[str, Any]:
    """The rule with only known keys, lists of strings or ints, and a boolean."""
    raw = raw if isinstance(raw, dict) else {}
    rule: dict[str, Any] = {}
    units = [int(u) for u in raw.get("units") or [] if str(u).strip().isdigit()]
    if units:
        rule["units"] = sorted(set(units))
    for key in ("levels", "positions", "subjects"):
        values = sorted({str(v).strip() for v in raw.get(key) or [] if str(v).strip()})
        if values:
            rule[key] = values
    if raw.get("from_plans"):
        rule["from_plans"] = True
    return rule


def unit_paths(course: Course) -> list[str]:
    """The subtrees the course reaches: its chosen units inside the offering unit's subtree,
    or the offering unit's whole subtree."""
    pks = course.audience.get("units") or []
    if not pks:
        return [course.unit_path]
    paths = Unit.objects.filter(pk__in=pks).values_list("path", flat=True)
    return [p for p in paths if p.startswith(course.unit_path)]


def audience_people(course: Course) -> QuerySet[Person]:
    """The people the course's rule and wave enrol now (call in a scope that sees them: the
    enrolment job runs in the system scope). Every condition on a related table is an EXISTS,
    so the query returns each person once without DISTINCT and can be used, correlated, as
    "is this person in the audience" (``enrol_sync``)."""
    rule = course.audience or {}
    paths = unit_paths(course)
    if not paths:
        return Person.objects.none()
    where = Q()
    for path in paths:
        where |= Q(unit_path__startswith=path)
    people = Person.objects.filter(where, employment_status=EmploymentStatus.WORKING)
    if rule.get("levels"):
        people = people.filter(
            Exists(
                Unit.levels.through.objects.filter(
                    unit_id=OuterRef("unit_id"), schoollevel__code__in=rule["levels"]
                )
            )
        )
    if rule.get("positions"):
        people = people.filter(
            Exists(
                Person.positions.through.objects.filter(
                    person_id=OuterRef("pk"), position__code__in=rule["positions"]
                )
            )
        )
    if rule.get("subjects"):
        people = people.filter(
            Exists(
                Person.subjects.through.objects.filter(
                    person_id=OuterRef("pk"), subject__code__in=rule["subjects"]
                )
            )
        )
    if course.wave == Wave.CORE:
        people = people.filter(
            Exists(
                CoreDesignation.objects.filter(
                    person=OuterRef("pk"), school_year_id=course.school_year_id
                )
            )
        )
    if rule.get("from_plans"):
        if course.module_id is None:
            return people.none()
        people = people.filter(
            Exists(
                PlanItem.objects.filter(
                    plan__person=OuterRef("pk"),
                    plan__school_year_id=course.school_year_id,
                    plan__status=PlanStatus.APPROVED,
                    module__code=course.module.code if course.module else "",
                )
            )
        )
    return people
