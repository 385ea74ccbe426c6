"""Face-to-face classes: the ≥ 80 % rule (hand-computed), the code window and the lock against
guessing, roll-call idempotency, hours posted once to the ledger (and ``entry_post``'s source),
scoping of every taker, pages and API end to end."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from opentemis.accounts.models import AuditEvent
from opentemis.classes import rules, services
from opentemis.classes.models import Attendance, ClassSession, CodeTry, FaceClass
from opentemis.core.scoping import system_scope
from opentemis.learning import services as learning
from opentemis.learning.models import ActivityProgress
from opentemis.plans import ledger
from opentemis.plans.models import EntrySource, LedgerEntry
from opentemis.training.models import TrainingYear
from tests.factories import PersonFactory, make_user
from tests.learning_world import LearningWorld, make_course

# --- the rule, by hand -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "held", "threshold", "met"),
    [
        (4, 5, "0.80", True),  # 4/5 = 0.80 meets 0.80 exactly
        (3, 4, "0.80", False),  # 0.75
        (8, 10, "0.80", True),
        (7, 9, "0.80", False),  # 0.777...
        (3, 3, "0.80", True),
        (2, 3, "0.80", False),  # 0.666...
        (0, 0, "0.80", False),  # no session: not met
        (3, 4, "0.75", True),
    ],
)
def test_meets_by_hand(present: int, held: int, threshold: str, met: bool) -> None:
    assert rules.meets(present, held, Decimal(threshold)) is met


def test_needed_and_share() -> None:
    assert rules.needed(5, Decimal("0.80")) == 4
    assert rules.needed(3, Decimal("0.80")) == 3  # 2.4 rounds up
    assert rules.needed(10, Decimal("0.80")) == 8
    assert rules.share(4, 5) == Decimal("0.8")
    assert rules.share(1, 0) == 0


# --- a class to work on --------------------------------------------------------------------


class ClassWorld:
    def __init__(self, world: Any, sessions: int = 5) -> None:
        self.w = world
        self.lw: LearningWorld = make_course(world)
        self.activity = self.lw.activity("class", "Lớp tập trung")
        with system_scope():
            self.face_class = FaceClass.objects.create(activity=self.activity)
            self.face_class.activity = self.activity
            self.enrolment_a2 = self.lw.enrol(world.person_a2)
            services.roster_fill(actor=world.officer_a, face_class=self.face_class)
            start = world.year.start_date + dt.timedelta(days=40)
            self.sessions = [
                services.session_add(
                    actor=world.officer_a,
                    face_class=self.face_class,
                    date=start + dt.timedelta(days=i),
                    periods="8",
                    place="Hội trường Sở",
                )
                for i in range(sessions)
            ]

    def mark(self, index: int, status: str, enrolment: Any = None) -> Attendance:
        with system_scope():
            return services.attendance_mark(
                actor=self.w.officer_a,
                session=self.sessions[index],
                enrolment=enrolment or self.lw.enrolment,
                status=status,
            )

    def state(self, enrolment: Any = None) -> str:
        with system_scope():
            row = ActivityProgress.objects.filter(
                enrolment=enrolment or self.lw.enrolment, activity=self.activity
            ).first()
        return row.state if row else ""


@pytest.fixture
def cw(world: Any) -> ClassWorld:
    return ClassWorld(world)


def test_threshold_comes_from_the_year_data(cw: ClassWorld) -> None:
    with system_scope():
        year = TrainingYear.objects.get(school_year=cw.w.year)  # loaded from catalogues.yaml
        assert year.attendance_min == Decimal("0.80")
        assert "TT 28/2014" in year.attendance_source and year.attendance_to_verify
        assert services.threshold(cw.face_class) == Decimal("0.80")
        year.attendance_min = Decimal("0.70")
        year.save()
        assert services.threshold(cw.face_class) == Decimal("0.70")
        services.class_update(
            actor=cw.w.officer_a, face_class=cw.face_class, attendance_min="90", code_minutes=10
        )
        assert services.threshold(cw.face_class) == Decimal("0.90")


def test_four_of_five_completes_and_a_correction_takes_it_back(cw: ClassWorld) -> None:
    for i in range(3):
        cw.mark(i, "present")
    cw.mark(3, "excused")
    assert cw.state() == "started"  # 3/5, excused counts as absent
    cw.mark(4, "present")
    assert cw.state() == "complete"  # 4/5 = 0.80
    cw.mark(0, "absent")
    assert cw.state() == "started"  # 3/5 after the correction
    cw.mark(3, "present")
    assert cw.state() == "complete"


def test_adding_or_cancelling_a_session_rejudges(cw: ClassWorld) -> None:
    for i in range(4):
        cw.mark(i, "present")
    assert cw.state() == "complete"
    with system_scope():
        extra = services.session_add(
            actor=cw.w.officer_a,
            face_class=cw.face_class,
            date=cw.sessions[-1].date + dt.timedelta(days=1),
            periods="4",
        )
    assert cw.state() == "started"  # 4/6
    with system_scope():
        services.session_cancel(actor=cw.w.officer_a, session=extra)
    assert cw.state() == "complete"


def test_roll_call_is_idempotent(cw: ClassWorld) -> None:
    cw.mark(0, "present")
    cw.mark(0, "present")
    with system_scope():
        assert Attendance.objects.filter(session=cw.sessions[0]).count() == 1
        assert AuditEvent.objects.filter(action="classes.attendance_mark").count() == 1
    cw.mark(0, "absent")
    with system_scope():
        assert Attendance.objects.get(session=cw.sessions[0]).status == "absent"


def test_only_roster_members_are_marked(cw: ClassWorld, world: Any) -> None:
    with system_scope():
        stranger = cw.lw.enrol(PersonFactory(unit=world.school_a1, full_name="Người Mới"))
        with pytest.raises(ValidationError):
            services.attendance_mark(
                actor=world.officer_a, session=cw.sessions[0], enrolment=stranger, status="present"
            )
        with pytest.raises(ValidationError):
            services.attendance_mark(
                actor=world.officer_a,
                session=cw.sessions[0],
                enrolment=cw.lw.enrolment,
                status="late",
            )


# --- the code ----------------------------------------------------------------------------------


def test_code_window(cw: ClassWorld) -> None:
    now = dt.datetime(2025, 10, 11, 8, 0, tzinfo=dt.UTC)
    session = cw.sessions[0]
    with system_scope():
        with pytest.raises(ValidationError, match="Hiện không có buổi học"):
            services.code_enter(
                face_class=cw.face_class, enrolment=cw.lw.enrolment, code="123456", now=now
            )
        services.code_open(actor=cw.w.officer_a, session=session, now=now)
        session.refresh_from_db()
        assert len(session.code) == 6 and session.code.isdigit()
        row = services.code_enter(
            face_class=cw.face_class,
            enrolment=cw.lw.enrolment,
            code=session.code,
            now=now + dt.timedelta(minutes=14),
        )
        assert (row.status, row.method) == ("present", "code")
        with pytest.raises(
            ValidationError, match="Hiện không có buổi học"
        ):  # the window has closed
            services.code_enter(
                face_class=cw.face_class,
                enrolment=cw.enrolment_a2,
                code=session.code,
                now=now + dt.timedelta(minutes=15),
            )


def test_five_wrong_codes_lock_the_session(cw: ClassWorld) -> None:
    now = dt.datetime(2025, 10, 11, 8, 0, tzinfo=dt.UTC)
    session = cw.sessions[0]
    with system_scope():
        services.code_open(actor=cw.w.officer_a, session=session, now=now)
        session.refresh_from_db()
        wrong = f"{(int(session.code) + 1) % 10**6:06d}"
        for _ in range(services.MAX_CODE_FAILURES):
            with pytest.raises(ValidationError):
                services.code_enter(
                    face_class=cw.face_class, enrolment=cw.lw.enrolment, code=wrong, now=now
                )
        assert CodeTry.objects.get(session=session, enrolment=cw.lw.enrolment).failures == 5
        with pytest.raises(ValidationError, match="quá nhiều lần"):  # even the right code now
            services.code_enter(
                face_class=cw.face_class, enrolment=cw.lw.enrolment, code=session.code, now=now
            )
        assert not Attendance.objects.filter(session=session, enrolment=cw.lw.enrolment).exists()
        # another learner is not locked
        services.code_enter(
            face_class=cw.face_class, enrolment=cw.enrolment_a2, code=session.code, now=now
        )
        with pytest.raises(ValidationError, match="6 chữ số"):
            services.code_enter(
                face_class=cw.face_class, enrolment=cw.enrolment_a2, code="12ab", now=now
            )


# --- hours to the ledger -----------------------------------------------------------------------


def test_entry_post_keeps_online_by_default_and_takes_a_source(world: Any) -> None:
    with system_scope():
        common = dict(
            actor=None,
            person=world.person_a1,
            school_year=world.year,
            programme="03",
            hours="8",
            date=world.year.start_date,
            description="x",
            external_ref="classes.class:999",
        )
        online = ledger.entry_post(**common)  # type: ignore[arg-type]
        in_class = ledger.entry_post(**common, source=EntrySource.CLASS)  # type: ignore[arg-type]
        again = ledger.entry_post(**common, source=EntrySource.CLASS)  # type: ignore[arg-type]
        assert online.source == EntrySource.ONLINE and in_class.source == EntrySource.CLASS
        assert again.pk == in_class.pk and online.pk != in_class.pk
        with pytest.raises(ValueError):
            ledger.entry_post(**common, source=EntrySource.SELF_STUDY)  # type: ignore[arg-type]


def test_closing_posts_attended_hours_once_and_freezes(cw: ClassWorld) -> None:
    for i in range(4):
        cw.mark(i, "present")
    cw.mark(0, "present", cw.enrolment_a2)
    cw.mark(1, "excused", cw.enrolment_a2)
    ref = f"classes.class:{cw.face_class.pk}"
    with system_scope():
        assert not LedgerEntry.objects.filter(external_ref=ref).exists()  # not before closing
        assert services.class_close(actor=cw.w.officer_a, face_class=cw.face_class) == 2
        entries = {
            e.person_id: e for e in LedgerEntry.objects.filter(external_ref=ref, source="class")
        }
        assert entries[cw.w.person_a1.pk].hours == Decimal("32")  # 4 sessions of 8
        assert entries[cw.w.person_a2.pk].hours == Decimal("8")  # excused does not count
        assert entries[cw.w.person_a1.pk].status == "confirmed"
        assert services.class_close(actor=cw.w.officer_a, face_class=cw.face_class) == 2
        assert LedgerEntry.objects.filter(external_ref=ref).count() == 2
        with pytest.raises(ValidationError, match="Lớp đã kết thúc"):
            services.attendance_mark(
                actor=cw.w.officer_a,
                session=cw.sessions[4],
                enrolment=cw.lw.enrolment,
                status="present",
            )


# --- who takes attendance ----------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_outsiders_get_404(cw: ClassWorld, world: Any) -> None:
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    colleague = make_user(
        "colleague",
        role="teacher",
        unit=world.school_a1,
        person=PersonFactory(unit=world.school_a1),
    )
    session = cw.sessions[0]
    for user in (officer_b, colleague, world.principal_a1):
        client = _client(user)
        for name, pk in (
            ("class_manage", cw.activity.pk),
            ("class_results", cw.activity.pk),
            ("class_rollcall", session.pk),
        ):
            assert client.get(reverse(name, args=[pk])).status_code == 404, (user, name)
        answer = client.post(
            reverse("class_rollcall_mark", args=[session.pk]),
            {"enrolment": cw.lw.enrolment.pk, "status": "present"},
        )
        assert answer.status_code == 404
    assert _client(officer_b).get(reverse("class_learn", args=[cw.activity.pk])).status_code == 404
    with system_scope():
        assert not Attendance.objects.exists()


def test_lecturer_and_grader_take_attendance_within_their_reach(cw: ClassWorld, world: Any) -> None:
    lecturer = make_user("lecturer", role="lecturer", unit=world.province_b)
    core = make_user(
        "core_a2",
        role="core_teacher",
        unit=world.school_a2,
        person=PersonFactory(unit=world.school_a2),
    )
    with system_scope():
        session = cw.sessions[0]
        session.lecturer = lecturer
        session.save()
        learning.grader_set(actor=None, course=cw.lw.course, user=core, unit=world.school_a2)
    # the lecturer sees the whole roster of their session, not the other sessions
    client = _client(lecturer)
    page = client.get(reverse("class_rollcall", args=[session.pk]))
    assert page.status_code == 200
    assert world.person_a1.full_name in page.content.decode()
    assert world.person_a2.full_name in page.content.decode()
    assert client.get(reverse("class_rollcall", args=[cw.sessions[1].pk])).status_code == 404
    answer = client.post(
        reverse("class_rollcall_mark", args=[session.pk]),
        {"enrolment": cw.lw.enrolment.pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200 and 'aria-pressed="true"' in answer.content.decode()
    # the grader of school A2 sees and marks only school A2's learners
    client = _client(core)
    page = client.get(reverse("class_rollcall", args=[cw.sessions[1].pk]))
    assert page.status_code == 200
    assert world.person_a2.full_name in page.content.decode()
    assert world.person_a1.full_name not in page.content.decode()
    refused = client.post(
        reverse("class_rollcall_mark", args=[cw.sessions[1].pk]),
        {"enrolment": cw.lw.enrolment.pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 400
    ok = client.post(
        reverse("class_rollcall_mark", args=[cw.sessions[1].pk]),
        {"enrolment": cw.enrolment_a2.pk, "status": "present"},
    )
    assert ok.status_code == 302
    # a grader may not open a code (officers and the lecturer only), nor cancel a session
    client.post(reverse("class_code_open", args=[cw.sessions[1].pk]))
    assert client.post(reverse("class_session_cancel", args=[cw.sessions[1].pk])).status_code == 404
    with system_scope():
        assert not ClassSession.objects.get(pk=cw.sessions[1].pk).code
        assert Attendance.objects.filter(enrolment=cw.enrolment_a2).count() == 1
    assert cw.state() == "started"


# --- pages -------------------------------------------------------------------------------------


def test_pages_end_to_end(cw: ClassWorld, world: Any) -> None:
    officer = _client(world.officer_a)
    page = officer.get(reverse("class_manage", args=[cw.activity.pk]))
    assert page.status_code == 200
    answer = officer.post(
        reverse("class_session_add", args=[cw.activity.pk]),
        {"date": "2025-10-20", "periods": "4", "place": "Phòng 2", "starts": "07:30"},
    )
    assert answer.status_code == 302
    with system_scope():
        assert cw.face_class.sessions.count() == 6
    bad = officer.post(
        reverse("class_session_add", args=[cw.activity.pk]), {"date": "2030-01-01", "periods": "x"}
    )
    assert bad.status_code == 302
    with system_scope():
        assert cw.face_class.sessions.count() == 6
    # the lecturer's code, the learner enters it
    officer.post(reverse("class_code_open", args=[cw.sessions[0].pk]))
    with system_scope():
        code = ClassSession.objects.get(pk=cw.sessions[0].pk).code
    roll = officer.get(reverse("class_rollcall", args=[cw.sessions[0].pk]))
    assert code in roll.content.decode()
    learner = _client(world.teacher_a1)
    assert learner.get(reverse("class_learn", args=[cw.activity.pk])).status_code == 200
    learner.post(reverse("class_code_enter", args=[cw.activity.pk]), {"code": code})
    with system_scope():
        assert (
            Attendance.objects.get(session=cw.sessions[0], enrolment=cw.lw.enrolment).method
            == "code"
        )
    # results and export
    results = officer.get(reverse("class_results", args=[cw.activity.pk]))
    assert results.status_code == 200 and world.person_a1.full_name in results.content.decode()
    export = officer.get(reverse("class_results_export", args=[cw.activity.pk]))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    names = [c.value for c in sheet["B"]]
    assert world.person_a1.full_name in names
    # closing needs the box ticked
    officer.post(reverse("class_close", args=[cw.activity.pk]))
    cw.face_class.refresh_from_db()
    assert cw.face_class.status == "open"
    officer.post(reverse("class_close", args=[cw.activity.pk]), {"confirm": "1"})
    cw.face_class.refresh_from_db()
    assert cw.face_class.status == "closed"


def test_api_end_to_end(cw: ClassWorld, world: Any) -> None:
    officer = _client(world.officer_a)
    learner = _client(world.teacher_a1)
    session = cw.sessions[0]
    sessions = learner.get(reverse("api:learn-class-sessions", args=[cw.activity.pk]))
    assert sessions.status_code == 200 and len(sessions.json()["sessions"]) == 5
    marked = officer.post(
        reverse("api:learn-class-mark", args=[session.pk]),
        {"enrolment": cw.lw.enrolment.pk, "status": "present"},
        content_type="application/json",
    )
    assert marked.status_code == 200 and marked.json()["status"] == "present"
    roster = officer.get(reverse("api:learn-class-roster", args=[session.pk])).json()
    assert {r["enrolment"]: r["status"] for r in roster}[cw.lw.enrolment.pk] == "present"
    bad = officer.post(
        reverse("api:learn-class-mark", args=[session.pk]),
        {"enrolment": cw.lw.enrolment.pk, "status": "late"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    code = learner.post(
        reverse("api:learn-class-code", args=[cw.activity.pk]),
        {"code": "000000"},
        content_type="application/json",
    )
    assert code.status_code == 400 and code.json()
    assert learner.get(reverse("api:learn-class-roster", args=[session.pk])).status_code == 404
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    assert (
        _client(officer_b)
        .get(reverse("api:learn-class-sessions", args=[cw.activity.pk]))
        .status_code
        == 404
    )


def test_transfer_round_trip(cw: ClassWorld) -> None:
    from opentemis.classes import transfer

    with system_scope():
        data, files = transfer.export_class(cw.activity)
        assert files == {} and len(data["sessions"]) == 5 and "date" not in data["sessions"][0]
        other = cw.lw.activity("class", "Bản sao")
        transfer.import_class(other, data, {})
        made = FaceClass.objects.get(activity=other)
        assert len(made.session_templates) == 5 and not made.sessions.exists()
        assert not made.members.exists()


def test_demo_class(world: Any) -> None:
    from opentemis.classes.demo import demo_class

    lw = make_course(world)
    activity = lw.activity("class", "Lớp tập trung")
    with system_scope():
        lw.enrol(world.person_a2)
        face_class = demo_class(activity=activity, close=True)
        assert face_class.sessions.count() == 3
        assert Attendance.objects.filter(session__face_class=face_class).count() == 4
        assert LedgerEntry.objects.filter(
            external_ref=f"classes.class:{face_class.pk}", source="class"
        ).exists()
        assert demo_class(activity=activity).pk == face_class.pk  # idempotent
