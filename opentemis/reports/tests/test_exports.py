"""The TEMIS report as files: xlsx cells, PDF text and charts, JSON, the CLI and the export job.

The renderers are tested on the hand-built :func:`sample_report`; the CLI and the job replace
``reports.selectors.report_for[_system]`` with it, and one test of each goes through the real
selector on the fixture tree.
"""

from __future__ import annotations

import dataclasses
import io
import json
import unicodedata
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from opentemis.jobs.models import Job, JobStatus
from opentemis.reports import selectors
from opentemis.reports.data import ChildRow, ReportData
from opentemis.reports.exports import filename, report_sheets
from opentemis.reports.exports.json import report_json
from opentemis.reports.exports.pdf import report_pdf
from opentemis.reports.exports.xlsx import report_xlsx
from opentemis.reports.tests.samples import sample_report

EVERY_DIACRITIC = "Trường Nguyễn Thị Hằng Ưng Đức Ỷ Ộ Ữ ỹ ằ ẳ ẵ ặ ơ ờ ở ỡ ợ"
SHEETS = [
    "A.1.1",
    "A.1.2",
    "Tiêu chí",
    "Nhu cầu bồi dưỡng",
    "CBQL",
    "GV mầm non",
    "CBQL mầm non",
    "Nhân sự",
    "Đơn vị trực thuộc",
    "So sánh năm",
]


@pytest.fixture(autouse=True)
def vietnamese() -> Any:
    with translation.override("vi"):
        yield


@pytest.fixture
def media(tmp_path: Any) -> Any:
    root = tmp_path / "media"
    root.mkdir()
    with override_settings(MEDIA_ROOT=str(root)):
        yield root


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def _workbook(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def _row(ws: Any, label: str, after: int = 1) -> int:
    """The number of the first row at or after ``after`` whose column A reads ``label``."""
    for row in range(after, ws.max_row + 1):
        if ws.cell(row, 1).value == label:
            return row
    raise AssertionError(f"no row {label!r} in {ws.title}")


def _many_children(n: int) -> ReportData:
    data = sample_report()
    data.children = [
        ChildRow(
            100 + i,
            f"SA-X{i}",
            f"Xã số {i}",
            "commune",
            40,
            30,
            40 - i % 40,
            round(100 * (40 - i % 40) / 40, 1),
            i + 1,
            "A" if i % 40 <= 8 else "B" if i % 40 <= 20 else "C",
        )
        for i in range(n)
    ]
    return data


# --- layout -----------------------------------------------------------------------------------


def test_every_row_has_one_cell_per_column():
    rows = 0
    for sheet in report_sheets(_many_children(3)):
        for table in sheet.tables:
            for row in table.rows:
                rows += 1
                assert row.heading or len(row.cells) == len(table.columns), table.title
    assert rows > 20


def test_file_names_are_ascii():
    data = sample_report()
    data.unit_code = "SĐ-Hà Nội"
    assert filename(data, "pdf") == "Bao_cao_TEMIS_SD-Ha_Noi_2025-2026.pdf"


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_has_a_sheet_per_section_in_vietnamese():
    wb = _workbook(report_xlsx(sample_report()))
    assert wb.sheetnames == SHEETS
    ws = wb["A.1.1"]
    assert ws["A1"].value == "A.1.1. Kết quả thực hiện đánh giá"
    assert "Số liệu tính đến 09:30 20/05/2026" in ws["A2"].value
    assert "Năm học 2025-2026" in ws["A2"].value
    head = [ws.cell(5, c).value for c in range(1, 12)]
    assert head[:2] == ["Cấp học / nội dung", "Tổng số"]
    assert {"Nữ", "DTTS", "Nữ DTTS", "Vùng khó khăn"} <= set(head)
    assert ws.cell(6, 2).value == "Số lượng" and ws.cell(6, 3).value == "%"
    assert ws.freeze_panes == "A7"  # title, header rows stay in view


def test_xlsx_numbers_are_numbers_and_percentages_have_a_percent_format():
    ws = _workbook(report_xlsx(sample_report()))["A.1.1"]
    row = _row(ws, "Đã tự đánh giá", _row(ws, "Tất cả các cấp"))
    total, share = ws.cell(row, 2), ws.cell(row, 3)
    assert total.value == 110 and total.data_type == "n"
    assert share.value == pytest.approx(0.917) and share.number_format == "0.0%"


def test_xlsx_suppressed_cells_read_below_min_cell_with_a_note():
    ws = _workbook(report_xlsx(sample_report()))["A.1.1"]
    thcs = _row(ws, "Trung học cơ sở")
    finalised = _row(ws, "Đã hoàn thành đánh giá (được xếp loại)", thcs)
    cells = [ws.cell(finalised, c).value for c in range(2, 12)]
    # DTTS finalised (and its share) suppressed; women DTTS suppressed throughout THCS.
    expected = [38, pytest.approx(0.76), 26, pytest.approx(0.867), "<5", "<5", "<5", "<5", 8]
    assert cells == [*expected, pytest.approx(0.8)]
    notes = [ws.cell(r, 1).value or "" for r in range(finalised, ws.max_row + 1)]
    assert any(n.startswith("<5: dưới 5 người") for n in notes)


def test_xlsx_other_sections():
    wb = _workbook(report_xlsx(sample_report()))
    criteria = wb["Tiêu chí"]
    row = _row(criteria, 15)
    assert [criteria.cell(row, c).value for c in (2, 3, 11)] == ["Tiêu chí 15", 30, 96]
    needs = wb["Nhu cầu bồi dưỡng"]
    assert needs.cell(_row(needs, "9"), 3).value == 31
    assert needs.cell(_row(needs, "GVPT09"), 2).value == "Mô đun 9"
    managers = wb["CBQL"]
    assert "Chưa có số liệu." in [managers.cell(r, 1).value for r in range(1, managers.max_row)]
    children = wb["Đơn vị trực thuộc"]
    first = _row(children, 1)
    values = [children.cell(first, c).value for c in range(1, 9)]
    assert values[:7] == [1, "SA-X1", "Xã Hòa An", 80, 75, 70, pytest.approx(0.875)]
    assert values[7] == "A"
    assert children.cell(first, 7).number_format == "0.0%"
    years = wb["So sánh năm"]
    assert years.cell(_row(years, "2024-2025"), 4).value == pytest.approx(0.847)
    assert wb["Nhân sự"].cell(_row(wb["Nhân sự"], "Trung học cơ sở"), 5).value == "<5"


def test_xlsx_user_text_never_becomes_a_formula():
    data = sample_report()
    data.children[0] = dataclasses.replace(data.children[0], name='=HYPERLINK("http://x","y")')
    ws = _workbook(report_xlsx(data))["Đơn vị trực thuộc"]
    cell = ws.cell(_row(ws, 1), 3)
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s" and cell.quotePrefix


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_has_the_header_sections_and_figures():
    text = _text(report_pdf(sample_report()))
    for heading in (
        "SỞ GD&ĐT TỈNH AN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Năm học 2025-2026",
        "Số liệu tính đến 09:30 20/05/2026",
        "A.1.1. Kết quả thực hiện đánh giá",
        "A.1.2. Kết quả xếp loại chung",
        "Mức đạt theo từng tiêu chí",
        "Nhu cầu bồi dưỡng theo tiêu chí",
        "A.2.1. Kết quả thực hiện đánh giá",
        "Nhân sự thuộc diện đánh giá",
        "Tỷ lệ hoàn thành đánh giá của các đơn vị trực thuộc",
        "So sánh với năm học trước",
    ):
        assert heading in text, heading
    assert "Tổng số" in text and "Vùng khó khăn" in text and "Nữ DTTS" in text
    assert "110 91,7" in text  # self-evaluated, all levels: count and share
    assert "87,5" in text  # the first child unit's completion
    assert "1/2 đơn vị" not in text and "0/2 đơn vị đã hoàn thành" in text
    assert "Trang 1/" in text


def test_pdf_marks_suppressed_cells_and_explains_them():
    text = _text(report_pdf(sample_report()))
    assert "<5 <5" in text
    assert "<5: dưới 5 người; số liệu không hiển thị để bảo vệ thông tin cá nhân" in text


def test_pdf_draws_the_charts():
    content = report_pdf(sample_report())
    text = _text(content)
    assert "Biểu đồ 1. Xếp loại chung theo cấp học" in text
    assert "Biểu đồ 2. Mức đạt theo từng tiêu chí" in text
    assert "Biểu đồ 3. Tỷ lệ hoàn thành đánh giá theo đơn vị trực thuộc" in text
    assert "Biểu đồ 4. Xếp loại chung theo năm học" in text
    assert "Chưa đạt" in text and "Nhóm A" in text
    assert "46,9 %" in text  # Khá on each criterion, printed inside its bar
    pages = PdfReader(io.BytesIO(content)).pages
    landscape = [p for p in pages if p.mediabox.width > p.mediabox.height]
    assert landscape and len(landscape) < len(pages)  # wide tables landscape, others portrait


def test_pdf_prints_every_vietnamese_letter():
    data = sample_report()
    data.children[0] = dataclasses.replace(
        data.children[0], name=unicodedata.normalize("NFD", EVERY_DIACRITIC)
    )
    assert EVERY_DIACRITIC in _text(report_pdf(data))


def test_pdf_chart_of_many_child_units_continues_on_further_pages():
    content = report_pdf(_many_children(150))
    text = _text(content)
    assert "Xã số 149" in text
    small = len(PdfReader(io.BytesIO(report_pdf(sample_report()))).pages)
    assert len(PdfReader(io.BytesIO(content)).pages) >= small + 4  # table and chart: 3 pages each


def test_pdf_of_a_report_without_figures():
    data = sample_report()
    data.as_of = None
    data.teachers = dataclasses.replace(data.managers)
    data.children, data.years, data.staff = [], [], []
    text = _text(report_pdf(data))
    assert "Số liệu chưa được tổng hợp" in text
    assert "Chưa có số liệu." in text
    assert "Biểu đồ" not in text


# --- JSON -------------------------------------------------------------------------------------


def test_json_round_trip_keeps_vietnamese_letters():
    data = sample_report()
    content = report_json(data)
    assert "Sở GD&ĐT Tỉnh An".encode() in content  # not \u escapes
    parsed = json.loads(content)
    assert parsed == data.to_json()
    assert parsed["as_of"] == "2026-05-20T09:30:00+07:00"
    assert parsed["teachers"]["completion"][2]["finalised"]["dtts"] is None


# --- CLI --------------------------------------------------------------------------------------


@pytest.fixture
def sample_system(monkeypatch: Any) -> list[Any]:
    """report_for_system returns the sample; the calls are recorded."""
    calls: list[Any] = []

    def fake(*, unit: Any, school_year: Any) -> ReportData:
        calls.append((unit, school_year))
        return sample_report()

    monkeypatch.setattr(selectors, "report_for_system", fake)
    return calls


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "json"])
def test_cli_writes_the_report(world, sample_system, tmp_path, fmt):
    out = io.StringIO()
    path = tmp_path / f"report.{fmt}"
    call_command("report", unit="SA", year="2025-2026", format=fmt, output=str(path), stdout=out)
    assert [(u.code, y.code) for u, y in sample_system] == [("SA", "2025-2026")]
    content = path.read_bytes()
    if fmt == "pdf":
        assert content.startswith(b"%PDF") and "A.1.1" in _text(content)
    elif fmt == "xlsx":
        assert _workbook(content).sheetnames == SHEETS
    else:
        assert json.loads(content)["unit_code"] == "SA"
    line = out.getvalue().strip()
    assert "\n" not in line
    assert line.startswith("Báo cáo TEMIS của Sở GD&ĐT Tỉnh An (SA), năm học 2025-2026")
    assert str(path) in line and fmt.upper() in line


@pytest.mark.django_db
def test_cli_uses_the_current_year_and_a_default_file_name(world, sample_system, tmp_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        call_command("report", unit="SA", format="json", stdout=io.StringIO())
    assert (tmp_path / "Bao_cao_TEMIS_SA_2025-2026.json").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "NOPE"}, "Không có đơn vị nào có mã NOPE."),
        ({"unit": "SA", "year": "1999-2000"}, "Không có năm học 1999-2000."),
        ({"unit": "SA", "format": "docx"}, "Định dạng docx không hợp lệ"),
    ],
)
def test_cli_refuses_unknown_unit_year_or_format(world, tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", output=str(tmp_path / "x"), **options)
    assert not (tmp_path / "x").exists()


@pytest.mark.django_db
def test_cli_with_the_real_figures(ev, tmp_path):
    """No stand-in: the summaries of the fixture tree, through report_for_system."""
    ev.submitted()
    path = tmp_path / "sa.xlsx"
    call_command("report", unit="SA", format="xlsx", output=str(path), stdout=io.StringIO())
    ws = _workbook(path.read_bytes())["A.1.1"]
    assert "Sở GD&ĐT Tỉnh An" in ws["A2"].value
    path = tmp_path / "sa.pdf"
    call_command("report", unit="SA", format="pdf", output=str(path), stdout=io.StringIO())
    assert "SỞ GD&ĐT TỈNH AN" in _text(path.read_bytes())


# --- the export job ---------------------------------------------------------------------------


@pytest.fixture
def sample_for(monkeypatch: Any) -> list[Any]:
    """report_for returns the sample for officer_a, 404 for anyone else; calls are recorded."""
    calls: list[Any] = []

    def fake(*, actor: Any, unit: Any, school_year: Any) -> ReportData:
        calls.append(actor.username)
        if actor.username != "officer_a":
            raise Http404
        return sample_report()

    monkeypatch.setattr(selectors, "report_for", fake)
    return calls


def _export_url(unit: Any, fmt: str, year: str = "2025-2026") -> str:
    return reverse("report_export", args=[unit.pk, fmt]) + f"?year={year}"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_export_job_ends_with_the_file_only_its_owner_downloads(
    world, media, sample_for, django_capture_on_commit_callbacks, fmt
):
    client = world.client_for(world.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_export_url(world.province_a, fmt))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job_detail", args=[job.pk])
    assert job.status == JobStatus.DONE, job.message
    assert (job.kind, job.unit, job.progress, job.total) == (
        "reports.export",
        world.province_a,
        3,
        3,
    )
    assert job.result_name == f"Bao_cao_TEMIS_SA_2025-2026.{fmt}"
    assert sample_for == ["officer_a", "officer_a"]  # before queueing, and again in the task
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Báo cáo TEMIS" in page
    download = client.get(reverse("job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    if fmt == "pdf":
        assert "Biểu đồ 1." in _text(content)
    else:
        assert _workbook(content).sheetnames == SHEETS
    for user in (world.principal_a1, world.principal_b1):
        other = world.client_for(user)
        assert other.get(reverse("job_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_export_refuses_at_once_who_may_not_see_the_unit(
    world, media, sample_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outside = world.client_for(world.principal_b1).post(_export_url(world.province_a, "pdf"))
        below = world.client_for(world.principal_a1).post(_export_url(world.province_a, "pdf"))
    assert outside.status_code == 404 and below.status_code == 404
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_export_needs_a_post_a_login_a_known_year_and_format(world, media, sample_for):
    client = world.client_for(world.officer_a)
    assert client.get(_export_url(world.province_a, "pdf")).status_code == 405
    assert client.post(_export_url(world.province_a, "pdf", "1999-2000")).status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("report_export", args=[world.province_a.pk, "docx"])
    assert client.post(f"/reports/export/{world.province_a.pk}/docx/").status_code == 404
    client.logout()
    assert client.post(_export_url(world.province_a, "pdf")).status_code == 302
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_export_job_fails_visibly_when_access_went_before_it_ran(
    world, media, monkeypatch, django_capture_on_commit_callbacks
):
    calls: list[int] = []

    def fake(*, actor: Any, unit: Any, school_year: Any) -> ReportData:
        calls.append(1)
        if len(calls) > 1:  # the role was withdrawn between the request and the task
            raise Http404
        return sample_report()

    monkeypatch.setattr(selectors, "report_for", fake)
    with django_capture_on_commit_callbacks(execute=True):
        world.client_for(world.officer_a).post(_export_url(world.province_a, "pdf"))
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message == "Không tạo được báo cáo. Vui lòng thử lại sau."
    assert not job.result


@pytest.mark.django_db
def test_export_job_with_the_real_figures(ev, media, django_capture_on_commit_callbacks):
    ev.submitted()
    with django_capture_on_commit_callbacks(execute=True):
        response = ev.w.client_for(ev.w.officer_a).post(_export_url(ev.w.province_a, "xlsx"))
        refused = ev.w.client_for(ev.w.principal_b1).post(_export_url(ev.w.province_a, "xlsx"))
    assert refused.status_code == 404
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk])
    assert job.status == JobStatus.DONE, job.message
    ws = _workbook(job.result.read())["A.1.1"]
    assert "Sở GD&ĐT Tỉnh An" in ws["A2"].value
