"""Writes of face-to-face classes (issue 13 item 6): keyword-only, atomic, audited.

* Settings, roster and sessions: the course's officers (``access.managed_class``).
* Attendance: whoever takes it (``access``: officers, the session's lecturer, graders for their
  subtree) by roll call, or the learner with the session's code while its window is open.
  Each change re-judges the learner's share and reports it through
  ``learning.services.progress_record`` ("complete" from the threshold, back to "started" with
  ``replace=True`` when a correction drops it below).
* Closing (``class_close``): an officer closes the class once the sessions are over; each
  member's attended periods are posted to the BDTX ledger (``plans.ledger.entry_post``,
  source "class", reference ``classes.class:<pk>``, idempotent), and attendance is frozen from
  then on, so what was posted stays true. Hours are posted once, at closing, never before.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.classes import rules
from opentemis.classes.access import Paths, taker_paths, within
from opentemis.classes.models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    ClassMember,
    ClassSession,
    ClassStatus,
    CodeTry,
    FaceClass,
)
from opentemis.core.scoping import system_scope
from opentemis.learning.access import manages_course
from opentemis.learning.models import Enrolment, EnrolmentStatus, ProgressState
from opentemis.learning.services import in_year, progress_record
from opentemis.orgs.models import Unit
from opentemis.plans import ledger
from opentemis.plans.models import EntrySource, LedgerEntry
from opentemis.training.models import TrainingYear

#: Wrong codes a learner may enter for one session before it is locked for them.
MAX_CODE_FAILURES = 5
#: The reference the attended hours are posted under (one per person, class and year).
LEDGER_REF = "classes.class:{pk}"
MAX_TEXT = 255


class NotAllowed(ValidationError):
    pass


def threshold(face_class: FaceClass) -> Decimal:
    """The share to attend: the class's own, else the school year's (``TrainingYear``), else
    the model's default (the same 0.80 the year data carries, R11)."""
    if face_class.attendance_min is not None:
        return Decimal(face_class.attendance_min)
    year = TrainingYear.objects.filter(
        school_year_id=face_class.activity.course.school_year_id
    ).first()
    if year is not None:
        return Decimal(year.attendance_min)
    default = TrainingYear._meta.get_field("attendance_min").default
    return Decimal(str(default))


def _require_manager(actor: User | None, face_class: FaceClass) -> None:
    if actor is not None and not manages_course(actor, face_class.activity.course):
        raise NotAllowed(_("You may not change this class."))


def _require_open(face_class: FaceClass) -> None:
    if face_class.status == ClassStatus.CLOSED:
        raise ValidationError(_("The class is closed: its attendance no longer changes."))


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise ValidationError(
            _("The text is too long (at most %(max)s characters).") % {"max": limit}
        )
    return text


def _share(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        share = Decimal(str(value).strip().replace(",", ".").rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("The attendance threshold must be a number.")) from None
    if share.is_finite() and share > 1:
        share = share / 100  # "80" or "80 %"
    if not share.is_finite() or not Decimal(0) < share <= 1:
        raise ValidationError(_("The attendance threshold must be between 1 % and 100 %."))
    return share.quantize(Decimal("0.01"))


def _periods(value: Any) -> Decimal:
    try:
        periods = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Periods must be a number.")) from None
    if not periods.is_finite() or not Decimal("0.5") <= periods <= 20:
        raise ValidationError(_("A session credits between 0.5 and 20 periods."))
    if periods != periods.quantize(Decimal("0.5")):
        raise ValidationError(_("Periods go in halves (e.g. 2.5)."))
    return periods


# --- settings and roster --------------------------------------------------------------------


@transaction.atomic
def class_update(
    *,
    actor: User | None,
    face_class: FaceClass,
    unit: Unit | None = None,
    attendance_min: Any = None,
    code_minutes: Any = 15,
) -> FaceClass:
    """The roster's unit, the threshold (empty: the year's) and the code window's minutes."""
    _require_manager(actor, face_class)
    course = face_class.activity.course
    if unit is not None and not unit.path.startswith(course.unit_path):
        raise ValidationError(_("This unit is outside the course's audience."))
    try:
        minutes = int(code_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 120:
        raise ValidationError(_("The code stays valid between 1 and 120 minutes."))
    face_class.unit = unit
    face_class.attendance_min = _share(attendance_min)
    face_class.code_minutes = minutes
    face_class.save(update_fields=["unit", "attendance_min", "code_minutes"])
    audit(
        actor=actor,
        action="classes.class_update",
        obj=face_class.activity,
        unit_id=course.unit_id,
        changes={
            "unit": unit.pk if unit else None,
            "attendance_min": str(face_class.attendance_min or ""),
            "code_minutes": minutes,
        },
    )
    _rejudge_all(face_class)
    return face_class


@transaction.atomic
def roster_fill(*, actor: User | None, face_class: FaceClass) -> int:
    """Add to the roster every enrolment of the course under the class's unit (the course's
    unit when none is set) not on it yet; returns how many were added."""
    _require_manager(actor, face_class)
    _require_open(face_class)
    course = face_class.activity.course
    prefix = face_class.unit.path if face_class.unit_id and face_class.unit else course.unit_path
    with system_scope():  # the officer manages the course: its whole audience
        rows = (
            Enrolment.objects.filter(course=course, unit_path__startswith=prefix)
            .exclude(status=EnrolmentStatus.LEFT)
            .values_list("pk", "unit_path")
        )
        created = ClassMember.objects.bulk_create(
            [ClassMember(face_class=face_class, enrolment_id=pk, unit_path=p) for pk, p in rows],
            ignore_conflicts=True,
        )
        total = ClassMember.objects.filter(face_class=face_class).count()
    audit(
        actor=actor,
        action="classes.roster_fill",
        obj=face_class.activity,
        unit_id=course.unit_id,
        changes={"unit": face_class.unit_id, "members": total},
    )
    return len(created)


@transaction.atomic
def member_add(*, actor: User | None, face_class: FaceClass, enrolment: Enrolment) -> ClassMember:
    """Put one enrolment of the course on the roster (idempotent)."""
    _require_manager(actor, face_class)
    _require_open(face_class)
    if enrolment.course_id != face_class.activity.course_id:
        raise ValidationError(_("This person is not enrolled in the course."))
    with system_scope():
        member, _created = ClassMember.objects.get_or_create(
            face_class=face_class,
            enrolment=enrolment,
            defaults={"unit_path": enrolment.unit_path},
        )
    audit(
        actor=actor,
        action="classes.member_add",
        obj=face_class.activity,
        unit_id=face_class.activity.course.unit_id,
        changes={"enrolment": enrolment.pk},
    )
    return member


# --- sessions ---------------------------------------------------------------------------------


@transaction.atomic
def session_add(
    *,
    actor: User | None,
    face_class: FaceClass,
    date: dt.date,
    periods: Any,
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    place: Any = "",
    lecturer: User | None = None,
    lecturer_name: Any = "",
) -> ClassSession:
    """A session of the class; every member's share is judged again (one more session)."""
    _require_manager(actor, face_class)
    _require_open(face_class)
    if not isinstance(date, dt.date):
        raise ValidationError(_("Enter a valid date."))
    year = face_class.activity.course.school_year
    if not year.start_date <= date <= year.end_date:
        raise ValidationError(_("The session must fall within the course's school year."))
    if starts and ends and ends <= starts:
        raise ValidationError(_("The session ends before it starts."))
    session = ClassSession.objects.create(
        face_class=face_class,
        date=date,
        starts=starts,
        ends=ends,
        place=_text(place),
        lecturer=lecturer,
        lecturer_name=_text(lecturer_name) or (lecturer.get_full_name() if lecturer else ""),
        periods=_periods(periods),
    )
    audit(
        actor=actor,
        action="classes.session_add",
        obj=face_class.activity,
        unit_id=face_class.activity.course.unit_id,
        changes={"date": date.isoformat(), "periods": str(session.periods)},
    )
    _rejudge_all(face_class)
    return session


@transaction.atomic
def session_cancel(*, actor: User | None, session: ClassSession) -> ClassSession:
    """A session that will not take place: it no longer counts in anyone's share."""
    face_class = session.face_class
    _require_manager(actor, face_class)
    _require_open(face_class)
    session.cancelled = True
    session.code_closes_at = None
    session.save(update_fields=["cancelled", "code_closes_at"])
    audit(
        actor=actor,
        action="classes.session_cancel",
        obj=face_class.activity,
        unit_id=face_class.activity.course.unit_id,
        changes={"date": session.date.isoformat()},
    )
    _rejudge_all(face_class)
    return session


@transaction.atomic
def code_open(
    *, actor: User, session: ClassSession, now: dt.datetime | None = None
) -> ClassSession:
    """A new 6-digit code for the session, valid for the class's window from now; opening it
    again gives a new code (the old one stops working)."""
    face_class = session.face_class
    if taker_paths(actor, face_class, session) is not None:  # None: the whole roster
        raise NotAllowed(_("Only the course's officers or the session's lecturer open a code."))
    _require_open(face_class)
    if session.cancelled:
        raise ValidationError(_("This session is cancelled."))
    now = now or timezone.now()
    session.code = f"{secrets.randbelow(10**6):06d}"
    session.code_opens_at = now
    session.code_closes_at = now + dt.timedelta(minutes=face_class.code_minutes)
    session.save(update_fields=["code", "code_opens_at", "code_closes_at"])
    audit(
        actor=actor,
        action="classes.code_open",
        obj=face_class.activity,
        unit_id=face_class.activity.course.unit_id,
        changes={"date": session.date.isoformat()},
    )
    return session


def code_is_open(session: ClassSession, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(
        session.code
        and not session.cancelled
        and session.code_opens_at
        and session.code_closes_at
        and session.code_opens_at <= now < session.code_closes_at
    )


# --- attendance -----------------------------------------------------------------------------


def is_member(face_class: FaceClass, enrolment: Enrolment) -> bool:
    with system_scope():
        return ClassMember.objects.filter(face_class=face_class, enrolment=enrolment).exists()


def _record(
    *,
    session: ClassSession,
    enrolment: Enrolment,
    status: str,
    method: str,
    actor: User | None,
) -> tuple[Attendance, bool]:
    """Write the one row of the session and enrolment (created or changed); whether it
    changed anything."""
    with system_scope():
        row = Attendance.objects.select_for_update().filter(session=session, enrolment=enrolment)
        found = row.first()
        if found is None:
            try:
                with transaction.atomic():
                    return (
                        Attendance.objects.create(
                            session=session,
                            enrolment=enrolment,
                            unit_path=enrolment.unit_path,
                            status=status,
                            method=method,
                            recorded_by=actor if actor and actor.is_authenticated else None,
                        ),
                        True,
                    )
            except IntegrityError:  # taken at the same moment by another request
                found = row.get()
        if found.status == status:
            return found, False
        found.status = status
        found.method = method
        found.recorded_by = actor if actor and actor.is_authenticated else None
        found.save(update_fields=["status", "method", "recorded_by", "recorded_at"])
        return found, True


@transaction.atomic
def attendance_mark(
    *,
    actor: User | None,
    session: ClassSession,
    enrolment: Enrolment,
    status: str,
    paths: Paths | None = (),
) -> Attendance:
    """Roll call: mark one member present, absent or excused (the same answer twice changes
    nothing). ``paths``: what the caller takes (``access.taker_session``); ``()`` asks again."""
    face_class = session.face_class
    if paths == ():
        # ``actor`` None: the system (a demo, a job), the whole roster
        paths = taker_paths(actor, face_class, session) if actor is not None else None
    if paths is not None and not within(enrolment.unit_path, paths):
        raise NotAllowed(_("You do not take the attendance of this learner."))
    if status not in AttendanceStatus.values:
        raise ValidationError(_("Choose present, absent or excused."))
    _require_open(face_class)
    if session.cancelled:
        raise ValidationError(_("This session is cancelled."))
    if not is_member(face_class, enrolment):
        raise ValidationError(_("This learner is not on the class's roster."))
    row, changed = _record(
        session=session,
        enrolment=enrolment,
        status=status,
        method=AttendanceMethod.ROLL_CALL,
        actor=actor,
    )
    if changed:
        audit(
            actor=actor,
            action="classes.attendance_mark",
            obj=face_class.activity,
            unit_id=face_class.activity.course.unit_id,
            changes={"date": session.date.isoformat(), "enrolment": enrolment.pk, "status": status},
        )
        _rejudge(face_class, enrolment)
    return row


def code_enter(
    *,
    face_class: FaceClass,
    enrolment: Enrolment,
    code: Any,
    now: dt.datetime | None = None,
) -> Attendance:
    """The learner enters the code the lecturer shows: present at the session whose window is
    open. A wrong code counts against the learner for that session (kept even though the
    request is refused); after :data:`MAX_CODE_FAILURES` the session is locked for them (the
    lecturer can still mark them by roll call)."""
    now = now or timezone.now()
    text = "".join(str(code or "").split())
    if not (len(text) == 6 and text.isdigit()):
        raise ValidationError(_("Enter the 6 digits the lecturer shows."))
    if face_class.status == ClassStatus.CLOSED:
        raise ValidationError(_("The class is closed: its attendance no longer changes."))
    if not is_member(face_class, enrolment):
        raise ValidationError(_("You are not on this class's roster: ask the class's officer."))
    sessions = [
        s
        for s in face_class.sessions.filter(cancelled=False, code_closes_at__gt=now)
        if code_is_open(s, now)
    ]
    if not sessions:
        raise ValidationError(_("No session is taking attendance by code now."))
    problem = ""
    with transaction.atomic():
        for session in sessions:
            # the learner's own row, in their own scope
            CodeTry.objects.get_or_create(
                session=session,
                enrolment=enrolment,
                defaults={"unit_path": enrolment.unit_path},
            )
            tries = CodeTry.objects.select_for_update().get(session=session, enrolment=enrolment)
            if tries.failures >= MAX_CODE_FAILURES:
                problem = _(
                    "Too many wrong codes for this session: ask the lecturer to mark you present."
                )
                continue
            if constant_time_compare(text, session.code):
                row, changed = _record(
                    session=session,
                    enrolment=enrolment,
                    status=AttendanceStatus.PRESENT,
                    method=AttendanceMethod.CODE,
                    actor=None,
                )
                if changed:
                    _rejudge(face_class, enrolment)
                return row
            tries.failures += 1
            tries.save(update_fields=["failures"])
            left = MAX_CODE_FAILURES - tries.failures
            problem = (
                _("Wrong code: %(n)s tries left.") % {"n": left}
                if left
                else _(
                    "Too many wrong codes for this session: ask the lecturer to mark you present."
                )
            )
    raise ValidationError(problem)


# --- the rule ---------------------------------------------------------------------------------


def counts(face_class: FaceClass, enrolment: Enrolment) -> tuple[int, int]:
    """(sessions present, sessions of the class not cancelled) for one learner."""
    with system_scope():
        held = face_class.sessions.filter(cancelled=False).count()
        present = Attendance.objects.filter(
            session__face_class=face_class,
            session__cancelled=False,
            enrolment=enrolment,
            status=AttendanceStatus.PRESENT,
        ).count()
    return present, held


def _rejudge(face_class: FaceClass, enrolment: Enrolment) -> None:
    """Report the learner's state: done from the threshold; below it "started" (a correction
    that drops a learner below takes back the "done"), once any attendance is recorded."""
    present, held = counts(face_class, enrolment)
    met = rules.meets(present, held, threshold(face_class))
    data = {"present": present, "held": held}
    with system_scope():  # a lecturer or grader reports for learners outside their scope
        if met:
            progress_record(
                enrolment=enrolment,
                activity=face_class.activity,
                state=ProgressState.COMPLETE,
                data=data,
            )
        elif (
            present
            or Attendance.objects.filter(
                session__face_class=face_class, enrolment=enrolment
            ).exists()
        ):
            progress_record(
                enrolment=enrolment,
                activity=face_class.activity,
                state=ProgressState.STARTED,
                data=data,
                replace=True,
            )


def _rejudge_all(face_class: FaceClass) -> None:
    """After the sessions or the threshold changed: every member who has attendance."""
    with system_scope():
        enrolment_ids = set(
            Attendance.objects.filter(session__face_class=face_class).values_list(
                "enrolment_id", flat=True
            )
        )
        enrolments = list(Enrolment.objects.filter(pk__in=enrolment_ids))
    for enrolment in enrolments:
        _rejudge(face_class, enrolment)


# --- closing: the hours go to the ledger ------------------------------------------------------


def attended_periods(face_class: FaceClass) -> dict[int, Decimal]:
    """Enrolment id -> periods of the sessions attended (present), for the whole roster."""
    with system_scope():
        rows = (
            Attendance.objects.filter(
                session__face_class=face_class,
                session__cancelled=False,
                status=AttendanceStatus.PRESENT,
            )
            .values("enrolment_id")
            .annotate(total=Sum("session__periods"))
        )
        return {r["enrolment_id"]: Decimal(r["total"] or 0) for r in rows}


@transaction.atomic
def class_close(*, actor: User | None, face_class: FaceClass) -> int:
    """Close the class: attendance is frozen and each member's attended periods are posted to
    their BDTX ledger (source "class"), dated the last session's day. Idempotent: closing a
    closed class posts nothing new (``entry_post`` returns what was posted). Returns the
    number of entries posted or found."""
    _require_manager(actor, face_class)
    locked = FaceClass.objects.select_for_update().get(pk=face_class.pk)
    course = face_class.activity.course
    sessions = face_class.sessions.filter(cancelled=False)
    last = sessions.order_by("-date").values_list("date", flat=True).first()
    if last is None:
        raise ValidationError(_("The class has no session: add its sessions first."))
    year = course.school_year
    day = in_year(last, year)
    posted: list[LedgerEntry] = []
    with system_scope():
        members = list(
            ClassMember.objects.filter(face_class=face_class).select_related(
                "enrolment", "enrolment__person"
            )
        )
        periods = attended_periods(face_class)
        for member in members:
            hours = periods.get(member.enrolment_id, Decimal(0))
            if hours <= 0:
                continue
            posted.append(
                ledger.entry_post(
                    actor=None,
                    person=member.enrolment.person,
                    school_year=year,
                    programme=course.programme,
                    hours=hours,
                    date=day,
                    description=_("Face-to-face class attended: %(title)s")
                    % {"title": f"{course.title} · {face_class.activity.title}"[:400]},
                    external_ref=LEDGER_REF.format(pk=face_class.pk),
                    source=EntrySource.CLASS,
                )
            )
    if locked.status != ClassStatus.CLOSED:
        locked.status = ClassStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor if actor and actor.is_authenticated else None
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        audit(
            actor=actor,
            action="classes.class_close",
            obj=face_class.activity,
            unit_id=course.unit_id,
            changes={"posted": len(posted)},
        )
    face_class.status, face_class.closed_at = locked.status, locked.closed_at
    return len(posted)
