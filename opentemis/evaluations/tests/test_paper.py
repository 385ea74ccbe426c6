"""Paper fallback: the template, the check with its preview, the all-or-nothing save, the pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Evaluation, NeedReason, Status, TrainingNeed
from opentemis.evaluations.paper import (
    paper_import_apply,
    paper_import_check,
    paper_template_xlsx,
)
from opentemis.evaluations.paper.sheets import parse_level
from tests.factories import PersonFactory, make_user

TEACHERS = "Giáo viên (TT 20-2018)"
MANAGERS = "Cán bộ quản lý (TT 14-2018)"
LABEL = {"Tot": "Tốt", "Kha": "Khá", "Dat": "Đạt", "ChuaDat": "Chưa đạt"}


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    """Users read Vietnamese: every test runs in it, with the main catalogue (django.po/.mo)."""
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads waiting for confirmation go to a temporary storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def template(ev: Any, actor: Any = None) -> bytes:
    return paper_template_xlsx(
        actor=actor or ev.w.principal_a1, unit=ev.w.school_a1, cycle=ev.cycle
    )


def fill(
    content: bytes, rows: dict[str, tuple[dict[str, str], str]], sheet: str = TEACHERS
) -> bytes:
    """Write levels (criterion -> code) and the written overall rating on the rows of the given
    staff codes; a code not in the sheet gets a new row under the others."""
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook[sheet]
    headers = {cell.value: cell.column for cell in ws[2] if cell.value}
    for code, (levels, overall) in rows.items():
        row = next((c.row for c in ws["A"][2:] if c.value == code), None)
        if row is None:
            row = ws.max_row + 1
            ws.cell(row=row, column=1, value=code)
        for number, level in levels.items():
            value = LABEL.get(level, level)
            ws.cell(row=row, column=headers[f"Tiêu chí {number}"], value=value)
        ws.cell(row=row, column=headers["Xếp loại chung"], value=LABEL.get(overall, overall))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check(ev: Any, content: bytes, actor: Any = None) -> Any:
    return paper_import_check(
        actor=actor or ev.w.principal_a1, unit=ev.w.school_a1, cycle=ev.cycle, file=content
    )


def apply(ev: Any, content: bytes, actor: Any = None) -> Any:
    return paper_import_apply(
        actor=actor or ev.w.principal_a1, unit=ev.w.school_a1, cycle=ev.cycle, file=content
    )


def evaluation_of(ev: Any, code: str) -> Evaluation | None:
    with system_scope():
        return (
            Evaluation.objects.filter(cycle=ev.cycle, person__staff_code=code)
            .select_related("framework")
            .first()
        )


def deputy(ev: Any) -> Any:
    return PersonFactory(
        unit=ev.w.school_a1, full_name="Đặng Văn Phó", staff_code="PHTA1", positions=["PHT"]
    )


# --- the template ---------------------------------------------------------------------------


def test_template_has_a_sheet_per_standard_prefilled_with_the_staff_the_actor_evaluates(ev):
    deputy(ev)
    workbook = load_workbook(io.BytesIO(template(ev)))
    assert workbook.sheetnames == ["Hướng dẫn", TEACHERS, MANAGERS]

    teachers = workbook[TEACHERS]
    headers = [c.value for c in teachers[2]]
    assert headers == [
        "Mã cán bộ",
        "Họ và tên",
        *[f"Tiêu chí {n}" for n in range(1, 16)],
        "Xếp loại chung",
    ]
    prefilled = {r[0].value: r[1].value for r in teachers.iter_rows(min_row=3) if r[0].value}
    # The principal (evaluated by the Sở) and other schools' staff are not listed.
    assert prefilled == {"GVA1": "Nguyễn Văn An", "GVA1B": "Lý Thị Đồng", "TTA1": "Võ Văn Tổ"}
    lists = [dv for dv in teachers.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 16
    assert lists[0].formula1 == '"Chưa đạt,Đạt,Khá,Tốt"'

    managers = workbook[MANAGERS]
    assert [c.value for c in managers[2]][2:20] == [f"Tiêu chí {n}" for n in range(1, 19)]
    assert [r[0].value for r in managers.iter_rows(min_row=3) if r[0].value] == ["PHTA1"]


def test_template_leaves_out_evaluations_already_final(ev):
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_finalise(
            actor=ev.w.principal_a1, evaluation=evaluation, version=evaluation.version,
            levels=ev.levels("Kha"),
        )  # fmt: skip
    teachers = load_workbook(io.BytesIO(template(ev)))[TEACHERS]
    assert "GVA1" not in [r[0].value for r in teachers.iter_rows(min_row=3)]


def test_principal_of_another_school_gets_404(ev):
    content = fill(template(ev), {"GVA1": (ev.levels("Tot"), "Tot")})
    kwargs = {"actor": ev.w.principal_b1, "unit": ev.w.school_a1, "cycle": ev.cycle}
    with pytest.raises(Http404):
        paper_template_xlsx(**kwargs)
    with pytest.raises(Http404):
        paper_import_check(file=content, **kwargs)
    with pytest.raises(Http404):
        paper_import_apply(file=content, **kwargs)
    client = ev.w.client_for(ev.w.principal_b1)
    pk = ev.w.school_a1.pk
    assert client.get(reverse("paper_home", args=[pk])).status_code == 404
    assert client.get(reverse("paper_template", args=[pk])).status_code == 404
    response = client.post(reverse("paper_home", args=[pk]), {"file": _upload(content)})
    assert response.status_code == 404
    assert client.post(reverse("paper_confirm", args=[pk])).status_code == 404
    assert evaluation_of(ev, "GVA1") is None


def test_an_officer_without_the_principals_role_gets_404(ev):
    client = ev.w.client_for(ev.w.officer_a)
    assert client.get(reverse("paper_home", args=[ev.w.school_a1.pk])).status_code == 404


# --- checking and saving ----------------------------------------------------------------------


def test_round_trip_finalises_with_the_computed_ratings_and_training_needs(ev):
    content = fill(
        template(ev),
        {
            "GVA1": (ev.levels("Tot"), "Tot"),
            "GVA1B": (ev.levels("Kha", c15="Dat"), "Kha"),
        },
    )  # TTA1's row stays empty: skipped
    result = apply(ev, content)
    assert result.ok, [e.message for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert [s[2] for s in result.check.skipped] == ["Võ Văn Tổ"]

    first = evaluation_of(ev, "GVA1")
    assert first.status == Status.FINALISED
    assert first.final_rating == "Tot"
    assert first.review_levels == first.self_levels == ev.levels("Tot")
    assert first.reviewer == ev.w.principal_a1
    assert first.submitted_at is not None and first.finalised_at is not None
    second = evaluation_of(ev, "GVA1B")
    assert second.final_rating == "Kha"
    with system_scope():
        needs = list(
            TrainingNeed.objects.filter(evaluation=second).values_list("criterion", "reason")
        )
        events = list(AuditEvent.objects.filter(action="evaluation.paper_import"))
    assert needs == [(15, NeedReason.BELOW_KHA)]
    assert len(events) == 2
    assert events[0].changes["after"]["status"] == "finalised"
    assert events[0].changes["before"] == {}
    assert evaluation_of(ev, "TTA1") is None

    # The same file again: nothing changes, nothing is audited.
    again = apply(ev, content)
    assert again.ok
    assert (again.created, again.updated, again.unchanged, again.written) == (0, 0, 2, False)
    with system_scope():
        assert AuditEvent.objects.filter(action="evaluation.paper_import").count() == 2
    assert evaluation_of(ev, "GVA1").version == first.version


def test_a_written_rating_that_disagrees_is_flagged_with_why_and_the_law_decides(ev):
    levels = ev.levels("Tot", c4="Kha")  # criterion 4 is a key criterion: it must be Tốt
    content = fill(template(ev), {"GVA1": (levels, "Tot"), "GVA1B": (ev.levels("Kha"), "Kha")})
    result = check(ev, content)
    assert result.ok
    [row] = result.disagreements
    assert (row.person.staff_code, row.row, row.written, row.computed) == ("GVA1", 4, "Tot", "Kha")
    assert len(row.explanation) == 1 and "4" in row.explanation[0]
    assert evaluation_of(ev, "GVA1") is None  # a check saves nothing

    assert apply(ev, content).ok
    assert evaluation_of(ev, "GVA1").final_rating == "Kha"


def test_a_rating_written_too_low_is_flagged_too(ev):
    result = check(ev, fill(template(ev), {"GVA1": (ev.levels("Tot"), "Kha")}))
    [row] = result.disagreements
    assert row.computed == "Tot" and row.explanation


def test_levels_are_read_as_written_on_paper():
    for text in ("T", "t", "Tốt", "TOT", " tốt "):
        assert parse_level(text) == "Tot"
    for text in ("CĐ", "cd", "C.Đ", "Chưa đạt", "chua dat", "ChuaDat"):
        assert parse_level(text) == "ChuaDat"
    assert parse_level("Đ") == parse_level("đạt") == "Dat"
    assert parse_level("Khá") == parse_level("k") == "Kha"
    for text in ("X", "Tốt lắm", "", None, 3):
        assert parse_level(text) is None


def test_errors_name_the_sheet_row_and_column_in_vietnamese(ev):
    content = fill(
        template(ev),
        {
            "GVA1": ({**ev.levels("Tot"), "3": "Giỏi"}, "Tot"),
            "GVA1B": ({k: v for k, v in ev.levels("Kha").items() if k != "7"}, "Kha"),
            "ZZZ9": (ev.levels("Tot"), "Tot"),
            "TTA1": (ev.levels("Kha"), "Xuất sắc"),
        },
    )
    result = check(ev, content)
    messages = [e.message for e in result.errors]
    assert len(messages) == 4, messages
    # Rows in the template's order (by name): GVA1B, GVA1, TTA1, then the added ZZZ9.
    assert messages[0].startswith(f"Trang tính «{TEACHERS}», dòng 3, cột «Tiêu chí 7»: ")
    assert "thiếu mức" in messages[0]
    assert messages[1].startswith(
        f"Trang tính «{TEACHERS}», dòng 4, cột «Tiêu chí 3»: «Giỏi» không phải là mức"
    )
    assert "dòng 5, cột «Xếp loại chung»: «Xuất sắc»" in messages[2]
    assert "dòng 6, cột «Mã cán bộ»" in messages[3] and "ZZZ9" in messages[3]
    assert "Trường Tiểu học Hòa An" in messages[3]


def test_one_bad_row_saves_nothing(ev):
    content = fill(
        template(ev),
        {"GVA1": (ev.levels("Tot"), "Tot"), "GVA1B": ({**ev.levels("Kha"), "2": "?"}, "Kha")},
    )
    result = apply(ev, content)
    assert not result.ok and not result.written
    assert result.created == 0
    assert evaluation_of(ev, "GVA1") is None
    with system_scope():
        assert not AuditEvent.objects.filter(action="evaluation.paper_import").exists()


def test_an_evaluation_finalised_online_is_never_overwritten(ev):
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_finalise(
            actor=ev.w.principal_a1, evaluation=evaluation, version=evaluation.version,
            levels=ev.levels("Kha"),
        )  # fmt: skip
    before = evaluation_of(ev, "GVA1")
    content = fill(
        template(ev),
        {"GVA1": (ev.levels("Tot"), "Tot"), "GVA1B": (ev.levels("Kha"), "Kha")},
    )
    result = apply(ev, content)
    assert not result.ok
    [error] = result.errors
    assert (error.row, error.column) == (5, "Mã cán bộ")  # GVA1 was added under the list
    assert "Nguyễn Văn An" in error.problem
    after = evaluation_of(ev, "GVA1")
    assert (after.final_rating, after.review_levels, after.version) == (
        "Kha",
        ev.levels("Kha"),
        before.version,
    )
    assert evaluation_of(ev, "GVA1B") is None  # all or nothing


def test_a_submitted_self_evaluation_is_kept_and_the_paper_levels_become_the_review(ev):
    ev.submitted()  # teacher_a1 self-evaluated online: all Khá
    result = apply(ev, fill(template(ev), {"GVA1": (ev.levels("Tot"), "Tot")}))
    assert result.ok and result.updated == 1
    evaluation = evaluation_of(ev, "GVA1")
    assert evaluation.self_levels == ev.levels("Kha")
    assert evaluation.self_rating == "Kha"
    assert evaluation.review_levels == ev.levels("Tot")
    assert (evaluation.status, evaluation.final_rating) == (Status.FINALISED, "Tot")
    with system_scope():
        event = AuditEvent.objects.get(action="evaluation.paper_import")
    assert event.changes["before"]["status"] == "submitted"
    assert event.changes["after"]["final_rating"] == "Tot"


def test_rows_about_people_outside_the_school_are_refused(ev):
    content = fill(
        template(ev),
        {"GVA2": (ev.levels("Tot"), "Tot"), "GVB1": (ev.levels("Tot"), "Tot")},
    )
    result = check(ev, content)
    assert [(e.row, e.column) for e in result.errors] == [(6, "Mã cán bộ"), (7, "Mã cán bộ")]
    assert all("Trường Tiểu học Hòa An" in e.problem for e in result.errors)
    # Another province's teacher's name is not revealed.
    assert not any("Phạm Minh Đức" in e.problem for e in result.errors)


def test_own_row_duplicates_and_wrong_standard_are_refused(ev):
    deputy(ev)
    content = fill(
        template(ev),
        {
            "HTA1": (ev.levels("Tot"), "Tot"),
            "PHTA1": (ev.levels("Tot", n=15), "Tot"),
        },
    )
    content = fill(content, {"GVA1": (ev.levels("Tot"), "Tot")})
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook[TEACHERS]
    ws.append([c.value for c in ws[4]])  # GVA1's row twice
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(ev, buffer.getvalue())
    problems = {e.row: e.problem for e in result.errors}
    assert "của chính bạn" in problems[6]  # HTA1: the principal themself
    assert MANAGERS in problems[7]  # PHTA1 belongs on the TT 14 sheet
    assert "dòng 4" in problems[8]  # the duplicate names the first row


def test_a_deputy_is_imported_on_the_managers_sheet(ev):
    deputy(ev)
    levels = ev.levels("Kha", n=18)
    result = apply(ev, fill(template(ev), {"PHTA1": (levels, "Kha")}, sheet=MANAGERS))
    assert result.ok, [e.message for e in result.errors]
    evaluation = evaluation_of(ev, "PHTA1")
    assert (evaluation.kind, evaluation.final_rating) == ("manager", "Kha")
    assert evaluation.framework.code == "TT14_2018_HTPT"


def test_a_formula_and_a_changed_name_are_refused(ev):
    content = fill(
        template(ev), {"GVA1": (ev.levels("Tot"), "Tot"), "GVA1B": (ev.levels("Kha"), "Kha")}
    )
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook[TEACHERS]
    ws["C3"] = '=IF(1,"Tốt","Khá")'
    ws["B4"] = "Người Khác"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(ev, buffer.getvalue())
    assert [(e.row, e.column) for e in result.errors] == [(3, "Tiêu chí 1"), (4, "Họ và tên")]
    assert "công thức" in result.errors[0].problem


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Ma can bo;Tieu chi 1\nGVA1;Tot\n", "File không phải là bảng tính Excel (.xlsx)"),
        (b"", "File trống. Hãy chọn file phiếu đánh giá đã điền"),
        (b"PK\x03\x04 truncated", "File bị hỏng"),
    ],
)
def test_a_malformed_file_gets_a_clear_message(ev, content, expected):
    result = apply(ev, io.BytesIO(content))
    [error] = result.errors
    assert error.row is None and not error.sheet
    assert expected in error.message


def test_a_renamed_text_file_is_refused_in_vietnamese(ev):
    [error] = check(ev, b"ma can bo,tieu chi 1\nGVA1,T\n").errors
    assert error.message.startswith("File không phải là bảng tính Excel (.xlsx)")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Choose the filled-in paper evaluation form (.xlsx)"),
        (b"%PDF-1.7 renamed to .xlsx", "Open the paper evaluation form in Excel"),
    ],
    ids=["empty", "disguised"],
)
def test_file_refusals_name_the_paper_evaluation_form_not_a_staff_list(ev, content, expected):
    with translation.override("en"):
        [error] = check(ev, content).errors
    assert expected in error.message
    assert "staff list" not in error.message
    [error] = check(ev, content).errors  # and in Vietnamese, the users' language
    assert "phiếu đánh giá" in error.message
    assert "danh sách cán bộ" not in error.message


def test_a_workbook_without_the_templates_sheets_is_refused(ev):
    workbook = Workbook()
    workbook.active.append(["Mã cán bộ", "Tiêu chí 1"])
    workbook.active.append(["GVA1", "Tốt"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors = check(ev, buffer.getvalue()).errors
    assert [e.sheet for e in errors] == ["Sheet", ""]
    assert TEACHERS in errors[1].problem


def test_a_closed_cycle_refuses_the_import(ev):
    content = fill(template(ev), {"GVA1": (ev.levels("Tot"), "Tot")})
    with system_scope():
        services.cycle_finish(actor=ev.w.officer_a, cycle=ev.cycle)
    [error] = apply(ev, content).errors
    assert "Đợt đánh giá này đã kết thúc" in error.message
    assert evaluation_of(ev, "GVA1") is None


# --- pages ------------------------------------------------------------------------------------


def _upload(content: bytes, name: str = "ket-qua.xlsx") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_pages_preview_then_confirm(ev, media):
    client = ev.w.client_for(ev.w.principal_a1)
    pk = ev.w.school_a1.pk
    home = client.get(reverse("paper_home", args=[pk]))
    assert home.status_code == 200
    assert reverse("paper_template", args=[pk]) in home.content.decode()
    download = client.get(reverse("paper_template", args=[pk]), {"cycle": ev.cycle.pk})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")

    content = fill(download.content, {"GVA1": (ev.levels("Tot", c4="Kha"), "Tot")})
    preview = client.post(
        reverse("paper_home", args=[pk]), {"cycle": ev.cycle.pk, "file": _upload(content)}
    )
    assert preview.status_code == 200
    page = preview.content.decode()
    assert reverse("paper_confirm", args=[pk]) in page
    assert "Nguyễn Văn An" in page
    assert evaluation_of(ev, "GVA1") is None
    token = preview.context["token"]

    # A forged token (another file's hash) is not accepted.
    forged = client.post(
        reverse("paper_confirm", args=[pk]), {"cycle": ev.cycle.pk, "token": "0" * 64}
    )
    assert forged.status_code == 409

    done = client.post(reverse("paper_confirm", args=[pk]), {"cycle": ev.cycle.pk, "token": token})
    assert done.status_code == 200
    assert evaluation_of(ev, "GVA1").final_rating == "Kha"
    with system_scope():
        event = AuditEvent.objects.get(action="evaluation.paper_import")
    assert event.changes["paper"]["file"] == "ket-qua.xlsx"

    # The stored file is gone once saved: confirming twice saves nothing more.
    assert not list((media / "imports").iterdir())
    again = client.post(reverse("paper_confirm", args=[pk]), {"cycle": ev.cycle.pk, "token": token})
    assert again.status_code == 409


def test_page_lists_errors_and_offers_no_confirmation(ev):
    client = ev.w.client_for(ev.w.principal_a1)
    pk = ev.w.school_a1.pk
    content = fill(template(ev), {"GVA1": ({**ev.levels("Tot"), "5": "?"}, "Tot")})
    response = client.post(
        reverse("paper_home", args=[pk]), {"cycle": ev.cycle.pk, "file": _upload(content)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Tiêu chí 5" in page
    assert reverse("paper_confirm", args=[pk]) not in page
    # A session is not iterable; its keys are.
    pending = [k for k in client.session.keys() if k.startswith("import_pending:")]  # noqa: SIM118
    assert not pending


def test_a_superuser_may_import(ev):
    admin = make_user("root", superuser=True)
    result = apply(
        ev,
        fill(template(ev, admin), {"HTA1": (ev.levels("Kha", n=18), "Kha")}, sheet=MANAGERS),
        admin,
    )
    assert result.ok, [e.message for e in result.errors]
    assert evaluation_of(ev, "HTA1").reviewer == admin


def _queries(ev: Any, content: bytes) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert check(ev, content).ok
    return len(queries)


def test_checking_a_file_takes_a_fixed_number_of_queries(ev):
    few = _queries(ev, fill(template(ev), {"GVA1": (ev.levels("Tot"), "Tot")}))
    for n in range(40):
        PersonFactory(unit=ev.w.school_a1, staff_code=f"GVX{n:03d}")
    rows = {f"GVX{n:03d}": (ev.levels("Kha"), "Kha") for n in range(40)}
    many = _queries(ev, fill(template(ev), {"GVA1": (ev.levels("Tot"), "Tot"), **rows}))
    assert many == few


def test_unconfirmed_uploads_are_swept_after_a_day(media):
    import os
    import time

    from opentemis.core.imports.uploads import upload_read, upload_store

    old = upload_store(io.BytesIO(b"old"))
    stale = time.time() - 25 * 3600
    os.utime(media / old.name, (stale, stale))
    new = upload_store(io.BytesIO(b"new"))
    assert upload_read(old) is None
    assert upload_read(new) == b"new"
    (media / new.name).write_bytes(b"tampered")
    assert upload_read(new) is None
