"""The certificate's layout: a programme's module list stays above the place and date, however
many modules the programme has (a programme may list 50, with codes of up to 40 characters)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from opentemis.certificates import pdf


def _parts(count: int, code_length: int = 6) -> list[str]:
    return [f"{'M' * (code_length - 3)}{i:03d} (15 tiết)" for i in range(1, count + 1)]


@pytest.mark.parametrize(("count", "code_length"), [(3, 6), (50, 6), (50, 40), (200, 6)])
def test_the_module_list_ends_above_the_place_and_date(count: int, code_length: int) -> None:
    doc = pdf.CertificateDocument()
    doc.add_page()
    start = 118.0  # below a two-line programme title
    pdf._modules(doc, start, _parts(count, code_length))
    assert start < doc.y <= pdf.MODULES_BOTTOM + 0.01


def test_a_list_too_long_says_how_many_modules_there_are() -> None:
    doc = pdf.CertificateDocument()
    doc.add_page()
    pdf._modules(doc, 118.0, _parts(200))
    text = PdfReader(io.BytesIO(doc.to_bytes())).pages[0].extract_text()
    assert "M001 (15 tiết)" in text
    assert "(tổng cộng 200 mô đun)" in text
    assert "M200" not in text


def test_a_short_list_is_printed_whole_in_the_largest_size() -> None:
    doc = pdf.CertificateDocument()
    doc.add_page()
    pdf._modules(doc, 118.0, _parts(3))
    assert doc.font_size_pt == pdf.MODULE_SIZES[0]
