"""BDTX catalogues as versioned data: the shipped data, the services' rules, the upload with
bad files, the pages and the API."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.training import selectors, services
from opentemis.training.files import read_training_file
from opentemis.training.importer import training_file_import
from opentemis.training.models import (
    Catalogue,
    CatalogueStatus,
    CrossWalk,
    Module,
    Programme,
    ProgrammeContent,
    Requirement,
    Title,
    TrainingYear,
)
from tests.factories import make_user

SHIPPED = services.BUILTIN_FILE.read_bytes()


@pytest.fixture
def admin(db: Any) -> Any:
    return make_user("root", superuser=True)


@pytest.fixture
def loaded(world: Any) -> Any:
    services.load_builtin_catalogues(school_year=world.year)
    return world


def _catalogue(world: Any, code: str = "TT17-GVPT") -> Catalogue:
    return Catalogue.objects.get(school_year=world.year, code=code, version=1)


# --- the shipped data ---------------------------------------------------------------------


def test_shipped_data_has_what_bdtx_gives(loaded: Any) -> None:
    tt17 = _catalogue(loaded)
    codes = list(tt17.modules.values_list("code", flat=True))
    assert codes == [f"GVPT {n:02d}" for n in range(1, 16)]
    # One module per TT 20 criterion, hours unknown and said so.
    for number, module in enumerate(tt17.modules.all(), start=1):
        assert module.criteria == [number] and module.framework == "TT20_2018_GVPT"
        assert module.hours is None and module.to_verify["hours"]
    inferred = {m.code for m in tt17.modules.all() if "code" in m.to_verify}
    assert inferred == {"GVPT 13", "GVPT 15"}
    etep = _catalogue(loaded, "ETEP-4660")
    gv3 = etep.modules.get(code="GV3")
    assert "title" not in gv3.to_verify  # [V]: read in the seeds
    assert "title" in etep.modules.get(code="GV4").to_verify
    assert {(c.module.code, c.target_module) for c in CrossWalk.objects.all()} >= {
        ("GV2", "GVPT 05"),
        ("GV3", "GVPT 06"),
    }
    assert all(c.to_verify for c in CrossWalk.objects.all())


def test_requirements_total_120_with_03_fixed(loaded: Any) -> None:
    summaries = selectors.requirements_for(actor=None, school_year=loaded.year)  # type: ignore[arg-type]
    assert {s.title for s in summaries} == set(Title.values)
    for summary in summaries:
        assert summary.total == 120
        assert summary.rebalanceable == [Programme.P01, Programme.P02]
    year = TrainingYear.objects.get(school_year=loaded.year)
    assert year.max_weeks == 3 and "93/2026" in year.max_weeks_source
    assert all(r.regulation_version for r in Requirement.objects.all())


def test_loader_is_idempotent(world: Any) -> None:
    call_command("load_training_catalogues", stdout=None)
    counts = (Catalogue.objects.count(), Module.objects.count(), Requirement.objects.count())
    call_command("load_training_catalogues", f"--year={world.year.code}")
    assert (Catalogue.objects.count(), Module.objects.count(), Requirement.objects.count()) == (
        counts
    )
    with system_scope():
        assert AuditEvent.objects.filter(action="training.catalogue_load").count() == 2


# --- the rules ----------------------------------------------------------------------------


def test_a_locked_version_refuses_every_write(loaded: Any, admin: Any) -> None:
    catalogue = services.catalogue_lock(actor=admin, catalogue=_catalogue(loaded))
    module = catalogue.modules.first()
    assert module is not None
    with pytest.raises(ValidationError):
        services.module_update(actor=admin, module=module, fields={"hours": 10})
    with pytest.raises(ValidationError):
        services.catalogue_lock(actor=admin, catalogue=catalogue)
    with pytest.raises(ValidationError):
        services._write_modules(catalogue, [])
    module.refresh_from_db()
    assert module.hours is None and catalogue.modules.count() == 15


def test_a_draft_module_can_be_changed(loaded: Any, admin: Any) -> None:
    module = _catalogue(loaded).modules.get(code="GVPT 06")
    services.module_update(actor=admin, module=module, fields={"hours": 10})
    module.refresh_from_db()
    assert module.hours == 10


def test_a_new_version_copies_the_locked_one(loaded: Any, admin: Any) -> None:
    etep = services.catalogue_lock(actor=admin, catalogue=_catalogue(loaded, "ETEP-4660"))
    copy = services.catalogue_new_version(actor=admin, catalogue=etep)
    assert (copy.version, copy.status, copy.based_on) == (2, CatalogueStatus.DRAFT, etep)
    original = [(m.code, m.title, m.criteria, m.to_verify, m.hours) for m in etep.modules.all()]
    assert [(m.code, m.title, m.criteria, m.to_verify, m.hours) for m in copy.modules.all()] == (
        original
    )
    assert CrossWalk.objects.filter(module__catalogue=copy).count() == 8
    with pytest.raises(ValidationError):  # one draft at a time
        services.catalogue_new_version(actor=admin, catalogue=etep)
    with pytest.raises(ValidationError):  # a draft is changed, not copied
        services.catalogue_new_version(actor=admin, catalogue=copy)


def test_reloading_changed_data_over_a_locked_version_makes_a_new_one(
    loaded: Any, admin: Any
) -> None:
    services.catalogue_lock(actor=admin, catalogue=_catalogue(loaded))
    raw = yaml.safe_load(SHIPPED)
    raw["catalogues"][0]["modules"][0]["hours"] = 5
    data, issues = read_training_file(yaml.safe_dump(raw).encode(), levels=services.level_codes())
    assert issues == []
    result = services.training_load(actor=admin, school_year=loaded.year, data=data)
    outcomes = {c.code: (c.version, o) for c, o in result.catalogues}
    assert outcomes["TT17-GVPT"] == (2, services.Outcome.NEW_VERSION)
    assert outcomes["ETEP-4660"] == (1, services.Outcome.UNCHANGED)
    assert _catalogue(loaded).modules.get(code="GVPT 01").hours is None  # v1 unchanged


# --- the upload -----------------------------------------------------------------------------


BAD = """\
requirements:
  - titles: [gv_th]
    programme: "03"
    hours: 40
    rebalanceable: true
  - titles: [giao_vien]
    programme: "01"
    hours: 40
catalogues:
  - code: X
    kind: tt17_p03
    title: Thử
    modules:
      - code: M1
        title: Một
        audience: GV
        levels: [ZZ]
        hours: -3
"""


def test_a_bad_file_gives_located_issues_and_writes_nothing(world: Any, admin: Any) -> None:
    result = training_file_import(
        actor=admin, school_year=world.year, file=BAD.encode(), dry_run=False
    )
    assert not result.written
    messages = [issue.message for issue in result.errors]
    lines = sorted(issue.line or 0 for issue in result.errors)
    assert len(messages) == 4, messages
    assert lines == [5, 6, 17, 18]
    assert any("rebalanceable" in m and "03" in m for m in messages)
    assert all(m.startswith("Dòng") for m in messages), messages
    assert not Catalogue.objects.exists() and not Requirement.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "rỗng"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"a: [", "YAML"),
        (b"PK\x03\x04rest", "Excel"),
        (b"- 1\n- 2\n", "YAML"),
    ],
)
def test_unreadable_files(content: bytes, expected: str, world: Any, admin: Any) -> None:
    result = training_file_import(actor=admin, school_year=world.year, file=content, dry_run=True)
    assert result.errors and expected in result.errors[0].message


def test_a_dry_run_previews_and_writes_nothing(world: Any, admin: Any) -> None:
    result = training_file_import(actor=admin, school_year=world.year, file=SHIPPED, dry_run=True)
    assert result.errors == [] and result.to_save and not result.written
    assert [(p.code, p.modules, p.outcome) for p in result.previews] == [
        ("TT17-GVPT", 15, "new"),
        ("ETEP-4660", 18, "new"),
    ]
    assert result.requirements == 18
    assert not Catalogue.objects.exists()


# --- pages and API --------------------------------------------------------------------------


def test_upload_preview_confirm_lock_and_new_version_pages(world: Any, admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    url = reverse("training_upload") + f"?year={world.year.code}"
    page = client.post(url, {"file": SimpleUploadedFile("bdtx.yaml", SHIPPED)})
    assert page.status_code == 200 and "TT17-GVPT" in page.content.decode()
    assert not Catalogue.objects.exists()
    token = page.context["token"]
    done = client.post(url, {"token": token, "year": world.year.code})
    assert done.status_code == 302 and Catalogue.objects.count() == 2
    listing = client.get(reverse("training_catalogues") + f"?year={world.year.code}")
    assert listing.status_code == 200 and "ETEP-4660" in listing.content.decode()
    assert listing.content.decode().count("<strong>120</strong>") == 6
    catalogue = _catalogue(world)
    detail = client.get(reverse("training_catalogue", args=[catalogue.pk]))
    assert "GVPT 13" in detail.content.decode() and "cần kiểm chứng" in detail.content.decode()
    client.post(reverse("training_catalogue_lock", args=[catalogue.pk]))
    catalogue.refresh_from_db()
    assert catalogue.is_locked
    answer = client.post(reverse("training_catalogue_new_version", args=[catalogue.pk]))
    copy = Catalogue.objects.get(code="TT17-GVPT", version=2)
    assert answer["Location"] == reverse("training_catalogue", args=[copy.pk])


def test_a_bad_upload_page_shows_the_issues(world: Any, admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    page = client.post(
        reverse("training_upload"), {"file": SimpleUploadedFile("x.yaml", BAD.encode())}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Dòng 5" in html and "token" not in page.context


def test_pages_are_for_superusers_only(loaded: Any) -> None:
    client = Client()
    client.force_login(loaded.officer_a)
    assert client.get(reverse("training_catalogues")).status_code == 404


def test_api_reads(loaded: Any) -> None:
    client = Client()
    client.force_login(loaded.teacher_a1)
    listing = client.get("/api/v1/training/catalogues/").json()
    assert [c["code"] for c in listing] == ["ETEP-4660", "TT17-GVPT"]
    detail = client.get(f"/api/v1/training/catalogues/{listing[1]['id']}/").json()
    assert detail["modules"][12]["code"] == "GVPT 13" and detail["modules"][12]["to_verify"]
    reqs = client.get("/api/v1/training/requirements/?title=gv_thcs").json()
    assert reqs[0]["total"] == 120 and [p["programme"] for p in reqs[0]["programmes"]] == [
        "01",
        "02",
        "03",
    ]
    assert client.get("/api/v1/training/requirements/?title=x").status_code == 400
    assert client.get("/api/v1/training/catalogues/?year=1900-1901").status_code == 404
    assert Client().get("/api/v1/training/catalogues/").status_code in {401, 403}


# --- the Excel form -------------------------------------------------------------------------


MODULE_HEADERS = ["Danh mục", "Loại", "Tên danh mục", "Mã", "Tên", "Đối tượng", "Cấp học"]
MODULE_HEADERS += ["Số tiết"]
ETEP_ROW = ["ETEP-4660", "etep_4660", "ETEP", "GV3", "Đánh giá", "GV"]


def _xlsx(requirements: list[list[Any]], modules: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Yêu cầu"
    sheet.append(["Chức danh", "Nội dung", "Số tiết", "Điều chỉnh", "Nguồn", "Cần kiểm chứng"])
    for row in requirements:
        sheet.append(row)
    sheet = workbook.create_sheet("Mô-đun")
    sheet.append([*MODULE_HEADERS, "Khung", "Tiêu chí", "Cần kiểm chứng", "Tương ứng"])
    for row in modules:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


MODULE_ROW = ["TT17-GVPT", "tt17_p03", "Nội dung 03", "GVPT 06", "Kiểm tra, đánh giá", "GV"]


def test_an_excel_file_loads_like_the_yaml(world: Any, admin: Any) -> None:
    content = _xlsx(
        [["gv_th", "1", 40, "x", "TT 17/2019", ""], ["gv_th", "3", 40, "", "TT 17/2019", ""]],
        [
            [*MODULE_ROW, "TH, THCS", 20, "TT20_2018_GVPT", "6", "hours: chưa rõ", ""],
            [*ETEP_ROW, "TH", None, "TT20_2018_GVPT", "6", "", "TT17-GVPT/GVPT 06"],
        ],
    )
    result = training_file_import(actor=admin, school_year=world.year, file=content, dry_run=False)
    assert result.errors == [] and result.written
    module = Module.objects.get(code="GVPT 06")
    assert (module.levels, module.hours, module.criteria) == (["TH", "THCS"], 20, [6])
    assert module.to_verify == {"hours": "chưa rõ"}
    assert CrossWalk.objects.get().target_module == "GVPT 06"
    rows = Requirement.objects.filter(title="gv_th").order_by("programme")
    assert [(r.programme, r.hours, r.rebalanceable) for r in rows] == [
        ("01", 40, True),
        ("03", 40, False),
    ]


def test_an_excel_file_with_bad_cells_names_them(world: Any, admin: Any) -> None:
    content = _xlsx(
        [["giao_vien", "1", 40, "", "", ""], ["gv_th", "3", 40, "x", "", ""]],
        [[*MODULE_ROW, "TH, ZZ", "nhiều", "TT20_2018_GVPT", "6", "", ""]],
    )
    result = training_file_import(actor=admin, school_year=world.year, file=content, dry_run=False)
    assert not result.written and not Catalogue.objects.exists()
    places = sorted((i.sheet, i.row, i.column, i.cell) for i in result.errors)
    assert places == [
        ("Mô-đun", 2, "Cấp học", "G2"),
        ("Mô-đun", 2, "Số tiết", "H2"),
        ("Yêu cầu", 2, "Chức danh", "A2"),
        ("Yêu cầu", 3, "Điều chỉnh", "D3"),
    ], [i.message for i in result.errors]
    assert result.errors[0].message.startswith("Trang tính «")


CONTENTS = """\
contents:
  - programme: "01"
    code: BO-1
    title: Nhiệm vụ năm học
    hours: 40
  - programme: "02"
    unit: SA
    code: SA-1
    title: Giáo dục địa phương tỉnh An
    titles: [gv_th]
  - programme: "02"
    unit: SA-TH1
    code: X
    title: Trường không phải Sở
"""


def test_programme_contents_national_and_per_province(world: Any, admin: Any) -> None:
    with system_scope():  # the provinces are found by code, as a superuser's request does
        _contents_round(world, admin)


def _contents_round(world: Any, admin: Any) -> None:
    bad = training_file_import(
        actor=admin, school_year=world.year, file=CONTENTS.encode(), dry_run=False
    )
    assert not bad.written and len(bad.errors) == 1 and "SA-TH1" in bad.errors[0].message
    good = CONTENTS.rsplit('  - programme: "02"', 1)[0]
    result = training_file_import(
        actor=admin, school_year=world.year, file=good.encode(), dry_run=False
    )
    assert result.written, [i.message for i in result.errors]
    rows = ProgrammeContent.objects.order_by("programme")
    assert [(r.programme, r.unit, r.titles) for r in rows] == [
        ("01", None, []),
        ("02", world.province_a, ["gv_th"]),
    ]
    again = training_file_import(
        actor=admin, school_year=world.year, file=good.encode(), dry_run=False
    )
    assert again.written and ProgrammeContent.objects.count() == 2


def test_a_changed_draft_is_replaced_in_place(loaded: Any, admin: Any) -> None:
    raw = yaml.safe_load(SHIPPED)
    raw["catalogues"][0]["modules"][5]["hours"] = 7
    raw["requirements"][0]["hours"] = 30
    data, issues = read_training_file(yaml.safe_dump(raw).encode(), levels=services.level_codes())
    assert issues == []
    result = services.training_load(actor=admin, school_year=loaded.year, data=data)
    assert {c.code: (c.version, o) for c, o in result.catalogues}["TT17-GVPT"] == (
        1,
        services.Outcome.REPLACED,
    )
    assert Catalogue.objects.filter(code="TT17-GVPT").count() == 1
    assert _catalogue(loaded).modules.get(code="GVPT 06").hours == 7
    summary = selectors.requirements_for(actor=admin, school_year=loaded.year, title="gv_th")[0]
    assert summary.total == 110
