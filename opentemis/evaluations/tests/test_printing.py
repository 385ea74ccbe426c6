"""The official forms as PDF and xlsx: content, level marks, anonymity, access, print-all."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from opentemis.core.pdf import Document
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Evaluation
from opentemis.evaluations.printing import official_forms, pdf, xlsx
from opentemis.evidence import services as evidence_services
from opentemis.jobs.models import Job, JobStatus
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

EVERY_DIACRITIC = "Nguyễn Thị Hằng Ưng Đức Ỷ Ộ Ữ ỹ ằ ẳ ẵ ặ ơ ờ ở ỡ ợ"


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    root = tmp_path / "media"
    root.mkdir()
    with override_settings(MEDIA_ROOT=str(root)):
        yield root


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def _finalised(ev: Any, *, evidence: str = "Giáo án chủ đề Nước") -> Evaluation:
    """teacher_a1's BM1: criterion 1 at Tốt, 15 at Đạt, the rest Khá; evidence on criterion 4;
    finalised by the principal at Tốt except criterion 4 (Khá), so Khá overall."""
    evaluation = ev.start()
    with system_scope():
        item = evidence_services.evidence_add_link(
            actor=ev.w.teacher_a1,
            owner=ev.w.person_a1,
            url="https://example.org/giao-an",
            title=evidence,
        )
        services.evidence_attach(
            actor=ev.w.teacher_a1, evaluation=evaluation, criterion=4, evidence=item
        )
    ev.submitted(levels=ev.levels("Kha", c1="Tot", c15="Dat"))
    with system_scope():
        evaluation = Evaluation.objects.get(pk=evaluation.pk)
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot", c4="Kha"),
        )
        return Evaluation.objects.select_related("person", "unit", "framework", "cycle").get(
            pk=evaluation.pk
        )


def _sheet(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content)).active


def _find(ws: Any, predicate: Any) -> Any:
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and predicate(cell.value):
                return cell
    raise AssertionError("no such cell")


# --- the font -------------------------------------------------------------------------------


def test_pdf_font_reads_back_every_vietnamese_diacritic_even_from_decomposed_input():
    doc = Document()
    doc.add_page()
    doc.cell(text=unicodedata.normalize("NFD", EVERY_DIACRITIC))
    text = _text(doc.to_bytes())
    assert EVERY_DIACRITIC in text


# --- BM1 ------------------------------------------------------------------------------------


def test_bm1_pdf_has_the_header_the_person_criteria_evidence_and_rating(ev):
    evaluation = _finalised(ev)
    with actor_scope(ev.w.teacher_a1):
        text = _text(pdf.render(official_forms.self_evaluation(evaluation)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BM1" in text
    assert "PHIẾU TỰ ĐÁNH GIÁ CỦA GIÁO VIÊN" in text
    assert "Nguyễn Văn An" in text
    assert "Trường Tiểu học Hòa An" in text
    assert "Tiêu chí 1. Đạo đức nhà giáo" in text
    assert "Tiêu chuẩn 2. Phát triển chuyên môn, nghiệp vụ" in text
    assert "Giáo án chủ đề Nước" in text
    assert "Điểm mạnh: Nhiệt tình" in text
    assert "Xếp loại kết quả đánh giá: Khá" in text
    assert "NGƯỜI TỰ ĐÁNH GIÁ" in text


def test_bm1_xlsx_marks_each_level_in_its_column(ev):
    evaluation = _finalised(ev)
    with actor_scope(ev.w.teacher_a1):
        ws = _sheet(xlsx.render(official_forms.self_evaluation(evaluation)))
    group = _find(ws, lambda v: v == "Kết quả xếp loại")
    head = group.row + 1
    columns = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)}
    assert [columns[k] for k in ("CĐ", "Đ", "K", "T")] == [3, 4, 5, 6]
    evidence_col = _find(ws, lambda v: v == "Minh chứng").column

    def marks(number: int) -> dict[str, str]:
        row = _find(ws, lambda v: v.startswith(f"Tiêu chí {number}.")).row
        return {k: ws.cell(row, c).value or "" for k, c in columns.items() if k}

    assert marks(1) == {"CĐ": "", "Đ": "", "K": "", "T": "X"}
    assert marks(2) == {"CĐ": "", "Đ": "", "K": "X", "T": ""}
    assert marks(15) == {"CĐ": "", "Đ": "X", "K": "", "T": ""}
    row4 = _find(ws, lambda v: v.startswith("Tiêu chí 4.")).row
    assert ws.cell(row4, evidence_col).value == "Giáo án chủ đề Nước"
    assert ws.cell(row4, 1).value == "4"
    assert _find(ws, lambda v: v.startswith("Họ và tên giáo viên:")).value.endswith("Nguyễn Văn An")
    # Layout: merged motto and title, A4 portrait fitted to the width, borders on the table.
    merged = {str(r) for r in ws.merged_cells.ranges}
    title = _find(ws, lambda v: v.startswith("PHIẾU TỰ ĐÁNH GIÁ CỦA GIÁO VIÊN"))
    motto = _find(ws, lambda v: v == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert {f"A{title.row}:G{title.row}", f"A{motto.row}:G{motto.row}"} <= merged
    assert ws.cell(1, 1).value == "BM1"  # the form code, right-aligned across the top
    assert ws.cell(1, 1).alignment.horizontal == "right"
    assert ws.page_setup.orientation == "portrait"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.cell(row4, 2).border.left.style == "thin"
    assert ws.cell(row4, 2).alignment.wrap_text


def test_xlsx_never_writes_user_text_as_a_formula(ev):
    evaluation = _finalised(ev, evidence='=HYPERLINK("http://evil.example","x")')
    with system_scope():
        Evaluation.objects.filter(pk=evaluation.pk).update(strengths="+1+1")
        evaluation.refresh_from_db()
        content = xlsx.render(official_forms.self_evaluation(evaluation))
    ws = _sheet(content)
    cell = _find(ws, lambda v: "HYPERLINK" in v)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","x")'
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_principal_self_evaluation_prints_the_tt14_criteria(ev):
    evaluation = ev.submitted(user=ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    with actor_scope(ev.w.principal_a1):
        text = _text(pdf.render(official_forms.self_evaluation(evaluation)))
    assert "PHIẾU TỰ ĐÁNH GIÁ CỦA HIỆU TRƯỞNG" in text
    assert "Trần Thị Hiệu" in text
    assert "Tiêu chí 18." in text
    assert "Xếp loại kết quả đánh giá: Tốt" in text


# --- BM2, BM3, BM4 --------------------------------------------------------------------------


def _with_opinion(ev: Any) -> Evaluation:
    evaluation = ev.submitted()
    with system_scope():
        services.opinion_give(
            actor=ev.colleague, evaluation=evaluation, level="Tot", comment="Nhiệt huyết"
        )
        services.opinion_give(actor=ev.leader, evaluation=evaluation, level="Kha")
    return evaluation


def test_bm2_lists_the_colleagues_with_the_authors_levels(ev):
    _with_opinion(ev)
    with actor_scope(ev.colleague):
        ws = _sheet(xlsx.render(official_forms.bm2(ev.colleague.person, ev.cycle)))
    row = _find(ws, lambda v: v == "Nguyễn Văn An").row
    assert [ws.cell(row, c).value or "" for c in range(3, 8)] == ["", "", "", "X", "Nhiệt huyết"]


def test_bm3_counts_the_opinions_per_level(ev):
    _with_opinion(ev)
    with actor_scope(ev.w.principal_a1):
        ws = _sheet(xlsx.render(official_forms.bm3(ev.group, ev.cycle, ev.w.principal_a1)))
        text = _text(pdf.render(official_forms.bm3(ev.group, ev.cycle, ev.w.principal_a1)))
    row = _find(ws, lambda v: v == "Nguyễn Văn An").row
    # CĐ, Đ, K, T, total, self-rating
    assert [ws.cell(row, c).value for c in range(3, 9)] == ["0", "0", "1", "1", "2", "Khá"]
    assert "Tổ 1-2" in text
    assert "TỔ TRƯỞNG CHUYÊN MÔN" in text


def test_bm4_summarises_the_school_on_a_landscape_page(ev):
    _finalised(ev)
    with actor_scope(ev.w.principal_a1):
        ws = _sheet(xlsx.render(official_forms.bm4(ev.w.school_a1, ev.cycle)))
        content = pdf.render(official_forms.bm4(ev.w.school_a1, ev.cycle))
    text = _text(content)
    assert ws.page_setup.orientation == "landscape"
    row = _find(ws, lambda v: v == "Nguyễn Văn An").row
    levels = [ws.cell(row, c).value for c in range(3, 18)]
    assert levels == ["T", "T", "T", "K", *["T"] * 11]
    assert ws.cell(row, 18).value == "Khá"  # self-rating
    assert ws.cell(row, 19).value == "Khá"  # final: criterion 4 (a key one) is at Khá
    assert "Tốt: 0; Khá: 1; Đạt: 0; Chưa đạt: 0" in text
    assert PdfReader(io.BytesIO(content)).pages[0].mediabox.width > 800  # landscape A4


# --- principals' poll: counts only ---------------------------------------------------------


def test_poll_summary_shows_only_counts_and_nothing_below_three_answers(ev):
    evaluation = ev.submitted(user=ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    voters = [ev.w.teacher_a1, ev.colleague]
    for voter, overall in zip(voters, ["Tot", "Kha"], strict=True):
        with system_scope():
            services.poll_answer(
                actor=voter, evaluation=evaluation, levels=ev.levels("Kha", n=18), overall=overall
            )
    with actor_scope(ev.w.officer_a):
        text = _text(pdf.render(official_forms.poll_summary(evaluation)))
    assert "Số phiếu thu về: 2" in text
    assert "Chưa đủ số phiếu" in text
    assert "Tiêu chí 1." not in text
    with system_scope():
        services.poll_answer(
            actor=ev.leader, evaluation=evaluation, levels=ev.levels("Tot", n=18), overall="Tot"
        )
    with actor_scope(ev.w.officer_a):
        text = _text(pdf.render(official_forms.poll_summary(evaluation)))
        ws = _sheet(xlsx.render(official_forms.poll_summary(evaluation)))
    assert "Số phiếu thu về: 3" in text
    for name in ("Nguyễn Văn An", "Lý Thị Đồng", "Võ Văn Tổ"):
        assert name not in text  # never who answered
    row = _find(ws, lambda v: v.startswith("Tiêu chí 1.")).row
    assert [ws.cell(row, c).value for c in range(3, 7)] == ["0", "0", "2", "1"]
    overall = _find(ws, lambda v: v == "Xếp loại chung").row
    assert [ws.cell(overall, c).value for c in range(3, 7)] == ["0", "0", "1", "2"]


# --- pages: access and downloads -----------------------------------------------------------


def test_bm1_downloads_for_the_person_and_404_for_another_province(ev):
    evaluation = _finalised(ev)
    own = ev.w.client_for(ev.w.teacher_a1).get(reverse("print_bm1_pdf", args=[evaluation.pk]))
    assert own.status_code == 200
    assert own["Content-Type"] == "application/pdf"
    assert 'filename="BM1_GVA1_Nguyen_Van_An.pdf"' in own["Content-Disposition"]
    assert "Nguyễn Văn An" in _text(own.content)
    sheet = ev.w.client_for(ev.w.principal_a1).get(reverse("print_bm1_xlsx", args=[evaluation.pk]))
    assert sheet.status_code == 200
    other = ev.w.client_for(ev.w.principal_b1)
    assert other.get(reverse("print_bm1_pdf", args=[evaluation.pk])).status_code == 404
    assert other.get(reverse("print_bm1_xlsx", args=[evaluation.pk])).status_code == 404
    colleague = ev.w.client_for(ev.colleague)
    assert colleague.get(reverse("print_bm1_pdf", args=[evaluation.pk])).status_code == 404


def test_school_forms_need_a_role_on_the_school(ev):
    _with_opinion(ev)
    query = f"?cycle={ev.cycle.pk}"
    bm4 = reverse("print_bm4_pdf", args=[ev.w.school_a1.pk]) + query
    bm3 = reverse("print_bm3_xlsx", args=[ev.group.pk]) + query
    assert ev.w.client_for(ev.w.principal_a1).get(bm4).status_code == 200
    assert ev.w.client_for(ev.w.officer_a).get(bm4).status_code == 200
    assert ev.w.client_for(ev.w.officer_a).get(bm3).status_code == 200
    assert ev.w.client_for(ev.leader).get(bm3).status_code == 200  # the group's leader
    for user in (ev.w.principal_b1, ev.w.teacher_a1):
        client = ev.w.client_for(user)
        assert client.get(bm4).status_code == 404
        assert client.get(bm3).status_code == 404
    bm2 = reverse("print_bm2_pdf", args=[ev.colleague.person.pk]) + query
    assert ev.w.client_for(ev.colleague).get(bm2).status_code == 200
    assert ev.w.client_for(ev.w.teacher_a1).get(bm2).status_code == 404
    assert ev.w.client_for(ev.w.principal_b1).get(bm2).status_code == 404


def test_the_principal_never_prints_their_own_poll(ev):
    evaluation = ev.submitted(user=ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    url = reverse("print_poll_pdf", args=[evaluation.pk])
    assert ev.w.client_for(ev.w.principal_a1).get(url).status_code == 404
    assert ev.w.client_for(ev.w.officer_a).get(url).status_code == 200
    assert ev.w.client_for(ev.w.principal_b1).get(url).status_code == 404
    result = reverse("print_result_xlsx", args=[evaluation.pk])
    assert ev.w.client_for(ev.w.principal_a1).get(result).status_code == 404  # not final yet
    assert ev.w.client_for(ev.w.officer_a).get(result).status_code == 200


# --- print all -------------------------------------------------------------------------------


def test_print_all_ends_with_a_zip_of_every_form_and_only_the_actor_sees_it(
    ev, django_capture_on_commit_callbacks
):
    _finalised(ev)
    second = make_user(
        "teacher_a1c",
        role="teacher",
        unit=ev.w.school_a1,
        person=PersonFactory(unit=ev.w.school_a1, full_name="Đặng Thị Ỷ", staff_code="GVA1C"),
    )
    ev.submitted(user=second)
    client = ev.w.client_for(ev.w.principal_a1)
    url = reverse("print_school_all", args=[ev.w.school_a1.pk]) + f"?cycle={ev.cycle.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk])
    assert job.status == JobStatus.DONE, job.message
    assert job.progress == job.total == 4  # 2 BM1, 1 BM3, 1 BM4
    assert job.task_id
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert reverse("job_download", args=[job.pk]) in page
    download = client.get(reverse("job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "BM1_GVA1C_Dang_Thi_Y.pdf",
        "BM1_GVA1_Nguyen_Van_An.pdf",
        "BM3_To_1_2.pdf",
        "BM4_SA_TH1.pdf",
    ]
    assert "Đặng Thị Ỷ" in _text(archive.read("BM1_GVA1C_Dang_Thi_Y.pdf"))
    assert "Nguyễn Văn An" in _text(archive.read("BM4_SA_TH1.pdf"))
    for user in (ev.w.principal_b1, ev.w.teacher_a1, ev.w.officer_a):
        other = ev.w.client_for(user)
        assert other.get(reverse("job_detail", args=[job.pk])).status_code == 404
        assert other.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_print_all_refuses_another_provinces_school(ev, django_capture_on_commit_callbacks):
    url = reverse("print_school_all", args=[ev.w.school_a1.pk]) + f"?cycle={ev.cycle.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = ev.w.client_for(ev.w.principal_b1).post(url)
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_ascii_file_names_fold_vietnamese():
    assert official_forms.ascii_name("Đặng Thị Ỷ / Tổ 1-2") == "Dang_Thi_Y_To_1_2"


@pytest.mark.django_db(transaction=True)
def test_print_all_through_the_database_queue_and_worker(ev):
    """The production path: the view queues a row, ``db_worker --batch`` runs it."""
    from django.core.management import call_command

    _finalised(ev)
    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    url = reverse("print_school_all", args=[ev.w.school_a1.pk]) + f"?cycle={ev.cycle.pk}"
    with override_settings(TASKS=backend):
        ev.w.client_for(ev.w.principal_a1).post(url)
        job = Job.objects.get()
        assert job.status == JobStatus.QUEUED and job.task_id
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.result_name.endswith(".zip")


def test_superior_result_shows_the_levels_comments_and_reviewer(ev):
    from opentemis.evaluations.models import EvaluatorRule
    from opentemis.staff.models import Position

    with system_scope():
        EvaluatorRule.objects.create(
            position=Position.objects.get(code="HT"), evaluator="superior", superior_kind=""
        )
    evaluation = ev.submitted(user=ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    with system_scope():
        services.evaluation_finalise(
            actor=ev.w.officer_a,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot", n=18, c3="Kha"),
            comments={"3": "Cần tự học thêm"},
            note="Hoàn thành tốt nhiệm vụ",
        )
    client = ev.w.client_for(ev.w.principal_a1)  # the person, now that it is final
    response = client.get(reverse("print_result_xlsx", args=[evaluation.pk]))
    assert response.status_code == 200
    ws = _sheet(response.content)
    row = _find(ws, lambda v: v.startswith("Tiêu chí 3.")).row
    assert [ws.cell(row, c).value or "" for c in range(3, 8)] == [
        "",
        "",
        "X",
        "",
        "Cần tự học thêm",
    ]
    text = _text(client.get(reverse("print_result_pdf", args=[evaluation.pk])).content)
    assert "Nhận xét chung: Hoàn thành tốt nhiệm vụ" in text
    assert "Xếp loại kết quả đánh giá: Tốt" in text
    assert "THỦ TRƯỞNG CƠ QUAN QUẢN LÝ CẤP TRÊN" in text


# --- links to the forms on the pages ---------------------------------------------------------


def test_detail_page_links_the_poll_and_result_forms_to_whoever_may_print_them(ev):
    evaluation = ev.submitted(user=ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    detail = reverse("evaluation_detail", args=[evaluation.pk])
    poll = reverse("print_poll_pdf", args=[evaluation.pk])
    result = reverse("print_result_pdf", args=[evaluation.pk])
    officer_page = ev.w.client_for(ev.w.officer_a).get(detail).content.decode()
    assert poll in officer_page
    assert result in officer_page
    own_page = ev.w.client_for(ev.w.principal_a1).get(detail).content.decode()
    assert poll not in own_page  # nobody prints the poll about themself
    assert result not in own_page  # not final yet
    teachers = ev.submitted()
    teacher = reverse("evaluation_detail", args=[teachers.pk])
    teacher_page = ev.w.client_for(ev.w.principal_a1).get(teacher).content.decode()
    assert reverse("print_bm1_pdf", args=[teachers.pk]) in teacher_page
    assert "/poll." not in teacher_page  # a teacher's evaluation has no poll


def test_group_page_links_bm2_and_bm3_for_the_leader_only(ev):
    _with_opinion(ev)
    bm2 = reverse("print_bm2_pdf", args=[ev.colleague.person.pk])
    bm3 = reverse("print_bm3_pdf", args=[ev.group.pk])
    page = ev.w.client_for(ev.colleague).get(reverse("group_opinions")).content.decode()
    assert bm2 in page
    assert bm3 not in page
    leader_page = ev.w.client_for(ev.leader).get(reverse("group_opinions")).content.decode()
    assert bm3 in leader_page
    assert ev.w.client_for(ev.leader).get(bm3 + f"?cycle={ev.cycle.pk}").status_code == 200
