""" "Đồng nghiệp tôi hỗ trợ": a core teacher's colleagues of the year with their course progress
and what needs the core teacher now (issue 14 item 3; bdtx.md R12).

Who: the colleagues assigned to the actor for the year (``cascade.Caseload``, the one
assignment every module uses). A core teacher reads the progress of their caseload as they grade
it (``access.grades_enrolment``): the colleagues sit in other schools, outside the scope of the
core teacher's own roles, so their enrolments are read in the system scope after the caseload
said whose they are, and only those rows are returned (docs/architecture.md, scoping contract).

What needs them ("needs you"): a final product handed in and waiting for a grade (a progress row
of a product activity, started or done, not yet passed or failed), a course not started a week
before its deadline, a course overdue.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.cascade.models import Caseload
from opentemis.cascade.selectors import colleagues_of
from opentemis.core.scoping import system_scope
from opentemis.learning import kinds
from opentemis.learning.models import (
    ActivityKind,
    ActivityProgress,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    ProgressState,
)
from opentemis.learning.selectors import due_dates
from opentemis.orgs.models import SchoolYear

#: A course not started this many days before its deadline needs the core teacher.
NOT_STARTED_WARNING_DAYS = 7


@dataclass
class Need:
    """Something a colleague needs from their core teacher now, with where to act."""

    text: str
    url: str = ""


@dataclass
class CourseLine:
    enrolment: Enrolment
    due: dt.date | None
    needs: list[Need] = field(default_factory=list)

    @property
    def percent(self) -> int:
        e = self.enrolment
        return round(100 * e.done_count / e.required_count) if e.required_count else 0


@dataclass
class Colleague:
    caseload: Caseload
    courses: list[CourseLine] = field(default_factory=list)

    @property
    def needs(self) -> list[Need]:
        return [n for line in self.courses for n in line.needs]

    @property
    def last_seen(self) -> dt.datetime | None:
        seen = [c.enrolment.last_seen_at for c in self.courses if c.enrolment.last_seen_at]
        return max(seen) if seen else None


def my_colleagues(*, actor: User, school_year: SchoolYear) -> list[Colleague]:
    """The actor's caseload of the year with each colleague's courses of that year: four
    queries whatever the number of colleagues (caseload, enrolments, deadlines, products)."""
    if not actor.is_authenticated or not actor.person_id:
        return []
    rows = colleagues_of(actor.person_id, school_year)
    with system_scope():
        enrolments = list(
            Enrolment.objects.filter(
                person_id__in=[r.learner_id for r in rows], course__school_year=school_year
            )
            .exclude(course__status=CourseStatus.DRAFT)
            .select_related("course")
            .order_by("course__title", "pk")
        )
        dues = due_dates(enrolments)
        waiting = list(
            ActivityProgress.objects.filter(
                enrolment__in=[e.pk for e in enrolments],
                activity__kind=ActivityKind.PRODUCT,
                state__in=(ProgressState.STARTED, ProgressState.COMPLETE),
            ).values_list("enrolment_id", "activity_id", "activity__title")
        )
    products: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for enrolment_id, activity_id, title in waiting:
        products[enrolment_id].append((activity_id, title))
    by_person: dict[int, list[CourseLine]] = defaultdict(list)
    today = timezone.localdate()
    for e in enrolments:
        line = CourseLine(enrolment=e, due=dues[e.pk])
        line.needs = _needs(line, products.get(e.pk, []), today)
        by_person[e.person_id].append(line)
    return [Colleague(caseload=r, courses=by_person.get(r.learner_id, [])) for r in rows]


def _needs(line: CourseLine, products: list[tuple[int, str]], today: dt.date) -> list[Need]:
    e, due = line.enrolment, line.due
    needs = [
        Need(
            _("A final product waits for your grade: %(title)s") % {"title": title},
            kinds.grade_url(ActivityKind.PRODUCT, activity_id),
        )
        for activity_id, title in products
    ]
    if e.status != EnrolmentStatus.ACTIVE or due is None:
        return needs
    if due < today:
        needs.append(Need(_("Past the deadline (%(due)s).") % {"due": due.strftime("%d/%m/%Y")}))
    elif e.started_at is None and (due - today).days <= NOT_STARTED_WARNING_DAYS:
        needs.append(
            Need(_("Not started, and the deadline is %(due)s.") % {"due": due.strftime("%d/%m/%Y")})
        )
    return needs
