"""Writes of the learning core (issue 13; decision 0019): keyword-only, atomic, audited where a
person acts.

* Courses, sections and activities: officers who manage the course (``access``).
* Enrolment: ``enrol_sync`` applies the audience rule (new people in, people gone marked
  ``LEFT`` with their progress kept); the job runs it when a course opens and each night.
* Progress: ``progress_record`` is the one door the activity apps report through; it re-judges
  the course (``completion.judge``) and, the first time the learner completes, posts the hours
  to the BDTX ledger (``plans.ledger.entry_post``, idempotent by ``learning.course:<pk>``, so a
  re-evaluation, a retry or two workers at once post once).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.learning import completion
from opentemis.learning.access import manages_course
from opentemis.learning.audience import audience_people, clean_audience
from opentemis.learning.models import (
    Activity,
    ActivityKind,
    ActivityProgress,
    Course,
    CourseDeadline,
    CourseGrader,
    CourseStatus,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    ProgressState,
    Section,
    Wave,
)
from opentemis.learning.signals import send_course_completed
from opentemis.orgs.models import SchoolYear, Unit, path_prefixes
from opentemis.plans import ledger
from opentemis.plans.models import LedgerEntry, PlanItem, PlanStatus
from opentemis.staff.models import Person
from opentemis.training.models import Module, Programme

MAX_TITLE = 255
#: The reference a completed course posts under (one per person, course and year).
LEDGER_REF = "learning.course:{pk}"


class NotAllowed(ValidationError):
    pass


def _require_manager(actor: User | None, course: Course) -> None:
    if actor is not None and not manages_course(actor, course):
        raise NotAllowed(_("You may not change this course."))


def _clean_title(value: Any, limit: int = MAX_TITLE) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError(_("Enter a title."))
    if len(text) > limit:
        raise ValidationError(_("The title is too long (at most %(n)s).") % {"n": limit})
    return text


def _clean_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Periods must be a number.")) from None
    if (
        not hours.is_finite()
        or hours <= 0
        or hours > 500
        or hours != hours.quantize(Decimal("0.5"))
    ):
        raise ValidationError(_("Periods must be between 0.5 and 500, in halves."))
    return hours


# --- courses ----------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    actor: User | None,
    unit: Unit,
    school_year: SchoolYear,
    title: Any,
    code: Any,
    programme: Any = Programme.P03,
    hours: Any,
    module: Module | None = None,
    wave: Any = Wave.ALL,
    audience: Any = None,
    starts: dt.date | None = None,
    due: dt.date | None = None,
    summary: str = "",
    completion_rule: Any = None,
) -> Course:
    """A course offered by ``unit`` (being prepared until opened)."""
    course = Course(
        unit=unit,
        unit_path=unit.path,
        school_year=school_year,
        module=module,
        title=_clean_title(title, 500),
        code=_clean_title(code, 40),
        programme=str(programme) if str(programme) in Programme.values else Programme.P03,
        hours=_clean_hours(hours),
        wave=str(wave) if str(wave) in Wave.values else Wave.ALL,
        audience=clean_audience(audience),
        starts=starts,
        due=due,
        summary=str(summary or "")[:4000],
        completion_rule=_clean_rule(completion_rule),
        created_by=actor,
    )
    _require_manager(actor, course)
    if due and starts and due < starts:
        raise ValidationError(_("The deadline is before the course opens."))
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise ValidationError(
            _("This unit already offers a course with this code for this year and wave.")
        ) from None
    audit(
        actor=actor,
        action="learning.course_create",
        obj=course,
        unit_id=unit.pk,
        changes={"code": course.code, "title": course.title},
    )
    return course


def _clean_rule(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {}
    aggregation = raw.get("aggregation", "all")
    return {"aggregation": aggregation if aggregation in completion.AGGREGATIONS else "all"}


COURSE_FIELDS = ("title", "summary", "hours", "starts", "due", "audience", "completion_rule")


@transaction.atomic
def course_update(*, actor: User | None, course: Course, **fields: Any) -> Course:
    """Change a course's settings (only the keys given)."""
    _require_manager(actor, course)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if "title" in fields:
        course.title = _clean_title(fields["title"], 500)
    if "summary" in fields:
        course.summary = str(fields["summary"] or "")[:4000]
    if "hours" in fields:
        course.hours = _clean_hours(fields["hours"])
    for key in ("starts", "due"):
        if key in fields:
            setattr(course, key, fields[key])
    if course.due and course.starts and course.due < course.starts:
        raise ValidationError(_("The deadline is before the course opens."))
    if "audience" in fields:
        course.audience = clean_audience(fields["audience"])
    if "completion_rule" in fields:
        course.completion_rule = _clean_rule(fields["completion_rule"])
    course.version += 1
    course.save()
    audit(
        actor=actor,
        action="learning.course_update",
        obj=course,
        unit_id=course.unit_id,
        changes={k: str(v) for k, v in fields.items()},
    )
    return course


@transaction.atomic
def course_open(*, actor: User | None, course: Course) -> Course:
    """Open a course to its learners (and enrol its audience)."""
    _require_manager(actor, course)
    if not course.activities.filter(required=True).exists():
        raise ValidationError(_("Add at least one required activity before opening the course."))
    course.status = CourseStatus.OPEN
    course.version += 1
    course.save(update_fields=["status", "version", "updated_at"])
    audit(actor=actor, action="learning.course_open", obj=course, unit_id=course.unit_id)
    _enrol_later(course)
    return course


def _enrol_later(course: Course) -> None:
    """Enrol the course's audience in the task worker, after the commit."""
    # Local: tasks.py imports this module at load time.
    from opentemis.learning.tasks import enrol_course

    pk = course.pk
    transaction.on_commit(lambda: enrol_course.enqueue(pk))


@transaction.atomic
def course_close(*, actor: User | None, course: Course) -> Course:
    _require_manager(actor, course)
    course.status = CourseStatus.CLOSED
    course.version += 1
    course.save(update_fields=["status", "version", "updated_at"])
    audit(actor=actor, action="learning.course_close", obj=course, unit_id=course.unit_id)
    return course


@transaction.atomic
def deadline_set(*, actor: User | None, course: Course, unit: Unit, due: dt.date | None) -> None:
    """A deadline for the course's learners under ``unit`` (a province's staggered date);
    ``None`` removes it."""
    _require_manager(actor, course)
    if not unit.path.startswith(course.unit_path):
        raise ValidationError(_("This unit is outside the course's audience."))
    if due is None:
        CourseDeadline.objects.filter(course=course, unit=unit).delete()
        return
    CourseDeadline.objects.update_or_create(
        course=course, unit=unit, defaults={"due": due, "unit_path": unit.path}
    )
    audit(
        actor=actor,
        action="learning.deadline_set",
        obj=course,
        unit_id=unit.pk,
        changes={"due": due.isoformat()},
    )


def due_for(course: Course, unit_path: str) -> dt.date | None:
    """The learner's deadline: the deepest unit's staggered date above them, else the course's."""
    rows = {
        d.unit_path: d.due
        for d in CourseDeadline.objects.filter(
            course=course, unit_path__in=path_prefixes(unit_path)
        )
    }
    for path in reversed(path_prefixes(unit_path)):
        if path in rows:
            return rows[path]
    return course.due


@transaction.atomic
def grader_set(
    *, actor: User | None, course: Course, user: User, unit: Unit | None = None
) -> CourseGrader:
    """Let ``user`` grade the course's learners under ``unit`` (all of them: ``None``)."""
    _require_manager(actor, course)
    if unit is not None and not unit.path.startswith(course.unit_path):
        raise ValidationError(_("This unit is outside the course's audience."))
    grader, _created = CourseGrader.objects.get_or_create(
        course=course, user=user, unit=unit, defaults={"unit_path": unit.path if unit else ""}
    )
    audit(
        actor=actor,
        action="learning.grader_set",
        obj=course,
        unit_id=course.unit_id,
        changes={"user": user.pk, "unit": unit.pk if unit else None},
    )
    return grader


# --- sections and activities -------------------------------------------------------------


@transaction.atomic
def section_add(*, actor: User | None, course: Course, title: Any, summary: str = "") -> Section:
    _require_manager(actor, course)
    last = course.sections.aggregate(m=Max("position"))["m"]
    return Section.objects.create(
        course=course,
        title=_clean_title(title),
        summary=str(summary or "")[:4000],
        position=(last or 0) + 1,
    )


@transaction.atomic
def activity_add(
    *,
    actor: User | None,
    section: Section,
    kind: str,
    title: Any,
    required: bool = True,
    pass_required: bool = False,
    options: dict[str, Any] | None = None,
    prerequisites: list[Activity] | None = None,
) -> Activity:
    """An activity at the end of ``section``. The kind's app then keeps its own data (a quiz's
    settings, a package's files) in a row linked one-to-one to it."""
    course = section.course
    _require_manager(actor, course)
    if kind not in ActivityKind.values:
        raise ValidationError(_("Unknown kind of activity."))
    last = section.activities.aggregate(m=Max("position"))["m"]
    activity = Activity.objects.create(
        course=course,
        section=section,
        kind=kind,
        title=_clean_title(title),
        required=bool(required),
        pass_required=bool(pass_required),
        options=options or {},
        position=(last or 0) + 1,
    )
    if prerequisites:
        activity.prerequisites.set([p for p in prerequisites if p.course_id == course.pk])
    _recount(course)
    return activity


@transaction.atomic
def activity_update(*, actor: User | None, activity: Activity, **fields: Any) -> Activity:
    """Change an activity's title, whether it counts, its options or prerequisites."""
    _require_manager(actor, activity.course)
    if "title" in fields:
        activity.title = _clean_title(fields["title"])
    for key in ("required", "pass_required"):
        if key in fields:
            setattr(activity, key, bool(fields[key]))
    if "options" in fields:
        activity.options = {**activity.options, **(fields["options"] or {})}
    activity.save()
    if "prerequisites" in fields:
        activity.prerequisites.set(
            [p for p in fields["prerequisites"] or [] if p.course_id == activity.course_id]
        )
    _recount(activity.course)
    return activity


def _recount(course: Course) -> None:
    """Keep each enrolment's required count true after the course's activities changed."""
    with system_scope():
        count = course.activities.filter(required=True).count()
        Enrolment.objects.filter(course=course).exclude(required_count=count).update(
            required_count=count
        )


# --- enrolment ----------------------------------------------------------------------------


def enrol_sync(*, course: Course) -> dict[str, int]:
    """Apply the course's audience rule now: enrol whoever it holds and is not enrolled, mark
    ``LEFT`` whoever it no longer holds (their progress is kept; a completed enrolment stays),
    bring back whoever returned. Runs in the system scope (a job, or after an officer's
    action that the caller checked). Returns counts."""
    if course.status != CourseStatus.OPEN:
        return {"added": 0, "left": 0, "back": 0}
    with system_scope():
        required = course.activities.filter(required=True).count()
        wanted = audience_people(course)
        existing = Enrolment.objects.filter(course=course)
        # Correlated NOT EXISTS / EXISTS both ways: an index probe per row, where NOT IN over
        # a million-row subquery is a plan PostgreSQL cannot run in useful time.
        new_people = wanted.filter(~Exists(existing.filter(person_id=OuterRef("pk")))).values_list(
            "pk", "unit_path"
        )
        in_audience = Exists(wanted.filter(pk=OuterRef("person_id")))
        added = 0
        batch: list[Enrolment] = []
        for pk, path in new_people.iterator(chunk_size=5000):
            batch.append(
                Enrolment(course=course, person_id=pk, unit_path=path, required_count=required)
            )
            if len(batch) >= 5000:
                added += len(Enrolment.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        if batch:
            added += len(Enrolment.objects.bulk_create(batch, ignore_conflicts=True))
        left = (
            existing.filter(status=EnrolmentStatus.ACTIVE, source=EnrolmentSource.RULE)
            .filter(~in_audience)
            .update(status=EnrolmentStatus.LEFT)
        )
        back = (
            existing.filter(status=EnrolmentStatus.LEFT)
            .filter(in_audience)
            .update(status=EnrolmentStatus.ACTIVE)
        )
    return {"added": added, "left": left, "back": back}


def enrol_sync_all() -> dict[str, int]:
    """Every open course's audience applied now (the nightly run); summed counts."""
    total = {"courses": 0, "added": 0, "left": 0, "back": 0}
    with system_scope():
        courses = list(Course.objects.filter(status=CourseStatus.OPEN))
    for course in courses:
        counts = enrol_sync(course=course)
        total["courses"] += 1
        for key, value in counts.items():
            total[key] += value
    return total


@transaction.atomic
def enrol_person(*, actor: User | None, course: Course, person: Person) -> Enrolment:
    """Enrol one person by hand (an officer adding a latecomer): inside the course's unit."""
    _require_manager(actor, course)
    if not person.unit_path.startswith(course.unit_path):
        raise ValidationError(_("This person is outside the course's units."))
    enrolment, created = Enrolment.objects.get_or_create(
        course=course,
        person=person,
        defaults={
            "unit_path": person.unit_path,
            "source": EnrolmentSource.MANUAL,
            "required_count": course.activities.filter(required=True).count(),
        },
    )
    if not created and enrolment.status == EnrolmentStatus.LEFT:
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.source = EnrolmentSource.MANUAL
        enrolment.save(update_fields=["status", "source"])
    audit(
        actor=actor,
        action="learning.enrol",
        obj=course,
        unit_id=person.unit_id,
        # The person by name and staff code: the log is read by people; an id says nothing.
        changes={"person": f"{person.full_name} ({person.staff_code})"},
    )
    return enrolment


# --- progress and completion -------------------------------------------------------------

#: A state never falls back from these to "started" (a re-opened page does not undo a pass).
_SETTLED = {ProgressState.COMPLETE, ProgressState.PASSED}


def progress_record(
    *,
    enrolment: Enrolment,
    activity: Activity,
    state: str,
    score: Decimal | float | None = None,
    data: dict[str, Any] | None = None,
    replace: bool = False,
) -> ActivityProgress:
    """Record a learner's state in an activity and re-judge the course: the one door every
    activity app reports through. ``state``: a :class:`ProgressState`; a settled state (done,
    passed) is not lowered to "started" by a later visit, but ``replace=True`` lets a grader's
    decision or a new attempt's result stand (a product regraded Chưa đạt, a better attempt).
    ``data`` is merged into what the kind keeps (a video's position...)."""
    if activity.course_id != enrolment.course_id:
        raise ValueError("activity and enrolment of different courses")
    if state not in ProgressState.values:
        raise ValueError(f"unknown state {state!r}")
    now = timezone.now()
    with transaction.atomic():
        progress = (
            ActivityProgress.objects.select_for_update()
            .filter(enrolment=enrolment, activity=activity)
            .first()
        )
        if progress is None:
            try:
                with transaction.atomic():
                    progress = ActivityProgress.objects.create(
                        enrolment=enrolment,
                        activity=activity,
                        unit_path=enrolment.unit_path,
                        state=state,
                        score=score,
                        data=data or {},
                        completed_at=now if state in _SETTLED else None,
                    )
            except IntegrityError:  # created at the same moment by another request
                progress = ActivityProgress.objects.select_for_update().get(
                    enrolment=enrolment, activity=activity
                )
            else:
                _touch(enrolment, now)
                _judge_and_post(enrolment)
                return progress
        lowered = progress.state in _SETTLED and state not in _SETTLED and not replace
        if not lowered:
            progress.state = state
            if score is not None or replace:
                progress.score = score
            if state in _SETTLED and progress.completed_at is None:
                progress.completed_at = now
        if data:
            progress.data = {**progress.data, **data}
        progress.save()
        _touch(enrolment, now)
        _judge_and_post(enrolment)
    return progress


def _touch(enrolment: Enrolment, now: dt.datetime) -> None:
    fields = {"last_seen_at": now}
    if enrolment.started_at is None:
        fields["started_at"] = now
    Enrolment.objects.filter(pk=enrolment.pk).update(**fields)
    for key, value in fields.items():
        setattr(enrolment, key, value)


def criteria_of(course: Course) -> list[completion.Criterion]:
    return [
        completion.Criterion(a.pk, a.title, a.kind, a.pass_required)
        for a in course.activities.filter(required=True).order_by("section__position", "position")
    ]


def states_of(enrolment: Enrolment) -> dict[int, str]:
    return dict(
        ActivityProgress.objects.filter(enrolment=enrolment).values_list("activity_id", "state")
    )


def judge(enrolment: Enrolment) -> completion.Judgement:
    """The course's rule applied to the learner's states now (what is done, what is missing)."""
    return completion.judge(
        criteria_of(enrolment.course), states_of(enrolment), enrolment.course.completion_rule
    )


def _judge_and_post(enrolment: Enrolment) -> None:
    """Store the learner's counts; the first time the rule is met, complete the enrolment and
    post the hours (after the commit, so a rolled-back grade posts nothing)."""
    verdict = judge(enrolment)
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    locked.done_count = verdict.done_count
    locked.required_count = verdict.required_count
    fields = ["done_count", "required_count"]
    newly = verdict.complete and locked.status != EnrolmentStatus.COMPLETED
    if newly:
        locked.status = EnrolmentStatus.COMPLETED
        locked.completed_at = timezone.now()
        fields += ["status", "completed_at"]
    locked.save(update_fields=fields)
    enrolment.status, enrolment.completed_at = locked.status, locked.completed_at
    enrolment.done_count, enrolment.required_count = locked.done_count, locked.required_count
    if newly:
        pk = enrolment.pk
        transaction.on_commit(lambda: post_hours(enrolment_pk=pk))


def post_hours(*, enrolment_pk: int) -> LedgerEntry | None:
    """Post a completed enrolment's hours to the learner's ledger, once (``entry_post`` is
    idempotent by the course's reference; calling this again returns the same entry). The
    entry is linked to the plan item of the same module when the learner's approved plan has
    one."""
    with system_scope():
        enrolment = Enrolment.objects.select_related("course", "person").get(pk=enrolment_pk)
        if enrolment.status != EnrolmentStatus.COMPLETED:
            return None
        course = enrolment.course
        item = None
        if course.module_id:
            item = (
                PlanItem.objects.filter(
                    plan__person_id=enrolment.person_id,
                    plan__school_year_id=course.school_year_id,
                    plan__status=PlanStatus.APPROVED,
                    module__code=course.module.code if course.module else "",
                )
                .order_by("pk")
                .first()
            )
        entry = ledger.entry_post(
            actor=None,
            person=enrolment.person,
            school_year=course.school_year,
            programme=course.programme,
            hours=course.hours,
            date=in_year(
                timezone.localdate(enrolment.completed_at or timezone.now()), course.school_year
            ),
            description=_("Course completed: %(title)s") % {"title": course.title[:400]},
            external_ref=LEDGER_REF.format(pk=course.pk),
            item=item,
        )
        if enrolment.ledger_entry_id != entry.pk:
            Enrolment.objects.filter(pk=enrolment.pk).update(ledger_entry=entry)
            send_course_completed(enrolment, entry)
    return entry


def in_year(day: dt.date, year: SchoolYear) -> dt.date:
    """The date the ledger gives hours of ``year`` (it dates them within their school year):
    a course completed, or a class held, after the year ended counts on its last day."""
    return min(max(day, year.start_date), year.end_date)


def prerequisites_missing(enrolment: Enrolment, activity: Activity) -> list[Activity]:
    """The prerequisites of ``activity`` the learner has not done yet (the final test before
    ≥ 80 % attendance...): an activity app refuses to start while this is not empty."""
    needed = list(activity.prerequisites.all())
    if not needed:
        return []
    states = dict(
        ActivityProgress.objects.filter(enrolment=enrolment, activity__in=needed).values_list(
            "activity_id", "state"
        )
    )
    return [
        a
        for a in needed
        if not completion.satisfied(
            completion.Criterion(a.pk, a.title, a.kind, a.pass_required), states.get(a.pk, "")
        )
    ]
