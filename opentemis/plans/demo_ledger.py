"""The demo's hours ledger (issue 12 item 8): entries of every kind and state in the demo
school, written through the ledger's own services, and the year's results computed (not
confirmed: the year is still running, so most say why the plan is not complete yet).

* online modules completed, posted as the learning system will post them (confirmed);
* a face-to-face class and a school professional activity, recorded by the principal for the
  people with an approved plan (confirmed);
* the demo teacher's self-study with a link (waiting for the principal), an external course
  with its certificate (a generated PDF, waiting), a self-study the principal rejected with a
  reason, and an entry the teacher disputes.

Idempotent: a school that already has ledger entries in the year gets none.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF

from opentemis.accounts.models import User
from opentemis.orgs.models import SchoolYear
from opentemis.plans import ledger, results
from opentemis.plans.models import EntrySource, LedgerEntry, Plan, PlanStatus
from opentemis.training.models import Programme

FONT = Path(__file__).resolve().parent.parent / "core" / "fonts" / "DejaVuSans.ttf"


def _certificate(name: str, course: str) -> bytes:
    """A one-page PDF certificate for the demo's external course."""
    pdf = FPDF(format=(148, 210), orientation="landscape")  # A5
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=18)
    pdf.cell(0, 14, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=12)
    pdf.multi_cell(0, 8, f"Chứng nhận {name} đã hoàn thành khóa học: {course}.", align="C")
    pdf.cell(0, 10, "(Dữ liệu minh họa của bản demo)", align="C")
    return bytes(pdf.output())


def seed_demo_ledger(*, principal: User, teacher: User | None, school_year: SchoolYear) -> int:
    """Entries of every kind in the demo school; returns how many were written."""
    assert principal.person is not None
    school = principal.person.unit
    if LedgerEntry.objects.filter(school_year=school_year, unit_path=school.path).exists():
        return 0
    start = max(school_year.start_date, dt.date.today() - dt.timedelta(days=330))
    start = min(start, school_year.end_date - dt.timedelta(days=60))
    approved = list(
        Plan.objects.filter(school_year=school_year, unit=school, status=PlanStatus.APPROVED)
        .select_related("person")
        .order_by("person__full_name")
    )
    people = [p.person for p in approved]
    if teacher is not None and teacher.person is not None:
        people.append(teacher.person)  # attended the class too, whatever the state of their plan
    written = 0
    for index, plan in enumerate(approved):
        for n, item in enumerate(plan.items.filter(programme=Programme.P03).order_by("position")):
            if n > index % 3:
                break
            ledger.entry_post(
                actor=None,
                person=plan.person,
                school_year=school_year,
                programme=Programme.P03,
                hours=item.hours,
                date=start + dt.timedelta(days=40 + 20 * n),
                description=f"Hoàn thành mô-đun {item.module.code if item.module else ''} trên LMS",
                external_ref=f"demo-lms-{plan.pk}-{item.pk}",
                item=item,
            )
            written += 1
    if people:
        written += len(
            ledger.entry_record(
                actor=principal,
                people=people,
                school_year=school_year,
                source=EntrySource.CLASS,
                programme=Programme.P01,
                hours="16",
                date=start + dt.timedelta(days=10),
                description="Tập huấn tập trung: nhiệm vụ năm học và Chương trình GDPT 2018",
            )
        )
        written += len(
            ledger.entry_record(
                actor=principal,
                people=people,
                school_year=school_year,
                source=EntrySource.SCHOOL,
                programme=Programme.P02,
                hours="4",
                date=start + dt.timedelta(days=30),
                description="Sinh hoạt chuyên môn theo nghiên cứu bài học (tổ chuyên môn)",
            )
        )
    if teacher is not None and teacher.person is not None:
        person = teacher.person
        ledger.entry_add(
            actor=teacher,
            person=person,
            school_year=school_year,
            source=EntrySource.SELF_STUDY,
            programme=Programme.P03,
            hours="6",
            date=start + dt.timedelta(days=50),
            description="Tự học: thiết kế câu hỏi đánh giá năng lực (ghi chép và sản phẩm)",
            url="https://example.edu.vn/tu-hoc/cau-hoi-danh-gia",
        )
        ledger.entry_add(
            actor=teacher,
            person=person,
            school_year=school_year,
            source=EntrySource.EXTERNAL,
            programme=Programme.P02,
            hours="8",
            date=start + dt.timedelta(days=60),
            description="Khóa học ngoài: Chuyển đổi số trong dạy học (trường đại học sư phạm)",
            uploaded_file=SimpleUploadedFile(
                "chung-nhan.pdf",
                _certificate(person.full_name, "Chuyển đổi số trong dạy học"),
                content_type="application/pdf",
            ),
        )
        rejected = ledger.entry_add(
            actor=teacher,
            person=person,
            school_year=school_year,
            source=EntrySource.SELF_STUDY,
            programme=Programme.P01,
            hours="10",
            date=start + dt.timedelta(days=20),
            description="Tự đọc tài liệu nhiệm vụ năm học",
            url="https://example.edu.vn/tai-lieu",
        )
        ledger.entry_reject(
            actor=principal,
            entry=rejected,
            reason="Chưa có sản phẩm kèm theo; đề nghị bổ sung bài thu hoạch.",
        )
        written += 3
    if teacher is not None and teacher.person is not None:
        attended = LedgerEntry.objects.filter(
            school_year=school_year, person=teacher.person, source=EntrySource.SCHOOL
        ).first()
        if attended is not None:
            ledger.entry_dispute(
                actor=teacher,
                entry=attended,
                reason="Tôi dự hai buổi sinh hoạt chuyên môn (8 tiết), không phải một buổi.",
            )
    results.results_compute_school(actor=principal, unit=school, school_year=school_year)
    return written
