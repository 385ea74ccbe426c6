"""Writes of the weekly progress (issue 14 item 4; decision 0022).

**What is counted** for a course, a unit (its whole subtree) and a week, as of the end of the
week's Sunday (or now, for the week in progress):

* *enrolled*: enrolments made before then and not marked "no longer in the audience" (LEFT);
* *started*: of those, learners who had recorded any progress (``Enrolment.started_at``) or
  completed;
* *completed*: the course's completion rule was met (``Enrolment`` COMPLETED, ``completed_at``
  before then; ``learning.completion``);
* *passed*: every activity of the course that is required **and** must be passed (a test, a
  final product graded Đạt: ``Activity.pass_required``) is in the state "passed"
  (``ActivityProgress``, reached before then). A course with no such activity has nothing to
  pass: there, passed = completed.

Each with the ministry's sub-columns (bdtx.md R16), as the TEMIS report counts them: women
(``Person.gender``), ethnic minority (``Person.is_dtts``), women DTTS, and disadvantaged area
(the learner's unit's ``disadvantaged_area``).

Reminders: :func:`remind_lagging` tells the principals (and school administrators) of the
lagging schools under the lagging child units, once per school, week and course.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.notifications.events import notify
from opentemis.notifications.models import NoticeKind
from opentemis.tracking import snapshot
from opentemis.tracking.models import SchoolReminder, SnapshotRun
from opentemis.tracking.selectors import SchoolToRemind, UnitWeek, lagging_schools


def snapshot_week(*, day: dt.date, progress: snapshot.Progress | None = None) -> SnapshotRun:
    """Take (or take again) the snapshot of the week of ``day`` for every course and unit."""
    return snapshot.take(day, progress)


def may_remind(actor: User, view: UnitWeek) -> bool:
    """Whether ``actor`` reminds the units under ``view``'s unit: they read its progress (the
    view exists) and hold ``reports.remind`` there (unit officers)."""
    return has_perm_on(actor, Perm.SEND_REMINDERS, view.unit.path)


@dataclass
class RemindOutcome:
    schools: list[SchoolToRemind]  # reminded now
    skipped: list[SchoolToRemind]  # reminded earlier this week (nothing sent again)
    people: int


def _body(item: SchoolToRemind, view: UnitWeek, sender: User) -> str:
    what = (
        view.course.title
        if view.course
        else _("the courses of %(year)s") % {"year": view.school_year.code}
    )
    rate = formats.number_format(item.rate or 0, 1)
    return "\n\n".join(
        [
            _("Dear %(unit)s,") % {"unit": item.school.name},
            _(
                "In the week of %(week)s, %(completed)s of the %(enrolled)s learners of your "
                "school completed %(what)s (%(rate)s%%)."
            )
            % {
                "week": view.week.strftime("%d/%m/%Y"),
                "completed": item.completed,
                "enrolled": item.enrolled,
                "what": what,
                "rate": rate,
            },
            _("Please encourage your teachers to continue and complete their courses on time."),
            f"{sender.get_full_name() or sender.get_username()}\n{view.unit.name}",
        ]
    )


def remind_lagging(
    *, actor: User, view: UnitWeek, unit_ids: list[int] | None = None
) -> RemindOutcome:
    """Remind the lagging child units of ``view`` (``unit_ids``: some of them; default all):
    a notice (and its email, by each person's choice) to the principals and school
    administrators of each lagging school beneath them.

    Idempotent per week: a school reminded for the same week and course (or year) is skipped,
    whoever clicks, however often (a :class:`SchoolReminder` row, unique; each notice also
    carries the event's key, unique per recipient). Audited as ``tracking.remind``. 404 when the
    actor may not remind there.
    """
    if not may_remind(actor, view):
        raise Http404
    targets = view.lagging
    if unit_ids is not None:
        wanted = set(unit_ids)
        targets = [t for t in targets if t.unit_id in wanted]
    plan = lagging_schools(view, targets)
    now = timezone.now()
    reached: list[SchoolToRemind] = []
    skipped: list[SchoolToRemind] = []
    people: set[int] = set()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for item in plan:
            if item.reminded_at is not None:
                skipped.append(item)
                continue
            try:
                with transaction.atomic():
                    SchoolReminder.objects.create(
                        week=view.week,
                        scope=view.scope_key,
                        school=item.school,
                        unit_path=item.school.path,
                        from_unit=view.unit,
                        sent_by=actor,
                        sent_at=now,
                        rate=item.rate,
                        recipients=len(item.recipients),
                    )
            except IntegrityError:  # another click reminded it meanwhile
                skipped.append(item)
                continue
            reached.append(item)
            title = _("Weekly progress: %(unit)s is lagging") % {"unit": item.school.name}
            notify(
                recipients=[(u.pk, u.email) for u in item.recipients],
                kind=NoticeKind.LEARNING,
                key=f"tracking.remind:{view.scope_key}:{view.week.isoformat()}:{item.school.pk}",
                title=title,
                body=_body(item, view, actor),
                url=reverse("tracking_unit", args=[item.school.pk])
                + f"?week={view.week.isoformat()}",
                unit_id=item.school.pk,
                actor_id=actor.pk,
            )
            people.update(u.pk for u in item.recipients if u.pk != actor.pk)
        audit(
            actor=actor,
            action="tracking.remind",
            unit=view.unit,
            changes={
                "week": view.week.isoformat(),
                "scope": view.scope_key,
                "units": [t.code for t in targets],
                "schools": [i.school.code for i in reached],
                "already_reminded": [i.school.code for i in skipped],
                "people": len(people),
            },
        )
    return RemindOutcome(schools=reached, skipped=skipped, people=len(people))
