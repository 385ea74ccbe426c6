"""The forms as PDF (A4, bundled DejaVu font, NFC text): one renderer for every :class:`Form`."""

from __future__ import annotations

from fpdf.fonts import FontFace

from opentemis.core.pdf import Document, grouped_heading
from opentemis.evaluations.printing.layout import DOTS, MOTTO, Form, Paragraph, Table

LINE = 5.5
_HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
_BOLD = FontFace(emphasis="BOLD")


def render(form: Form) -> bytes:
    doc = Document(orientation=form.orientation, title=form.title, size=10)
    doc.add_page()
    _header(doc, form)
    _fields(doc, form)
    for paragraph in form.intro:
        _paragraph(doc, paragraph)
    if form.table is not None:
        doc.ln(1)
        _table(doc, form.table, form.page_width)
        doc.ln(2)
    for paragraph in form.after:
        _paragraph(doc, paragraph)
    _signatures(doc, form)
    return doc.to_bytes()


def _header(doc: Document, form: Form) -> None:
    width = doc.content_width
    doc.set_font(size=8, style="I")
    doc.cell(width, 4, form.code, align="R", new_x="LMARGIN", new_y="NEXT")
    top = doc.y
    motto_x, motto_w = doc.l_margin, width
    if form.agency:
        left_w = width * 0.42
        motto_x, motto_w = doc.l_margin + left_w, width - left_w
        doc.set_font(size=10, style="")
        doc.multi_cell(left_w, LINE, form.agency[0], align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font(style="B")
        doc.multi_cell(left_w, LINE, form.agency[1], align="C", new_x="LMARGIN", new_y="NEXT")
        _underline_centre(doc, doc.l_margin, left_w, form.agency[1], doc.y)
    agency_bottom = doc.y
    doc.set_xy(motto_x, top)
    doc.set_font(size=10.5, style="B")
    doc.cell(motto_w, LINE, MOTTO[0], align="C", new_x="LEFT", new_y="NEXT")
    doc.set_font(size=11, style="B")
    doc.cell(motto_w, LINE, MOTTO[1], align="C", new_x="LMARGIN", new_y="NEXT")
    _underline_centre(doc, motto_x, motto_w, MOTTO[1], doc.y)
    doc.set_y(max(doc.y, agency_bottom) + 6)
    doc.set_font(size=13, style="B")
    doc.multi_cell(width, 6.5, form.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(size=10, style="I")
    for line in form.subtitle:
        doc.cell(width, LINE, line, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)


def _underline_centre(doc: Document, x: float, w: float, text: str, y: float) -> None:
    """A short rule under a centred heading, as in official documents."""
    length = min(doc.get_string_width(text), w) * 0.6
    doc.set_line_width(0.3)
    doc.line(x + (w - length) / 2, y + 0.3, x + (w + length) / 2, y + 0.3)


def _fields(doc: Document, form: Form) -> None:
    doc.set_font(size=10, style="")
    for line in form.fields:
        top, bottom = doc.y, doc.y
        width = doc.content_width / len(line)
        for i, (label, value) in enumerate(line):
            doc.set_xy(doc.l_margin + i * width, top)
            doc.multi_cell(width, LINE, f"{label}: {value or DOTS}", new_x="LMARGIN", new_y="NEXT")
            bottom = max(bottom, doc.y)
        doc.set_y(bottom)
    doc.ln(1)


def _paragraph(doc: Document, paragraph: Paragraph) -> None:
    style = ("B" if paragraph.bold else "") + ("I" if paragraph.italic else "")
    # The bundled font has no bold oblique: bold wins.
    doc.set_font(size=10, style="B" if "B" in style else style)
    indent = 5 if paragraph.indent else 0
    doc.set_x(doc.l_margin + indent)
    doc.multi_cell(
        doc.content_width - indent,
        LINE,
        paragraph.text,
        align=paragraph.align,
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _table(doc: Document, table: Table, width: float) -> None:
    columns = table.columns
    spans = {first: (title, span) for title, first, span in table.group_spans()}
    doc.set_font(size=9, style="")
    with doc.table(
        col_widths=[c.width for c in columns],
        width=width,
        num_heading_rows=2 if spans else 1,
        headings_style=_HEADINGS,
        line_height=4.6,
        text_align="LEFT",
        padding=(0.8, 1),
    ) as pdf_table:
        grouped_heading(pdf_table, columns, spans)
        for row in table.rows:
            out = pdf_table.row()
            if row.heading:
                out.cell(row.cells[0], colspan=len(columns), style=_BOLD)
                continue
            for column, text in zip(columns, row.cells, strict=True):
                out.cell(text, align=column.align, style=_BOLD if row.bold else None)


def _signatures(doc: Document, form: Form) -> None:
    if doc.y + 45 > doc.page_break_trigger:
        doc.add_page()
    width = doc.content_width
    count = max(1, len(form.signatures))
    block = width / 2 if count == 1 else width / count
    first_x = doc.l_margin + (width - block if count == 1 else 0)
    doc.ln(3)
    doc.set_font(size=10, style="I")
    doc.set_x(doc.l_margin + width - max(block, width / 2))
    doc.cell(max(block, width / 2), LINE, form.place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    top = doc.y
    for i, signature in enumerate(form.signatures):
        x = first_x + i * block
        doc.set_xy(x, top)
        doc.set_font(size=10, style="B")
        doc.multi_cell(block, LINE, signature.title, align="C", new_x="LEFT", new_y="NEXT")
        doc.set_font(size=9, style="I")
        doc.cell(block, LINE, signature.note, align="C", new_x="LEFT", new_y="NEXT")
        doc.ln(18)
        doc.set_x(x)
        doc.set_font(size=10, style="B")
        doc.cell(block, LINE, signature.name, align="C")
