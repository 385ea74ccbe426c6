"""Demo data: a face-to-face class of three days (R9: core staff attend 3 face-to-face days)
with places and lecturers, its roster filled from the course, and attendance at different
stages: the first two days taken (most present, one excused, one absent), the third not yet;
optionally closed, which posts the attended hours to the ledger."""

from __future__ import annotations

import datetime as dt

from opentemis.accounts.models import User
from opentemis.classes import services
from opentemis.classes.models import AttendanceStatus, ClassSession, FaceClass
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity, ActivityKind
from opentemis.orgs.models import Unit

DAYS = (
    ("Hội trường Sở Giáo dục và Đào tạo", "TS. Nguyễn Thị Lan (Trường ĐHSP)"),
    ("Trường Bồi dưỡng cán bộ quản lý giáo dục", "ThS. Trần Văn Minh"),
    ("Hội trường Sở Giáo dục và Đào tạo", "TS. Nguyễn Thị Lan (Trường ĐHSP)"),
)


def demo_class(
    *,
    activity: Activity,
    first_day: dt.date | None = None,
    unit: Unit | None = None,
    lecturer: User | None = None,
    periods: str = "8",
    taken_days: int = 2,
    close: bool = False,
) -> FaceClass:
    """The class of ``activity`` (kind "class"): 3 sessions from ``first_day`` (default: five
    weeks into the course's school year), roster from ``unit`` (default: the course's), the
    first ``taken_days`` days' attendance taken. Idempotent: a class with sessions is left as
    it is."""
    if activity.kind != ActivityKind.CLASS:
        raise ValueError("not a class activity")
    with system_scope():
        face_class, _created = FaceClass.objects.get_or_create(activity=activity)
        face_class.activity = activity
        if face_class.sessions.exists():
            return face_class
        if unit is not None:
            services.class_update(actor=None, face_class=face_class, unit=unit)
        services.roster_fill(actor=None, face_class=face_class)
        year = activity.course.school_year
        start = first_day or year.start_date + dt.timedelta(days=35)
        sessions: list[ClassSession] = []
        for index, (place, name) in enumerate(DAYS):
            sessions.append(
                services.session_add(
                    actor=None,
                    face_class=face_class,
                    date=start + dt.timedelta(days=index),
                    starts=dt.time(7, 30),
                    ends=dt.time(16, 30),
                    place=place,
                    lecturer=lecturer,
                    lecturer_name=name,
                    periods=periods,
                )
            )
        members = list(face_class.members.select_related("enrolment").order_by("pk"))
        for day, session in enumerate(sessions[:taken_days]):
            for number, member in enumerate(members):
                status = AttendanceStatus.PRESENT
                if number % 7 == 3 and day == 1:
                    status = AttendanceStatus.EXCUSED
                elif number % 9 == 5:
                    status = AttendanceStatus.ABSENT
                services.attendance_mark(
                    actor=lecturer,
                    session=session,
                    enrolment=member.enrolment,
                    status=status,
                    paths=None,
                )
        if close:
            services.class_close(actor=None, face_class=face_class)
    return face_class
