"""The framework workbook: the template round trip (TT 20) and located Vietnamese errors."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from opentemis.standards.files import FrameworkFileError, frameworks_from_yaml, read_framework_file
from opentemis.standards.frameworks import framework_data
from opentemis.standards.models import Framework
from opentemis.standards.rules import Level, RuleSet, rate
from opentemis.standards.selectors import framework_as_data
from opentemis.standards.services import framework_load
from opentemis.standards.xlsx import framework_from_xlsx, framework_template_xlsx, framework_to_xlsx

TT20 = "TT20_2018_GVPT"
T, K, D, C = Level.TOT, Level.KHA, Level.DAT, Level.CHUA_DAT


def _criteria(data):
    return [
        (
            s["number"],
            c["number"],
            c["name"],
            {k: v for k, v in c.get("descriptors", {}).items() if v},
        )
        for s in data["standards"]
        for c in s["criteria"]
    ]


def _rule_set(data):
    numbers = [n for _s, n, _name, _d in _criteria(data)]
    return RuleSet.from_data(numbers, data["rating_rules"])


@pytest.fixture(scope="module")
def template_data():
    return framework_from_xlsx(framework_template_xlsx())


def test_template_round_trip_has_the_criteria_of_tt20(template_data):
    yaml_data = framework_data()[TT20]
    assert template_data["code"] == TT20
    assert template_data["title_vi"] == yaml_data["title_vi"]
    assert template_data["legal_ref"] == yaml_data["legal_ref"]
    assert _criteria(template_data) == _criteria(yaml_data)
    assert [(s["number"], s["name"], s.get("article")) for s in template_data["standards"]] == [
        (s["number"], s["name"], s.get("article")) for s in yaml_data["standards"]
    ]
    assert template_data["rating_rules"]["key_criteria"] == [3, 4, 5, 6, 7]


def test_template_round_trip_has_the_rules_of_tt20(template_data):
    assert _rule_set(template_data) == _rule_set(framework_data()[TT20])


SAMPLES = [
    [T] * 15,
    [T] * 10 + [K] * 5,
    [T] * 9 + [K] * 6,
    [T, T, T, K] + [T] * 11,
    [K] * 10 + [D] * 5,
    [K] * 9 + [D] * 6,
    [T] * 6 + [D] + [T] * 8,
    [D] * 15,
    [T] * 14 + [C],
]


@pytest.mark.parametrize("values", SAMPLES)
def test_template_rates_like_the_yaml(template_data, values):
    levels = dict(enumerate(values, start=1))
    expected = rate(_rule_set(framework_data()[TT20]), levels).level
    assert rate(_rule_set(template_data), levels).level == expected


@hsettings(max_examples=60)
@given(st.lists(st.sampled_from(list(Level)), min_size=15, max_size=15))
def test_template_rates_like_the_yaml_on_any_levels(values):
    data = framework_from_xlsx(_TEMPLATE)
    levels = dict(enumerate(values, start=1))
    assert (
        rate(_rule_set(data), levels).level == rate(_rule_set(framework_data()[TT20]), levels).level
    )


_TEMPLATE = framework_template_xlsx()


def test_template_loads_as_a_complete_new_version(builtins, template_data):
    framework = framework_load(data=template_data, source="upload")
    assert framework.version == 2
    assert framework.is_complete and framework.rules_verified
    assert framework.criteria.count() == 15
    assert set(framework.criteria.filter(is_key=True).values_list("number", flat=True)) == {
        3,
        4,
        5,
        6,
        7,
    }
    assert (
        framework.criteria.get(number=1).descriptors
        == builtins[TT20].criteria.get(number=1).descriptors
    )
    # Loading the same workbook again changes nothing.
    assert framework_load(data=framework_from_xlsx(_TEMPLATE), source="upload") == framework


def test_a_stored_version_exports_and_reads_back_the_same(builtins):
    tt14 = builtins["TT14_2018_HTPT"]
    data = framework_as_data(tt14)
    again = framework_from_xlsx(framework_to_xlsx(data))
    assert _criteria(again) == _criteria(data)
    assert _rule_set(again) == _rule_set(data)
    unverified = {
        c["number"] for s in again["standards"] for c in s["criteria"] if c.get("verification")
    }
    assert unverified == set(tt14.criteria.filter(verified=False).values_list("number", flat=True))


# --- malformed workbooks ---------------------------------------------------------------------


def _edited(change) -> bytes:
    workbook = load_workbook(io.BytesIO(_TEMPLATE))
    change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _errors(content: bytes) -> list[str]:
    with pytest.raises(FrameworkFileError) as info:
        framework_from_xlsx(content)
    return info.value.messages


def test_missing_sheet_is_named_in_vietnamese(vi):
    content = _edited(lambda wb: wb.remove(wb["Quy tắc"]))
    [message] = _errors(content)
    assert message.startswith("Trang tính «Quy tắc»:")
    assert "thiếu" in message.lower()


def test_bad_level_name_names_sheet_row_and_column(vi):
    content = _edited(lambda wb: wb["Quy tắc"].__setitem__("B3", "Giỏi"))
    [message] = _errors(content)
    assert message.startswith("Trang tính «Quy tắc», dòng 3, cột «Kết quả»:")
    assert "“Giỏi” không phải là một mức" in message


def test_duplicate_criterion_names_both_rows(vi):
    content = _edited(lambda wb: wb["Tiêu chí"].__setitem__("E5", 2))
    [message] = _errors(content)
    assert message.startswith("Trang tính «Tiêu chí», dòng 5, cột «Tiêu chí số»:")
    assert "Tiêu chí 2 xuất hiện hai lần" in message and "dòng 3" in message


def test_every_problem_is_reported_at_once(vi):
    def change(wb):
        wb["Tiêu chí"]["E4"] = "ba"  # not a number
        wb["Tiêu chí"]["F6"] = None  # name required
        wb["Quy tắc"]["E2"] = dt.datetime(2026, 2, 3)  # Excel turned 2/3 into 3 February

    messages = _errors(_edited(change))
    assert len(messages) == 3
    assert messages[0].startswith("Trang tính «Tiêu chí», dòng 4, cột «Tiêu chí số»")
    assert messages[1].startswith("Trang tính «Tiêu chí», dòng 6, cột «Tên tiêu chí»")
    assert messages[2].startswith("Trang tính «Quy tắc», dòng 2, cột «Tỉ lệ tối thiểu: tỉ lệ»")
    assert "ngày tháng" in messages[2]


def test_a_formula_is_refused_with_its_cell_like_every_import(vi):
    content = _edited(lambda wb: wb["Tiêu chí"].__setitem__("E4", "=1+2"))
    with pytest.raises(FrameworkFileError) as info:
        framework_from_xlsx(content)
    [issue] = info.value.issues
    assert (issue.sheet, issue.row, issue.column, issue.cell) == (
        "Tiêu chí",
        4,
        "Tiêu chí số",
        "E4",
    )
    assert "ô E4 chứa công thức" in issue.message


def test_the_workbook_goes_through_the_safe_reader_and_its_limits(vi):
    # A sheet of formatted empty rows is refused by the reader's row cap before it is parsed.
    content = _edited(
        lambda wb: [wb["Quy tắc"].cell(row=n, column=1).__setattr__("number_format", "@")
                    for n in range(2, 4100)]
    )  # fmt: skip
    [message] = _errors(content)
    assert "dòng trống có định dạng" in message


def test_missing_column_and_half_filled_condition(vi):
    def change(wb):
        wb["Tiêu chí"]["F1"] = "Tên"

    [message] = _errors(_edited(change))
    assert message.startswith("Trang tính «Tiêu chí», dòng 1, cột «Tên tiêu chí»")
    [message] = _errors(_edited(lambda wb: wb["Quy tắc"].__setitem__("E3", None)))
    assert message.startswith("Trang tính «Quy tắc», dòng 3:")


def test_rules_naming_unknown_criteria_are_refused_when_loading(db):
    data = framework_from_xlsx(_edited(lambda wb: wb["Quy tắc"].__setitem__("G2", "3-7, 99")))
    assert data["rating_rules"]["rules"][0]["key_criteria_at_least"]["criteria"] == [
        3,
        4,
        5,
        6,
        7,
        99,
    ]
    with pytest.raises(Exception, match="99"):
        framework_load(data=data)
    assert not Framework.objects.exists()


def test_headers_are_found_without_accents_and_in_any_order():
    def change(wb):
        ws = wb["Quy tắc"]
        ws["A1"], ws["B1"] = "KET QUA", "thu tu"
        for row in range(2, 5):
            ws[f"A{row}"], ws[f"B{row}"] = ws[f"B{row}"].value, ws[f"A{row}"].value

    assert _rule_set(framework_from_xlsx(_edited(change))) == _rule_set(framework_data()[TT20])


def test_empty_rules_sheet_gives_an_incomplete_framework(db):
    def change(wb):
        ws = wb["Quy tắc"]
        ws.delete_rows(2, 10)

    framework = framework_load(data=framework_from_xlsx(_edited(change)))
    assert not framework.is_complete


ENCRYPTED = bytes.fromhex("D0CF11E0A1B11AE1") + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"%PDF-1.7 not a workbook", "not an Excel workbook"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "97-2003"),
        (ENCRYPTED, "password"),
        (b"PK\x03\x04garbage", "damaged"),
        (b"", "empty"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(content, needle):
    with translation.override("en"), pytest.raises(FrameworkFileError) as info:
        read_framework_file(content, "khung.xlsx")
    [message] = info.value.messages
    assert needle in message
    assert "staff" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Choose the filled-in framework (.xlsx)"),
        (b"%PDF-1.7 not a workbook", "Open the framework in Excel"),
    ],
)
def test_refusals_name_the_framework(content, expected):
    with translation.override("en"), pytest.raises(FrameworkFileError) as info:
        framework_from_xlsx(content)
    [message] = info.value.messages
    assert expected in message


def test_binary_files_are_not_read_as_yaml():
    with translation.override("en"), pytest.raises(FrameworkFileError, match="UTF-8"):
        read_framework_file(b"\xff\xfe\x00garbage", "khung.yaml")


def test_yaml_aliases_and_syntax_errors_are_refused_with_the_line():
    with pytest.raises(FrameworkFileError, match=r"(Line|Dòng) 3"):
        frameworks_from_yaml(b"code: X\ntitle_vi: &t Y\nsubject: *t\n")
    with pytest.raises(
        FrameworkFileError, match=r"(Line 3: The YAML|Dòng 3: Không đọc được tệp YAML)"
    ):
        frameworks_from_yaml(b"code: X\ntitle_vi: [unclosed\n")


def test_load_command_reads_a_workbook(builtins, tmp_path, capsys):
    path = tmp_path / "khung.xlsx"
    path.write_bytes(_TEMPLATE)
    call_command("load_frameworks", str(path))
    assert "TT20_2018_GVPT v2: 15 criteria" in capsys.readouterr().out
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(_edited(lambda wb: wb.remove(wb["Khung"])))
    with pytest.raises(CommandError):
        call_command("load_frameworks", str(broken))


def test_the_documented_yaml_example_loads(db):
    doc = (Path(settings.BASE_DIR) / "docs" / "frameworks.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    [data] = frameworks_from_yaml(example.encode())
    framework = framework_load(data=data, source="upload")
    assert framework.is_complete and framework.criteria.count() == 4
    assert framework.criteria.get(number=4).verified is False
    rules = framework.rule_set()
    assert rate(rules, {1: K, 2: T, 3: T, 4: T}).level == T  # 3 of 4 at Tốt: ceil(2/3 * 4) = 3
    assert rate(rules, {1: T, 2: T, 3: T, 4: K}).level == K  # key criterion 4 below Tốt
