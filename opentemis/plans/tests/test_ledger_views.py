"""The ledger and result pages: the person's ledger (add with a file, dispute), the head's
school page (confirm many, reject, record for several, assess, compute, confirm), the result
page the evidence points to, the PDF and Excel of the results; foreign heads get 404."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from opentemis.core.scoping import system_scope
from opentemis.evidence.tests import files
from opentemis.plans import ledger, services
from opentemis.plans.models import EntrySource, LedgerEntry, YearResult

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def url(name: str, *args: Any) -> str:
    return f"{reverse(name, args=args)}?year=2025-2026"


def post_entry(pw: Any, **extra: Any) -> Any:
    data = {
        "year": "2025-2026",
        "source": "self_study",
        "programme": "03",
        "hours": "6",
        "date": "2025-12-01",
        "description": "Tự học mô đun GVPT 06",
        "file": files.upload("thu-hoach.pdf", files.pdf()),
        **extra,
    }
    return client(pw.w.teacher_a1).post(reverse("bdtx_ledger_add", args=[pw.w.person_a1.pk]), data)


def test_the_person_adds_an_entry_with_a_file_and_sees_it(pw: Any) -> None:
    pw.open()
    answer = post_entry(pw)
    assert answer.status_code == 302
    with system_scope():
        entry = LedgerEntry.objects.get()
    assert (entry.status, entry.hours, entry.evidence.original_name) == (
        "pending",
        Decimal(6),
        "thu-hoach.pdf",
    )
    page = client(pw.w.teacher_a1).get(url("bdtx_ledger", pw.w.person_a1.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sổ theo dõi BDTX" in html and "Tự học mô đun GVPT 06" in html
    assert "Chờ xác nhận" in html and "10" in html  # the evidence file limit is stated
    assert "MB" in html
    # The Vietnamese decimal comma is read as such.
    post_entry(pw, hours="2,5", file=files.upload("b.pdf", files.pdf("b")))
    with system_scope():
        assert LedgerEntry.objects.filter(hours=Decimal("2.5")).exists()


def test_a_refused_entry_keeps_what_was_typed(pw: Any) -> None:
    answer = post_entry(pw, date="2024-01-01", file="")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Tự học mô đun GVPT 06" in html and "2025-2026" in html
    with system_scope():
        assert not LedgerEntry.objects.exists()


def test_my_ledger_goes_to_the_persons_own(pw: Any) -> None:
    answer = client(pw.w.teacher_a1).get(reverse("bdtx_ledger_mine"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("bdtx_ledger", args=[pw.w.person_a1.pk]))


def test_the_person_disputes_an_entry(pw: Any) -> None:
    with system_scope():
        (entry,) = ledger.entry_record(
            actor=pw.w.principal_a1,
            people=[pw.w.person_a1],
            school_year=pw.w.year,
            source=EntrySource.SCHOOL,
            programme="01",
            hours="4",
            date=dt.date(2025, 10, 10),
            description="Sinh hoạt chuyên môn",
        )
    answer = client(pw.w.teacher_a1).post(
        reverse("bdtx_ledger_dispute", args=[pw.w.person_a1.pk]),
        {"entry": entry.pk, "reason": "Tôi vắng buổi đó", "year": "2025-2026"},
    )
    assert answer.status_code == 302
    with system_scope():
        entry.refresh_from_db()
    assert (entry.status, entry.note) == ("disputed", "Tôi vắng buổi đó")


def test_foreign_heads_and_colleagues_get_404(pw: Any) -> None:
    person = pw.w.person_a1.pk
    for user in (pw.w.principal_b1, pw.ev.colleague):
        c = client(user)
        assert c.get(url("bdtx_ledger", person)).status_code == 404
        assert c.get(url("bdtx_result", person, "2025-2026")).status_code == 404
        assert c.get(url("bdtx_school", pw.w.school_a1.pk)).status_code == 404
        assert c.post(url("bdtx_school_compute", pw.w.school_a1.pk)).status_code == 404
        assert c.get(url("bdtx_school_results_export", pw.w.school_a1.pk, "pdf")).status_code == 404


def test_the_heads_page_confirms_rejects_records(pw: Any) -> None:
    pw.open()
    post_entry(pw)
    post_entry(pw, hours="2", file=files.upload("b.pdf", files.pdf("b")))
    post_entry(pw, hours="3", file=files.upload("c.pdf", files.pdf("c")))
    head = client(pw.w.principal_a1)
    page = head.get(url("bdtx_school", pw.w.school_a1.pk))
    assert page.status_code == 200
    assert "Bản ghi chờ xác nhận" in page.content.decode()
    with system_scope():
        a, b, c = LedgerEntry.objects.order_by("hours")
    answer = head.post(
        reverse("bdtx_school_confirm", args=[pw.w.school_a1.pk]),
        {"entry": [a.pk, b.pk], "year": "2025-2026"},
    )
    assert answer.status_code == 302
    head.post(
        reverse("bdtx_school_reject", args=[pw.w.school_a1.pk]),
        {"entry": c.pk, "reason": "Thiếu chữ ký", "year": "2025-2026"},
    )
    colleague = pw.ev.colleague.person
    head.post(
        reverse("bdtx_school_record", args=[pw.w.school_a1.pk]),
        {
            "year": "2025-2026",
            "source": "class",
            "programme": "01",
            "hours": "8",
            "date": "2025-10-02",
            "description": "Lớp tập huấn chương trình 01",
            "person": [pw.w.person_a1.pk, colleague.pk, pw.w.person_b1.pk],
        },
    )
    with system_scope():
        statuses = dict(LedgerEntry.objects.values_list("pk", "status"))
        recorded = LedgerEntry.objects.filter(source="class")
        assert sorted(recorded.values_list("person_id", flat=True)) == sorted(
            [pw.w.person_a1.pk, colleague.pk]
        )  # the other province's teacher is not in the school's list: left out
    assert (statuses[a.pk], statuses[b.pk], statuses[c.pk]) == (
        "confirmed",
        "confirmed",
        "rejected",
    )


def test_assess_compute_confirm_and_the_result_page(pw: Any) -> None:
    plan = pw.ready()
    with system_scope():
        plan = services.plan_submit(actor=pw.w.teacher_a1, plan=plan)
        services.plans_approve(actor=pw.w.principal_a1, plans=[plan])
        items = list(plan.items.all())
        for programme in ("01", "02", "03"):
            ledger.entry_post(
                actor=None,
                person=pw.w.person_a1,
                school_year=pw.w.year,
                programme=programme,
                hours=40 if programme != "03" else 25,
                date=dt.date(2026, 3, 1),
                description="LMS",
                external_ref=f"lms-{programme}",
            )
    head = client(pw.w.principal_a1)
    school = pw.w.school_a1.pk
    data: dict[str, Any] = {"year": "2025-2026", "item": [i.pk for i in items]}
    for i in items:
        data[f"score_{i.pk}"] = "8"
    data[f"passed_{items[0].pk}"] = "0"
    assert head.post(reverse("bdtx_school_assess", args=[school]), data).status_code == 302
    assert head.post(url("bdtx_school_compute", school)).status_code == 302
    with system_scope():
        result = YearResult.objects.get()
    assert result.outcome == "not_completed"
    page = head.get(url("bdtx_school", school)).content.decode()
    assert "Không hoàn thành" in page and "chương trình 03 mới đạt 25/40 tiết" in page
    assert head.post(url("bdtx_school_results_confirm", school)).status_code == 302
    with system_scope():
        result.refresh_from_db()
    assert result.confirmed_by_id == pw.w.principal_a1.pk and result.evidence_id
    with system_scope():
        evidence_url = result.evidence.url
    own = client(pw.w.teacher_a1).get(evidence_url)
    html = own.content.decode()
    assert own.status_code == 200
    assert "Không hoàn thành" in html and "chương trình 03 mới đạt 25/40 tiết" in html
    assert "Chưa đạt" in html


def test_results_as_pdf_and_excel(pw: Any) -> None:
    pw.ready()
    with system_scope():
        from_service = ledger.entry_post(
            actor=None,
            person=pw.w.person_a1,
            school_year=pw.w.year,
            programme="03",
            hours=12,
            date=dt.date(2026, 3, 1),
            description="LMS",
            external_ref="lms-1",
        )
    assert from_service.pk
    head = client(pw.w.principal_a1)
    head.post(url("bdtx_school_compute", pw.w.school_a1.pk))
    pdf = head.get(url("bdtx_school_results_export", pw.w.school_a1.pk, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = head.get(url("bdtx_school_results_export", pw.w.school_a1.pk, "xlsx"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Nguyễn Văn An" in text and "Không hoàn thành" in text and "12/40" in text
    assert head.get(url("bdtx_school_results_export", pw.w.school_a1.pk, "doc")).status_code == 404
