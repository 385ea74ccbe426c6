# ruff: noqa: E501
"""Imports into the bank: Excel and Moodle XML, good, bad and hostile files; atomic and
idempotent."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from opentemis.core.scoping import system_scope
from opentemis.quizzes import imports
from opentemis.quizzes.models import Question, QuestionVersion
from tests.learning_world import make_course

pytestmark = pytest.mark.django_db

MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Nguyên tắc đánh giá</text></category></question>
  <question type="multichoice">
    <name><text>MC1</text></name>
    <questiontext format="html"><text><![CDATA[<p>Mục đích của đánh giá thường xuyên?</p>]]></text></questiontext>
    <defaultgrade>2</defaultgrade>
    <single>true</single>
    <answer fraction="100"><text>Hỗ trợ học sinh tiến bộ</text></answer>
    <answer fraction="0"><text>Xếp hạng</text></answer>
  </question>
  <question type="multichoice">
    <name><text>MC2</text></name>
    <questiontext><text>Công cụ đánh giá?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>Bảng kiểm</text></answer>
    <answer fraction="50"><text>Phiếu đánh giá theo tiêu chí</text></answer>
    <answer fraction="-100"><text>Sổ điểm danh</text></answer>
  </question>
  <question type="truefalse">
    <name><text>TF1</text></name>
    <questiontext><text>Học sinh được tự đánh giá.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="numerical">
    <name><text>N1</text></name>
    <questiontext><text>57 chia 8?</text></questiontext>
    <answer fraction="100"><text>7.125</text><tolerance>0.001</tolerance></answer>
  </question>
  <question type="shortanswer">
    <name><text>S1</text></name>
    <questiontext><text>Đánh giá trong quá trình gọi là gì?</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>thường xuyên</text></answer>
  </question>
  <question type="essay">
    <name><text>E1</text></name>
    <questiontext><text>Viết một đoạn văn.</text></questiontext>
  </question>
</quiz>
"""


def _xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header or imports.TEMPLATE_HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(lw: Any, content: bytes, name: str = "f.xlsx") -> imports.Report:
    with system_scope():
        return imports.bank_import(actor=None, course=lw.course, content=content, name=name)


def test_the_template_imports_and_again_adds_nothing(world: Any) -> None:
    lw = make_course(world)
    template = imports.excel_template()
    assert load_workbook(io.BytesIO(template)).active.max_row == 6  # type: ignore[union-attr]
    report = _import(lw, template)
    assert (report.added, report.versions, report.unchanged) == (5, 0, 0)
    again = _import(lw, template)
    assert (again.added, again.versions, again.unchanged) == (0, 0, 5)
    with system_scope():
        assert Question.objects.count() == 5
        kinds = set(QuestionVersion.objects.values_list("kind", flat=True))
    assert kinds == {"single", "multiple", "truefalse", "numeric", "short"}


def test_a_row_with_a_code_changed_makes_a_new_version(world: Any) -> None:
    lw = make_course(world)
    row = ["Q1", "Chung", "đúng/sai", "Câu hỏi.", 1, "Đúng"]
    _import(lw, _xlsx([row]))
    report = _import(lw, _xlsx([[*row[:5], "Sai"]]))
    assert (report.added, report.versions) == (0, 1)
    with system_scope():
        question = Question.objects.get(key="code:Q1")
        assert question.current is not None and question.current.data == {"answer": False}


def test_one_bad_row_refuses_the_whole_file(world: Any) -> None:
    lw = make_course(world)
    rows = [
        ["", "Chung", "đúng/sai", "Câu đúng.", 1, "Đúng"],
        ["", "Chung", "một lựa chọn", "Thiếu phương án", 1, "C", "", "", "X", "Y"],
        ["", "Chung", "bài luận", "Loại lạ", 1, ""],
    ]
    with pytest.raises(ValidationError) as caught:
        _import(lw, _xlsx(rows))
    text = " ".join(caught.value.messages)
    assert "Row 3" in text and "Row 4" in text
    with system_scope():
        assert Question.objects.count() == 0


def test_moodle_xml_imports_the_supported_types_and_skips_others(world: Any) -> None:
    lw = make_course(world)
    report = _import(lw, MOODLE.encode(), "cau-hoi.xml")
    assert report.added == 5 and len(report.skipped) == 1 and "essay" in report.skipped[0]
    with system_scope():
        mc = Question.objects.get(key="moodle:Nguyên tắc đánh giá/MC1").current
        assert mc is not None
        assert mc.text == "Mục đích của đánh giá thường xuyên?" and mc.points == 2
        multi = Question.objects.get(key="moodle:Nguyên tắc đánh giá/MC2").current
        assert multi is not None
        assert [c["correct"] for c in multi.data["choices"]] == [True, True, False]
    assert _import(lw, MOODLE.encode(), "cau-hoi.xml").added == 0


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a spreadsheet at all",
        b"PK\x03\x04broken zip",
        b"<quiz><question type='truefalse'>",  # not well formed
        b"<html><body>x</body></html>",
        # An entity expansion (billion laughs) is refused by defusedxml, nothing expanded.
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<quiz>&b;</quiz>",
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<quiz>&x;</quiz>",
    ],
)
def test_bad_and_hostile_files_get_a_message_and_write_nothing(world: Any, content: bytes) -> None:
    lw = make_course(world)
    with pytest.raises(ValidationError) as caught:
        _import(lw, content, "file.xml" if content.startswith(b"<") else "file.xlsx")
    assert caught.value.messages[0]
    with system_scope():
        assert Question.objects.count() == 0


def test_a_spreadsheet_without_the_header_is_refused(world: Any) -> None:
    lw = make_course(world)
    with pytest.raises(ValidationError, match="header row"):
        _import(lw, _xlsx([["a", "b"]], header=["Tên", "Tuổi"]))
