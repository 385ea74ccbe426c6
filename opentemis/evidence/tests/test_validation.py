"""Files are judged by their bytes: a table of real small files, good and disguised."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from opentemis.evidence import validation
from opentemis.evidence.tests import files


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bao-cao.pdf", files.pdf(), "application/pdf"),
        ("anh.png", files.png(), "image/png"),
        ("anh.jpg", files.jpeg(), "image/jpeg"),
        ("giao-an.docx", files.docx(), validation.DOCX.content_type),
        ("bang-diem.xlsx", files.xlsx(), validation.XLSX.content_type),
        ("bai-giang.pptx", files.pptx(), validation.PPTX.content_type),
        ("ke-hoach.odt", files.odt(), validation.ODT.content_type),
        ("giao-an-cu.doc", files.cfb("WordDocument", "1Table"), "application/msword"),
        ("bang-diem-cu.xls", files.cfb("Workbook"), "application/vnd.ms-excel"),
        ("bai-giang-cu.ppt", files.cfb("PowerPoint Document"), "application/vnd.ms-powerpoint"),
        # The content decides, not the name: a real PDF named .docx is a PDF.
        ("wrongly-named.docx", files.pdf(), "application/pdf"),
        ("no-extension", files.png(), "image/png"),
    ],
)
def test_sniff_accepts_real_files(name, content, expected):
    kind = validation.sniff(files.upload(name, content), name)
    assert kind.content_type == expected


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("chung-chi.pdf", files.exe(), "disguised"),
        ("chung-chi.pdf", files.html(), "disguised"),
        ("giao-an.docx", files.plain_zip(), "disguised"),
        ("giao-an.docx", files.docx(extra={"xl/workbook.xml": b"<w/>"}), "disguised"),
        ("giao-an.doc", files.cfb("SummaryInformation"), "disguised"),  # an .msi or .msg is CFB too
        ("giao-an.doc", files.cfb("WordDocument", "Macros"), "macros"),
        ("giao-an.docx", files.docx(extra={"word/vbaProject.bin": b"\x00"}), "macros"),
        ("giao-an.docx", files.many_entries_zip(validation.MAX_ZIP_ENTRIES + 1), "disguised"),
        ("giao-an.docx", files.docx()[:-30], "disguised"),  # truncated: no central directory
        ("setup.exe", files.exe(), "unsupported"),
        ("trang.html", files.html(), "unsupported"),
        ("archive.zip", files.plain_zip(), "unsupported"),
    ],
)
def test_sniff_refuses_disguised_and_other_files(name, content, code):
    with pytest.raises(ValidationError) as exc:
        validation.sniff(files.upload(name, content), name)
    assert exc.value.code == code


def test_disguised_message_names_the_file_and_the_claimed_type():
    with pytest.raises(ValidationError) as exc:
        validation.sniff(files.upload("chung-chi.pdf", files.exe()), "chung-chi.pdf")
    assert "chung-chi.pdf" in exc.value.messages[0]
    assert "PDF" in exc.value.messages[0]


def test_sniff_leaves_the_file_at_its_start():
    upload = files.upload("giao-an.docx", files.docx())
    validation.sniff(upload, upload.name)
    assert upload.tell() == 0


@override_settings(EVIDENCE_MAX_BYTES=1000)
def test_size_limit_comes_from_settings():
    validation.check_size(1000)
    with pytest.raises(ValidationError) as exc:
        validation.check_size(1001)
    assert exc.value.code == "too_large"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        validation.check_size(0)
    assert exc.value.code == "empty"
