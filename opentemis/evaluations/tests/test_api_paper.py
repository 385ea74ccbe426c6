"""REST API of the paper fallback: the template, the dry run, the all-or-nothing save, the scope
(404 outside), disguised files and the schema."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from opentemis.accounts.models import AuditEvent
from opentemis.core.http import XLSX
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Status
from opentemis.evaluations.tests.test_api import api
from opentemis.evaluations.tests.test_paper import TEACHERS, evaluation_of, fill, template

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/evaluations/paper/"
TEMPLATE = "/api/v1/evaluations/paper/template/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def query(ev: Any, **extra: Any) -> str:
    params = {"unit": ev.w.school_a1.pk, "cycle": ev.cycle.pk, **extra}
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


def send(ev: Any, content: bytes, user: Any = None, lang: str = "vi", **params: Any) -> Any:
    client = api(user or ev.w.principal_a1)
    upload = SimpleUploadedFile("ket-qua.xlsx", content)
    return client.post(
        IMPORT + query(ev, **params),
        {"file": upload},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def saved_events() -> int:
    with system_scope():
        return AuditEvent.objects.filter(action="evaluation.paper_import").count()


def test_template_is_the_pages_download(ev):
    response = api(ev.w.principal_a1).get(TEMPLATE + query(ev), HTTP_ACCEPT=XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert TEACHERS in workbook.sheetnames
    codes = [r[0].value for r in workbook[TEACHERS].iter_rows(min_row=3) if r[0].value]
    assert codes == ["GVA1B", "GVA1", "TTA1"]  # by name, as on the page
    # Without ?cycle= the current cycle covering the school, as on the page.
    default = api(ev.w.principal_a1).get(TEMPLATE, {"unit": ev.w.school_a1.pk})
    assert default.status_code == 200


def test_template_errors_are_json_even_for_a_client_asking_for_the_workbook(ev):
    client = api(ev.w.principal_b1)
    response = client.get(TEMPLATE + query(ev), HTTP_ACCEPT=XLSX)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert api(ev.w.principal_a1).get(TEMPLATE, {"unit": "x"}).status_code == 400


def test_dry_run_checks_and_saves_nothing(ev, media):
    levels = ev.levels("Tot", c4="Kha")  # criterion 4 is a key criterion: the law says Khá
    content = fill(template(ev), {"GVA1": (levels, "Tot"), "GVA1B": (ev.levels("Kha"), "Kha")})
    response = send(ev, content)  # dry_run defaults to 1
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["dry_run"] is True and body["saved"] is None
    assert body["counts"] == {
        "rows": 2,
        "to_save": 2,
        "to_create": 2,
        "to_update": 0,
        "unchanged": 0,
        "skipped": 1,
        "disagreements": 1,
        "errors": 0,
    }
    assert body["errors"] == []
    assert body["skipped"] == [{"sheet": TEACHERS, "row": 5, "name": "Võ Văn Tổ"}]
    assert body["file_name"] == "ket-qua.xlsx"
    assert body["detail"] == "File hợp lệ; chưa có gì được lưu. Gửi lại file với dry_run=0 để lưu."
    [row] = body["disagreements"]
    assert row["person"]["staff_code"] == "GVA1"
    assert (row["row"], row["written_rating"], row["computed_rating"]) == (4, "Tot", "Kha")
    assert (row["written_label"], row["computed_label"]) == ("Tốt", "Khá")
    assert row["outcome"] == "create" and row["evaluation"] is None
    assert len(row["explanation"]) == 1 and "4" in row["explanation"][0]
    assert {r["person"]["staff_code"] for r in body["rows"]} == {"GVA1", "GVA1B"}
    assert evaluation_of(ev, "GVA1") is None
    assert evaluation_of(ev, "GVA1B") is None
    assert saved_events() == 0
    assert not (media / "imports").exists()  # nothing kept: the client sends it again


def test_dry_run_with_a_bad_level_is_422_with_the_row_in_vietnamese(ev):
    content = fill(template(ev), {"GVA1": ({**ev.levels("Tot"), "3": "Giỏi"}, "Tot")})
    response = send(ev, content)
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False
    [error] = body["errors"]
    assert (error["sheet"], error["row"], error["column"]) == (TEACHERS, 4, "Tiêu chí 3")
    assert "«Giỏi» không phải là mức" in error["problem"]
    assert error["message"].startswith(f"Trang tính «{TEACHERS}», dòng 4, cột «Tiêu chí 3»: ")
    assert "chưa có gì được lưu" in body["detail"]
    assert body["counts"]["errors"] == 1
    # The same in English for a client that asks for it.
    english = send(ev, content, lang="en").json()
    assert "is not a level" in english["errors"][0]["problem"]
    assert evaluation_of(ev, "GVA1") is None


def test_apply_finalises_with_the_computed_ratings(ev):
    levels = ev.levels("Tot", c4="Kha")
    content = fill(template(ev), {"GVA1": (levels, "Tot"), "GVA1B": (ev.levels("Kha"), "Kha")})
    response = send(ev, content, dry_run=0)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["dry_run"] is False
    assert body["saved"] == {"written": True, "created": 2, "updated": 0, "unchanged": 0}
    assert "2" in body["detail"]
    [flagged] = body["disagreements"]
    assert (flagged["written_rating"], flagged["computed_rating"]) == ("Tot", "Kha")

    first = evaluation_of(ev, "GVA1")
    assert (first.status, first.final_rating) == (Status.FINALISED, "Kha")  # the law decides
    assert first.review_levels == levels
    assert first.reviewer == ev.w.principal_a1
    assert flagged["evaluation"] == first.pk
    second = evaluation_of(ev, "GVA1B")
    assert (second.status, second.final_rating) == (Status.FINALISED, "Kha")
    assert saved_events() == 2
    with system_scope():
        event = AuditEvent.objects.filter(action="evaluation.paper_import").first()
    assert event.changes["paper"]["file"] == "ket-qua.xlsx"

    # The same file again: nothing to save, 200, nothing audited.
    again = send(ev, content, dry_run=0)
    assert again.status_code == 200
    assert again.json()["saved"] == {"written": False, "created": 0, "updated": 0, "unchanged": 2}
    assert {r["outcome"] for r in again.json()["rows"]} == {"unchanged"}
    assert saved_events() == 2


def test_apply_with_one_bad_row_saves_nothing(ev):
    content = fill(
        template(ev),
        {"GVA1": (ev.levels("Tot"), "Tot"), "GVA1B": ({**ev.levels("Kha"), "2": "?"}, "Kha")},
    )
    response = send(ev, content, dry_run=0)
    assert response.status_code == 422
    body = response.json()
    assert body["saved"] == {"written": False, "created": 0, "updated": 0, "unchanged": 0}
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "Tiêu chí 2")]
    assert evaluation_of(ev, "GVA1") is None
    assert saved_events() == 0


@pytest.mark.parametrize("dry_run", [1, 0])
def test_a_disguised_file_is_422_with_a_clear_message(ev, dry_run):
    response = send(ev, b"%PDF-1.7 renamed to .xlsx", dry_run=dry_run)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["row"] is None and error["sheet"] == ""
    assert error["message"].startswith("File không phải là bảng tính Excel (.xlsx)")
    assert "phiếu đánh giá" in error["message"]
    english = send(ev, b"%PDF-1.7 renamed to .xlsx", lang="en", dry_run=dry_run).json()
    assert "Open the paper evaluation form in Excel" in english["errors"][0]["message"]


def test_an_empty_file_is_the_importers_refusal_not_a_400(ev):
    response = send(ev, b"")
    assert response.status_code == 422
    assert "File trống" in response.json()["errors"][0]["message"]


def test_no_file_is_400(ev):
    response = api(ev.w.principal_a1).post(IMPORT + query(ev), {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_another_provinces_principal_gets_404(ev):
    content = fill(template(ev), {"GVA1": (ev.levels("Tot"), "Tot")})
    client = api(ev.w.principal_b1)
    assert client.get(TEMPLATE + query(ev)).status_code == 404
    assert send(ev, content, user=ev.w.principal_b1).status_code == 404
    assert send(ev, content, user=ev.w.principal_b1, dry_run=0).status_code == 404
    assert evaluation_of(ev, "GVA1") is None


@pytest.mark.parametrize("who", ["teacher_a1", "officer_a"])
def test_teachers_and_officers_get_404_as_on_the_page(ev, who):
    user = getattr(ev.w, who)
    content = fill(template(ev), {"GVA1B": (ev.levels("Tot"), "Tot")})
    assert api(user).get(TEMPLATE + query(ev)).status_code == 404
    assert send(ev, content, user=user, dry_run=0).status_code == 404
    assert evaluation_of(ev, "GVA1B") is None


def test_a_cycle_outside_reach_or_missing_is_404(ev):
    content = fill(template(ev), {"GVA1": (ev.levels("Tot"), "Tot")})
    assert send(ev, content, cycle=ev.cycle.pk + 1000).status_code == 404
    assert api(ev.w.principal_a1).get(TEMPLATE + query(ev, unit=999999)).status_code == 404


def test_anonymous_is_refused(ev):
    response = APIClient().get(TEMPLATE + query(ev))
    assert response.status_code in (401, 403)


def test_openapi_schema_documents_the_endpoints(db):
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    assert set(paths[TEMPLATE]) - {"parameters"} == {"get"}
    assert set(paths[IMPORT]) - {"parameters"} == {"post"}
    template_get = paths[TEMPLATE]["get"]
    assert XLSX in template_get["responses"]["200"]["content"]
    assert {p["name"] for p in template_get["parameters"]} >= {"unit", "cycle"}
    post = paths[IMPORT]["post"]
    assert {"200", "400", "404", "422"} <= set(post["responses"])
    assert {p["name"] for p in post["parameters"]} >= {"unit", "cycle", "dry_run"}
    assert "multipart/form-data" in post["requestBody"]["content"]
    ok = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/PaperImport")
    component = schema["components"]["schemas"]["PaperImport"]
    assert {"rows", "errors", "disagreements", "counts", "saved"} <= set(component["properties"])
