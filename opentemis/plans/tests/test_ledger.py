"""The hours ledger (issue 12 item 5): who writes which entries and how they start, posting
twice records once, confirming, rejecting, disputing, and the totals (a school's in a fixed
number of queries)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evidence.tests import files
from opentemis.plans import ledger
from opentemis.plans.models import EntrySource, EntryStatus, LedgerEntry
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 11, 20)


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


def add(pw: Any, **kw: Any) -> LedgerEntry:
    args: dict[str, Any] = {
        "actor": pw.w.teacher_a1,
        "person": pw.w.person_a1,
        "school_year": pw.w.year,
        "source": EntrySource.SELF_STUDY,
        "programme": "03",
        "hours": "10",
        "date": DAY,
        "description": "Tự học mô đun GVPT 06",
        "uploaded_file": files.upload("bai-thu-hoach.pdf", files.pdf()),
    }
    args.update(kw)
    with system_scope():
        return ledger.entry_add(**args)


def record(pw: Any, people: list[Any], **kw: Any) -> list[LedgerEntry]:
    args: dict[str, Any] = {
        "actor": pw.w.principal_a1,
        "people": people,
        "school_year": pw.w.year,
        "source": EntrySource.SCHOOL,
        "programme": "01",
        "hours": "4",
        "date": DAY,
        "description": "Sinh hoạt chuyên môn tổ 1-2",
    }
    args.update(kw)
    with system_scope():
        return ledger.entry_record(**args)


def test_self_study_waits_with_its_evidence_in_the_library(pw: Any) -> None:
    entry = add(pw)
    assert entry.status == EntryStatus.PENDING
    assert entry.evidence is not None and entry.evidence.owner_id == pw.w.person_a1.pk
    assert entry.evidence.school_year_id == pw.w.year.pk
    linked = add(pw, uploaded_file=None, url="https://example.org/bai-viet", hours="2.5")
    assert linked.evidence is not None and linked.evidence.url == "https://example.org/bai-viet"
    with system_scope():
        assert AuditEvent.objects.filter(action="plans.ledger_add").count() == 2


def test_self_study_needs_evidence_and_external_a_certificate(pw: Any) -> None:
    with pytest.raises(ValidationError):
        add(pw, uploaded_file=None)
    with pytest.raises(ValidationError, match=r"certificate|chứng"):
        add(pw, source=EntrySource.EXTERNAL, uploaded_file=None, url="https://example.org/x")
    with pytest.raises(ValidationError):  # the evidence library's own checks apply
        add(pw, uploaded_file=files.upload("virus.pdf", b"MZ not a pdf at all"))
    entry = add(pw, source=EntrySource.EXTERNAL)
    assert entry.source == EntrySource.EXTERNAL and entry.status == EntryStatus.PENDING


def test_fields_are_checked_together(pw: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        add(pw, hours="0", date=dt.date(2024, 1, 1), description="  ", programme="09")
    assert len(caught.value.messages) == 4
    with pytest.raises(ValidationError):
        add(pw, hours="-3")
    with pytest.raises(ValidationError):
        add(pw, hours="1.25")


def test_only_the_person_adds_their_own(pw: Any) -> None:
    with pytest.raises(Http404):
        add(pw, actor=pw.w.principal_a1)
    with pytest.raises(ValidationError):
        add(pw, source=EntrySource.CLASS)


def test_an_item_must_be_of_the_persons_plan_and_programme(pw: Any) -> None:
    plan = pw.open()
    with system_scope():
        item01 = plan.items.get(programme="01")
    entry = add(pw, programme="01", item=item01)
    assert entry.item_id == item01.pk
    with pytest.raises(ValidationError, match="01"):
        add(pw, programme="03", item=item01)
    other = PersonFactory(unit=pw.w.school_a1, full_name="Mai Văn Khác", staff_code="GVA9")
    with system_scope(), pytest.raises(ValidationError):
        ledger.entry_post(
            actor=None,
            person=other,
            school_year=pw.w.year,
            programme="01",
            hours=3,
            date=DAY,
            description="x",
            external_ref="k",
            item=item01,
        )


def test_the_head_records_for_several_confirmed_their_own_waits(pw: Any) -> None:
    principal = pw.w.principal_a1
    entries = record(pw, [pw.w.person_a1, pw.ev.colleague.person, principal.person])
    assert [e.status for e in entries] == ["confirmed", "confirmed", "pending"]
    assert entries[0].confirmed_by_id == principal.pk
    with system_scope():
        assert AuditEvent.objects.filter(action="plans.ledger_record").count() == 3


def test_recording_outside_ones_school_is_404_and_writes_nothing(pw: Any) -> None:
    with pytest.raises(Http404):
        record(pw, [pw.w.person_a1, pw.w.person_b1])
    with system_scope():
        assert not LedgerEntry.objects.exists()
    with pytest.raises(Http404):
        record(pw, [pw.w.person_a1], actor=pw.w.principal_b1)
    with pytest.raises(Http404):
        record(pw, [pw.w.person_a1], actor=pw.w.teacher_a1)


def test_posting_twice_records_once(pw: Any) -> None:
    def post(hours: int = 10) -> LedgerEntry:
        with system_scope():
            return ledger.entry_post(
                actor=None,
                person=pw.w.person_a1,
                school_year=pw.w.year,
                programme="03",
                hours=hours,
                date=DAY,
                description="Hoàn thành mô đun GVPT 06 trên LMS",
                external_ref="lms-42",
            )

    first, second = post(), post(hours=99)
    assert first.pk == second.pk and second.hours == Decimal(10)
    assert first.status == EntryStatus.CONFIRMED and first.source == EntrySource.ONLINE
    with system_scope():
        assert LedgerEntry.objects.count() == 1
        assert AuditEvent.objects.filter(action="plans.ledger_post").count() == 1
        with pytest.raises(ValidationError):
            ledger.entry_post(
                actor=None,
                person=pw.w.person_a1,
                school_year=pw.w.year,
                programme="03",
                hours=1,
                date=DAY,
                description="x",
                external_ref="",
            )


def test_confirm_reject_dispute(pw: Any) -> None:
    a, b = add(pw), add(pw, uploaded_file=files.upload("b.pdf", files.pdf("b")))
    head, teacher = pw.w.principal_a1, pw.w.teacher_a1
    with system_scope():
        with pytest.raises(Http404):
            ledger.entries_confirm(actor=pw.w.principal_b1, entries=[a])
        with pytest.raises(PermissionDenied):  # the person confirms none of their own
            ledger.entries_confirm(actor=teacher, entries=[a])
        confirmed = ledger.entries_confirm(actor=head, entries=[a, b])
        assert {e.status for e in confirmed} == {"confirmed"}
        with pytest.raises(ValidationError):
            ledger.entry_reject(actor=head, entry=a, reason=" ")
        rejected = ledger.entry_reject(actor=head, entry=a, reason="Minh chứng không rõ")
        assert (rejected.status, rejected.note, rejected.confirmed_by) == (
            "rejected",
            "Minh chứng không rõ",
            None,
        )
        disputed = ledger.entry_dispute(actor=teacher, entry=a, reason="Đã nộp bản rõ hơn")
        assert disputed.status == "disputed"
        with pytest.raises(Http404):
            ledger.entry_dispute(actor=pw.w.principal_b1, entry=a, reason="x")
        with pytest.raises(Http404):  # a colleague does not see it
            ledger.entry_dispute(actor=pw.ev.colleague, entry=a, reason="x")
        with pytest.raises(PermissionDenied):
            ledger.entry_reject(actor=teacher, entry=a, reason="x")
        totals = ledger.person_ledger(actor=teacher, person=pw.w.person_a1, school_year=pw.w.year)
    assert totals.totals.confirmed == {"03": Decimal(10)}
    assert totals.totals.pending == {"03": Decimal(10)}  # the disputed one, shown apart


def test_the_heads_own_hours_are_confirmed_by_their_superior(pw: Any) -> None:
    (own,) = record(pw, [pw.w.principal_a1.person])
    with system_scope(), pytest.raises(PermissionDenied):
        ledger.entry_confirm(actor=pw.w.principal_a1, entry=own)
    with system_scope():
        assert ledger.entry_confirm(actor=pw.w.officer_a, entry=own).status == "confirmed"


def test_the_ledger_shows_confirmed_against_the_requirement(pw: Any) -> None:
    pw.open()
    record(pw, [pw.w.person_a1], hours="30")
    add(pw, programme="01", hours="5")
    with system_scope():
        book = ledger.person_ledger(
            actor=pw.w.teacher_a1, person=pw.w.person_a1, school_year=pw.w.year
        )
        with pytest.raises(Http404):
            ledger.person_ledger(
                actor=pw.ev.colleague, person=pw.w.person_a1, school_year=pw.w.year
            )
        with pytest.raises(Http404):
            ledger.person_ledger(
                actor=pw.w.principal_b1, person=pw.w.person_a1, school_year=pw.w.year
            )
    line01 = next(line for line in book.totals.lines if line.programme == "01")
    assert (line01.required, line01.counted, line01.missing) == (40, Decimal(30), Decimal(10))
    assert book.totals.pending == {"01": Decimal(5)}
    assert book.can_add and not book.can_manage


def test_school_totals_in_a_fixed_number_of_queries(pw: Any) -> None:
    school = pw.w.school_a1
    people = [
        PersonFactory(unit=school, full_name=f"Giáo viên {i:03}", staff_code=f"GVX{i:03}")
        for i in range(100)
    ]
    record(pw, people, hours="3")
    record(pw, people[:50], programme="02", hours="2", source=EntrySource.CLASS)
    with system_scope(), CaptureQueriesContext(connection) as queries:
        rows = ledger.school_totals(actor=pw.w.principal_a1, unit=school, school_year=pw.w.year)
    assert len(queries.captured_queries) <= 5
    by_person = {r.person.pk: r for r in rows}
    assert by_person[people[0].pk].totals.confirmed == {"01": Decimal(3), "02": Decimal(2)}
    assert by_person[people[99].pk].totals.confirmed == {"01": Decimal(3)}
    with system_scope(), pytest.raises(Http404):
        ledger.school_totals(actor=pw.w.principal_b1, unit=school, school_year=pw.w.year)


def test_waiting_entries_of_a_school(pw: Any) -> None:
    add(pw)
    record(pw, [pw.w.principal_a1.person])  # the head's own: for their superior
    colleague = make_user(
        "teacher_b9",
        role="teacher",
        unit=pw.w.school_b1,
        person=PersonFactory(unit=pw.w.school_b1, full_name="B", staff_code="GVB9"),
    )
    assert colleague is not None
    with system_scope():
        waiting = ledger.waiting_entries(
            actor=pw.w.principal_a1, unit=pw.w.school_a1, school_year=pw.w.year
        )
        assert [e.person_id for e in waiting] == [pw.w.person_a1.pk]
        with pytest.raises(Http404):
            ledger.waiting_entries(
                actor=pw.w.principal_b1, unit=pw.w.school_a1, school_year=pw.w.year
            )
