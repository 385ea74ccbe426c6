"""Reads of face-to-face classes: the roster with each member's attendance, a learner's own
record, the class's results (issue 13 item 6). The caller has checked access
(``classes.access``); what a taker sees is narrowed to their subtrees (``Paths``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from opentemis.classes import rules, services
from opentemis.classes.access import Paths
from opentemis.classes.models import (
    Attendance,
    AttendanceStatus,
    ClassMember,
    ClassSession,
    FaceClass,
)
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Enrolment


def _narrow(paths: Paths) -> Q:
    if paths is None:
        return Q()
    query = Q(pk__in=[])
    for prefix in paths:
        query |= Q(unit_path__startswith=prefix)
    return query


def sessions(face_class: FaceClass) -> list[ClassSession]:
    return list(face_class.sessions.select_related("lecturer").order_by("date", "starts", "pk"))


def roster(face_class: FaceClass, paths: Paths) -> list[ClassMember]:
    """The members the caller takes, by unit then name (read in the system scope once the
    access rule allowed it, ``classes.access``)."""
    with system_scope():
        return list(
            ClassMember.objects.filter(face_class=face_class)
            .filter(_narrow(paths))
            .select_related("enrolment__person")
            .order_by("unit_path", "enrolment__person__full_name", "pk")
        )


@dataclass
class RollRow:
    member: ClassMember
    status: str = ""
    method: str = ""


def roll_call(session: ClassSession, paths: Paths) -> list[RollRow]:
    """The roster of ``session`` with each member's mark (empty: not taken yet)."""
    members = roster(session.face_class, paths)
    with system_scope():
        marks = {
            a.enrolment_id: a
            for a in Attendance.objects.filter(
                session=session, enrolment_id__in=[m.enrolment_id for m in members]
            )
        }
    rows = []
    for member in members:
        mark = marks.get(member.enrolment_id)
        rows.append(RollRow(member, mark.status if mark else "", mark.method if mark else ""))
    return rows


@dataclass
class ResultRow:
    member: ClassMember
    present: int
    excused: int
    held: int
    periods: Decimal
    share: Decimal
    met: bool
    marks: list[str] = field(default_factory=list)  # per session: status or ""


@dataclass
class Results:
    sessions: list[ClassSession]
    rows: list[ResultRow]
    threshold: Decimal
    needed: int


def results(face_class: FaceClass, paths: Paths) -> Results:
    """Each member's sessions attended, share, periods and whether the threshold is met."""
    all_sessions = sessions(face_class)
    held_sessions = [s for s in all_sessions if not s.cancelled]
    held = len(held_sessions)
    limit = services.threshold(face_class)
    members = roster(face_class, paths)
    with system_scope():
        marks: dict[tuple[int, int], str] = {
            (a.enrolment_id, a.session_id): a.status
            for a in Attendance.objects.filter(
                session__face_class=face_class,
                enrolment_id__in=[m.enrolment_id for m in members],
            ).only("enrolment_id", "session_id", "status")
        }
    rows = []
    for member in members:
        line = [marks.get((member.enrolment_id, s.pk), "") for s in all_sessions]
        present = sum(
            1
            for s in held_sessions
            if marks.get((member.enrolment_id, s.pk)) == AttendanceStatus.PRESENT
        )
        excused = sum(
            1
            for s in held_sessions
            if marks.get((member.enrolment_id, s.pk)) == AttendanceStatus.EXCUSED
        )
        periods = sum(
            (
                s.periods
                for s in held_sessions
                if marks.get((member.enrolment_id, s.pk)) == AttendanceStatus.PRESENT
            ),
            Decimal(0),
        )
        rows.append(
            ResultRow(
                member=member,
                present=present,
                excused=excused,
                held=held,
                periods=periods,
                share=rules.share(present, held),
                met=rules.meets(present, held, limit),
                marks=line,
            )
        )
    return Results(all_sessions, rows, limit, rules.needed(held, limit))


@dataclass
class Mine:
    member: bool
    sessions: list[tuple[ClassSession, str, bool]]  # session, own mark, code window open now
    present: int
    held: int
    share: Decimal
    met: bool
    threshold: Decimal
    needed: int


def mine(face_class: FaceClass, enrolment: Enrolment) -> Mine:
    """The learner's own page: the sessions with their own mark, their share."""
    member = services.is_member(face_class, enrolment)
    marks = dict(
        Attendance.objects.filter(session__face_class=face_class, enrolment=enrolment).values_list(
            "session_id", "status"
        )
    )
    rows = [(s, marks.get(s.pk, ""), services.code_is_open(s)) for s in sessions(face_class)]
    present, held = services.counts(face_class, enrolment)
    limit = services.threshold(face_class)
    return Mine(
        member=member,
        sessions=rows,
        present=present,
        held=held,
        share=rules.share(present, held),
        met=rules.meets(present, held, limit),
        threshold=limit,
        needed=rules.needed(held, limit),
    )
