"""The certificate as a PDF: A4 landscape, the issuer's template, correct Vietnamese, a QR code
carrying the public verification address, the code printed.

The fonts are the project's DejaVu Sans (``core/pdf.py``), cut **once per process** to the
letters Vietnamese and the other Latin alphabets need (Latin-1, Latin Extended-A, the
Vietnamese letters of Latin Extended-B and Additional, punctuation): about 500 glyphs instead
of 6,000. fpdf2 normally parses each font file for every document and subsets it again on
output; a certificate is rendered in a few milliseconds only because here the parsed fonts are
cloned for each document and embedded as they are (:class:`_Prebuilt`), the per-document subset
being switched off for these documents only (:data:`_WHOLE_FONT`, read through a pass-through
stand-in for fpdf's ``fontTools.subset`` module), and the embedded font compressed once per
process (:class:`_FontStream`): every other PDF of the site is made as before.
A name with a letter outside those ranges (none in Vietnamese) would print a blank box.

Text goes through NFC (as in ``core.pdf.Document``). The QR code (segno) is drawn as filled
rectangles, one per run of dark modules in a row, in one path.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
import io
import tempfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import segno
from fontTools import subset as ftsubset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf import output as fpdf_output
from fpdf.fonts import SubsetMap
from fpdf.output import OutputProducer
from fpdf.syntax import Name, PDFObject

from opentemis.certificates import codes
from opentemis.core.pdf import FAMILY, FONT_DIR, nfc
from opentemis.evaluations.printing.layout import MOTTO

_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xFF),  # Latin-1
    (0x102, 0x103),  # Ă ă
    (0x110, 0x111),  # Đ đ
    (0x128, 0x129),  # Ĩ ĩ
    (0x168, 0x169),  # Ũ ũ
    (0x1A0, 0x1A1),  # Ơ ơ
    (0x1AF, 0x1B0),  # Ư ư
    (0x300, 0x309),
    (0x323, 0x323),  # combining marks (text is NFC; kept for odd input)
    (0x1EA0, 0x1EF9),  # Ạ ... ỹ
    (0x2010, 0x2026),  # dashes, quotes, bullet, ellipsis
    (0x20AB, 0x20AB),  # ₫
    (0x2116, 0x2116),  # №
)

# --- fonts parsed once per process --------------------------------------------------------------

_WHOLE_FONT: contextvars.ContextVar[bool] = contextvars.ContextVar("whole_font", default=False)


class _KeepWholeFont:
    """fontTools' subsetter for the certificate fonts: they are already cut, keep them whole."""

    def __init__(self, options: Any = None) -> None:
        pass

    def populate(self, **kwargs: Any) -> None:
        pass

    def subset(self, font: Any) -> None:
        pass


class _SubsetModule:
    """Stands in for ``fontTools.subset`` inside ``fpdf.output``: the real module, except its
    ``Subsetter`` while a certificate is being written (``_WHOLE_FONT``)."""

    def __getattr__(self, name: str) -> Any:
        if name == "Subsetter" and _WHOLE_FONT.get():
            return _KeepWholeFont
        return getattr(ftsubset, name)


# fpdf reads these two names from its module when it writes a document.
vars(fpdf_output)["ftsubset"] = _SubsetModule()


@cache
def _deflated(contents: bytes) -> bytes:
    return zlib.compress(contents)


class _FontStream(fpdf_output.PDFFontStream):
    """fpdf's embedded font stream; a certificate's (always the same cut font) is compressed
    once per process instead of once per document."""

    def __init__(self, contents: bytes) -> None:
        if not _WHOLE_FONT.get():
            super().__init__(contents)
            return
        PDFObject.__init__(self)
        self._contents = _deflated(bytes(contents))
        self.filter = Name("FlateDecode")
        self.length = len(self._contents)
        self.length1 = len(contents)


vars(fpdf_output)["PDFFontStream"] = _FontStream


class _Prebuilt(TTFont):  # type: ignore[misc]  # fontTools ships no types
    """A font cut once and shared by every document of the process: written out as its bytes,
    never closed (fpdf closes a document's fonts once it is written)."""

    data: bytes = b""

    def save(self, file: Any, reorderTables: bool = True) -> None:
        file.write(self.data)

    def close(self) -> None:
        pass


class _Producer(OutputProducer):
    def _add_fonts(self, *args: Any) -> Any:
        token = _WHOLE_FONT.set(True)
        try:
            return super()._add_fonts(*args)
        finally:
            _WHOLE_FONT.reset(token)


def _cut(filename: str) -> bytes:
    font = TTFont(str(FONT_DIR / filename))
    options = ftsubset.Options()
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM", "hdmx", "kern", "MATH"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    subsetter = ftsubset.Subsetter(options)
    unicodes = [c for low, high in _RANGES for c in range(low, high + 1)]
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@cache
def _fonts() -> dict[str, tuple[Any, _Prebuilt]]:
    """fontkey -> (fpdf's parsed font, the shared cut font), built once per process. fpdf2
    parses a font from a file: the cut one is written once to a private temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="opentemis-certificate-fonts-"))
    loader = FPDF()
    found: dict[str, tuple[Any, _Prebuilt]] = {}
    for style, filename in _FILES.items():
        data = _cut(filename)
        path = folder / f"{Path(filename).stem}-cut.ttf"
        path.write_bytes(data)
        loader.add_font(FAMILY, style, str(path))
        shared = _Prebuilt(io.BytesIO(data), recalcTimestamp=False, lazy=False)
        shared.data = data
        key = f"{FAMILY.lower()}{style}"
        found[key] = (loader.fonts[key], shared)
    return found


class CertificateDocument(FPDF):
    """An A4 landscape page in the cut DejaVu fonts, text through NFC."""

    def __init__(self, title: str = "") -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        for key, (parsed, shared) in _fonts().items():
            font = copy.copy(parsed)
            font.ttfont = shared
            font.missing_glyphs = []
            font.biggest_size_pt = 0
            font._hbfont = None
            font.subset = SubsetMap(font)
            font.i = len(self.fonts) + 1
            self.fonts[key] = font
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.set_creator("OpenTEMIS")
        self.set_lang("vi")
        if title:
            self.set_title(nfc(title))

    def normalize_text(self, text: str) -> str:
        return str(super().normalize_text(nfc(text)))

    def to_bytes(self) -> bytes:
        return bytes(self.output(output_producer_class=_Producer))

    def filled_runs(self, rects: list[tuple[float, float, float, float]]) -> None:
        """Filled rectangles (mm, from the top left) in one path: the QR code's modules."""
        k, height = self.k, self.h
        ops = [
            f"{x * k:.2f} {(height - y) * k:.2f} {w * k:.2f} {-h * k:.2f} re"
            for x, y, w, h in rects
        ]
        self._out(" ".join(ops) + " f")


# --- the layout ----------------------------------------------------------------------------------

WIDTH, HEIGHT = 297.0, 210.0
DARK = (20, 20, 20)
MUTED = (90, 90, 90)


@dataclass(frozen=True)
class Look:
    """The issuer's template as the renderer uses it: colour and image bytes (read once)."""

    accent: tuple[int, int, int]
    logo: bytes = b""
    signature: bytes = b""


def rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    except (ValueError, IndexError):
        return (155, 28, 28)


def _long_date(place: str, day: dt.date | None) -> str:
    if day is None:
        return ""
    text = f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


def _centred(doc: CertificateDocument, y: float, text: str, size: float, style: str = "") -> float:
    """A centred line (wrapped only when it does not fit: fpdf's line breaking is slow)."""
    doc.set_font(FAMILY, style=style, size=size)
    doc.set_xy(20, y)
    width, line = WIDTH - 40, size * 0.5
    if doc.get_string_width(text) <= width - 2:
        doc.cell(width, line, text, align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        doc.multi_cell(width, line, text, align="C", new_x="LMARGIN", new_y="NEXT")
    return float(doc.y)


#: The programme's module list ends above the place and date (``HEIGHT - 62``).
MODULES_BOTTOM = HEIGHT - 64
MODULE_SIZES = (9.5, 8.5, 7.5, 6.5)


def _modules_text(parts: list[str], shown: int) -> str:
    text = "Gồm các mô đun: " + "; ".join(parts[:shown])
    return text if shown == len(parts) else f"{text}; … (tổng cộng {len(parts)} mô đun)"


def _modules(doc: CertificateDocument, y: float, parts: list[str]) -> None:
    """The programme's modules, centred, in the largest size that keeps them above the place
    and date; a list too long even in the smallest size is cut, with the count of all the
    modules (each module has its own certificate). A few trial layouts at most: fpdf's line
    breaking is slow."""
    width = WIDTH - 40

    def fits(size: float, shown: int) -> bool:
        doc.set_font(FAMILY, size=size)
        text = _modules_text(parts, shown)
        lines = doc.multi_cell(width, size * 0.5, text, align="C", dry_run=True, output="LINES")
        assert isinstance(lines, list)  # output="LINES": the lines alone
        return y + len(lines) * size * 0.5 <= MODULES_BOTTOM

    size, shown = MODULE_SIZES[-1], len(parts)
    for candidate in MODULE_SIZES:
        if fits(candidate, shown):
            size = candidate
            break
    else:  # the most modules that fit in the smallest size (at least one)
        low, high = 1, len(parts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if fits(size, middle) else (low, middle - 1)
        shown = low
    doc.set_font(FAMILY, size=size)
    doc.set_xy(20, y)
    text = _modules_text(parts, shown)
    doc.multi_cell(width, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _rule(doc: CertificateDocument, x: float, width: float, text: str, y: float) -> None:
    length = min(doc.get_string_width(text), width) * 0.5
    doc.set_line_width(0.3)
    doc.line(x + (width - length) / 2, y + 0.6, x + (width + length) / 2, y + 0.6)


def _header(doc: CertificateDocument, snap: dict[str, Any]) -> None:
    doc.set_text_color(*DARK)
    left_x, left_w, right_x, right_w, top = 16.0, 120.0, 150.0, 131.0, 16.0
    doc.set_xy(left_x, top)
    parent = str(snap.get("issuer_parent", ""))
    if parent:
        doc.set_font(FAMILY, size=10.5)
        doc.multi_cell(left_w, 5, parent.upper(), align="C", new_x="LEFT", new_y="NEXT")
    doc.set_font(FAMILY, style="B", size=10.5)
    name = str(snap.get("issuer_name", "")).upper()
    doc.multi_cell(left_w, 5, name, align="C", new_x="LEFT", new_y="NEXT")
    _rule(doc, left_x, left_w, name, doc.y)
    doc.set_xy(right_x, top)
    doc.set_font(FAMILY, style="B", size=10.5)
    doc.cell(right_w, 5, MOTTO[0], align="C", new_x="LEFT", new_y="NEXT")
    doc.set_font(FAMILY, style="B", size=11)
    doc.cell(right_w, 5, MOTTO[1], align="C", new_x="LEFT", new_y="NEXT")
    _rule(doc, right_x, right_w, MOTTO[1], doc.y)


def _qr(doc: CertificateDocument, url: str, x: float, y: float, size: float) -> None:
    # A fixed mask: valid for every reader, and it spares segno scoring all eight masks.
    matrix = segno.make(url, error="m", micro=False, mask=2).matrix
    module = size / len(matrix)
    rects: list[tuple[float, float, float, float]] = []
    for row_index, row in enumerate(matrix):
        start = None
        for col_index, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                rects.append(
                    (
                        x + start * module,
                        y + row_index * module,
                        (col_index - start) * module,
                        module,
                    )
                )
                start = None
    doc.set_fill_color(*DARK)
    doc.filled_runs(rects)


def render(snapshot: dict[str, Any], *, kind: str, code: str, url: str, look: Look) -> bytes:
    """The certificate's one page (``snapshot``: what is printed, frozen at issue)."""
    snap = {k: v for k, v in snapshot.items()}
    doc = CertificateDocument(title=f"{snap.get('title', '')} · {codes.printed(code)}")
    doc.add_page()
    accent = look.accent
    doc.set_draw_color(*accent)
    doc.set_line_width(1.2)
    doc.rect(7, 7, WIDTH - 14, HEIGHT - 14)
    doc.set_line_width(0.4)
    doc.rect(9.5, 9.5, WIDTH - 19, HEIGHT - 19)
    doc.set_draw_color(*DARK)
    _header(doc, snap)
    y = 42.0
    if look.logo:
        doc.image(io.BytesIO(look.logo), x=WIDTH / 2 - 10, y=36, h=18)
        y = 56.0
    programme = kind == "programme"
    doc.set_text_color(*accent)
    title = snap.get("programme_title" if programme else "module_title", "")
    subtitle = snap.get("programme_subtitle" if programme else "module_subtitle", "")
    y = _centred(doc, y, str(title).upper(), 30, "B") + 1
    y = _centred(doc, y, str(subtitle).upper(), 14, "B") + 5
    doc.set_text_color(*DARK)
    doc.set_font(FAMILY, size=13)
    label = str(snap.get("holder_label", ""))
    name = str(snap.get("holder_name", ""))
    label_w = doc.get_string_width(label + " ")
    doc.set_font(FAMILY, style="B", size=20)
    name_w = doc.get_string_width(name)
    x = max(20.0, (WIDTH - label_w - name_w) / 2)
    doc.set_font(FAMILY, size=13)
    doc.set_xy(x, y + 1.5)
    doc.cell(label_w, 8, label + " ")
    doc.set_font(FAMILY, style="B", size=20)
    doc.set_xy(x + label_w, y)
    doc.cell(name_w, 10, name)
    y += 12
    facts = []
    if snap.get("date_of_birth"):
        facts.append(f"Ngày sinh: {snap['date_of_birth']}")
    if snap.get("unit_name"):
        facts.append(f"Đơn vị: {snap['unit_name']}")
    if facts:
        y = _centred(doc, y, "   ·   ".join(facts), 11) + 3
    y = _centred(doc, y, str(snap.get("body_text", "")), 12) + 1
    doc.set_text_color(*accent)
    y = _centred(doc, y, str(snap.get("title", "")), 15, "B") + 2
    doc.set_text_color(*DARK)
    details = [
        f"Mã: {snap.get('course_code', '')}",
        f"Thời lượng: {snap.get('hours', '')} tiết",
        f"Năm học: {snap.get('school_year', '')}",
    ]
    y = _centred(doc, y, "   ·   ".join(details), 11) + 1
    modules = snap.get("modules") or []
    if programme and modules:
        _modules(doc, y + 1, [f"{m.get('code', '')} ({m.get('hours', '')} tiết)" for m in modules])
    # Bottom left: the QR code, the code, where to verify.
    _qr(doc, url, 18, HEIGHT - 52, 32)
    doc.set_xy(53, HEIGHT - 46)
    doc.set_font(FAMILY, size=9)
    doc.set_text_color(*MUTED)
    doc.cell(90, 5, "Mã chứng nhận", new_x="LEFT", new_y="NEXT")
    doc.set_font(FAMILY, style="B", size=13)
    doc.set_text_color(*DARK)
    doc.cell(90, 7, codes.printed(code), new_x="LEFT", new_y="NEXT")
    doc.set_font(FAMILY, size=8)
    doc.set_text_color(*MUTED)
    doc.cell(90, 4, "Tra cứu:", new_x="LEFT", new_y="NEXT")
    doc.cell(90, 4, url, new_x="LEFT", new_y="NEXT")
    doc.set_text_color(*DARK)
    # Bottom right: place and date, the signer.
    right_x, right_w = 165.0, 115.0
    issued = _date(snap.get("issued_on"))
    doc.set_xy(right_x, HEIGHT - 62)
    doc.set_font(FAMILY, size=11)
    doc.cell(right_w, 6, _long_date(str(snap.get("place", "")), issued), align="C")
    doc.set_xy(right_x, HEIGHT - 55)
    doc.set_font(FAMILY, style="B", size=11.5)
    doc.cell(right_w, 5.5, str(snap.get("signer_title", "")).upper(), align="C")
    if look.signature:
        doc.image(io.BytesIO(look.signature), x=right_x + right_w / 2 - 20, y=HEIGHT - 46, h=18)
    doc.set_xy(right_x, HEIGHT - 26)
    doc.set_font(FAMILY, style="B", size=12)
    doc.cell(right_w, 6, str(snap.get("signer_name", "")), align="C")
    return doc.to_bytes()


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
