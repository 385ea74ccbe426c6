"""The TEMIS report as PDF: the tables of :func:`report_sheets` and charts drawn with fpdf2.

A4, landscape where the tables are wide (the ministry's five sub-columns with counts and
percentages need 267 mm), portrait for the ranking of child units and the training needs. The
first page carries the official header (the unit on the left, the national motto on the right),
the title, the school year and the time the figures were computed; every page has a footer with
the unit, the year and the page number.

The charts are rectangles and text (no plotting library, nothing to install, a few
milliseconds): stacked horizontal bars of the rating distribution per school level, per
criterion and per school year, and the completion rate of each child unit with the group
thresholds as dashed lines. Long charts continue on the next page.

Text goes through :class:`opentemis.core.pdf.Document`: the bundled DejaVu font (every
Vietnamese letter) and NFC normalisation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from fpdf.fonts import FontFace

from opentemis.core.pdf import Document, grouped_heading
from opentemis.evaluations.printing.layout import MOTTO
from opentemis.reports.data import RATINGS, ChildRow, ReportData, Section
from opentemis.reports.exports import (
    Cell,
    Column,
    Sheet,
    Table,
    as_of_text,
    group_legend,
    rating_label,
    report_sheets,
    report_title,
    share,
    suppressed_text,
    suppression_note,
)

LINE = 5
_HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
_BOLD = FontFace(emphasis="BOLD")
_LEVEL_ROW = FontFace(emphasis="BOLD", fill_color=(246, 246, 246))
RATING_COLOURS = {
    "ChuaDat": (205, 62, 58),
    "Dat": (240, 173, 58),
    "Kha": (86, 146, 206),
    "Tot": (46, 134, 84),
}
GROUP_COLOURS = {"A": (46, 134, 84), "B": (240, 173, 58), "C": (205, 62, 58)}
_GREY = (150, 150, 150)
_GRID = (215, 215, 215)


def report_pdf(data: ReportData) -> bytes:
    """The whole report as one PDF."""
    return _Renderer(data).render()


class _ReportDocument(Document):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(size=7, style="I")
        self.set_text_color(90, 90, 90)
        self.cell(self.content_width / 2, 4, self.footer_text, align="L")
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(self.content_width / 2, 4, page, align="R")
        self.set_text_color(0, 0, 0)


class _Renderer:
    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.sheets = report_sheets(data)
        self.doc = _ReportDocument(
            orientation=self.sheets[0].orientation, title=report_title(), size=9
        )
        self.doc.footer_text = f"{data.unit_name} · {_('School year')} {data.school_year}"
        self.doc.set_subject(f"{data.unit_name}, {data.school_year}")
        self.charts = 0
        self.decimal = str(get_format("DECIMAL_SEPARATOR"))
        self.thousands = str(get_format("THOUSAND_SEPARATOR"))
        self.suppressed = suppressed_text(data.min_cell)

    def render(self) -> bytes:
        doc = self.doc
        for i, sheet in enumerate(self.sheets):
            doc.add_page(orientation=sheet.orientation)
            if i == 0:
                self.header()
            if len(sheet.tables) > 1:
                self.heading(sheet.title, size=12)
            for table in sheet.tables:
                self.table(table)
            self.charts_for(sheet)
        return doc.to_bytes()

    # --- text --------------------------------------------------------------------------------

    def text(self, value: Cell, column: Column) -> str:
        if value is None:
            return self.suppressed
        if isinstance(value, str):
            return value
        if column.kind == "dec":
            return f"{value:.2f}".replace(".", self.decimal)
        if column.kind == "pct" or isinstance(value, float):
            return f"{value:.1f}".replace(".", self.decimal)
        return f"{value:,}".replace(",", self.thousands)

    def number(self, value: int) -> str:
        return f"{value:,}".replace(",", self.thousands)

    def pct(self, value: float) -> str:
        return f"{value:.1f}".replace(".", self.decimal) + " %"

    def room(self) -> float:
        return float(self.doc.page_break_trigger - self.doc.y)

    def ensure_room(self, height: float) -> None:
        if self.room() < height:
            self.doc.add_page(orientation=self.doc.cur_orientation.value)

    def heading(self, text: str, *, size: float = 10) -> None:
        doc = self.doc
        self.ensure_room(25)
        doc.set_font(size=size, style="B")
        doc.multi_cell(doc.content_width, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        doc.ln(1.5)

    def note(self, text: str) -> None:
        doc = self.doc
        doc.set_font(size=7.5, style="I")
        doc.multi_cell(doc.content_width, 3.8, text, new_x="LMARGIN", new_y="NEXT")

    # --- header ------------------------------------------------------------------------------

    def header(self) -> None:
        doc, data = self.doc, self.data
        width = doc.content_width
        left_w = width * 0.42
        top = doc.y
        doc.set_font(size=10, style="B")
        doc.multi_cell(
            left_w, LINE, data.unit_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        self.underline(doc.l_margin, left_w, data.unit_name.upper(), doc.y)
        agency_bottom = doc.y
        doc.set_xy(doc.l_margin + left_w, top)
        doc.set_font(size=10, style="B")
        doc.cell(width - left_w, LINE, MOTTO[0], align="C", new_x="LEFT", new_y="NEXT")
        doc.set_font(size=10.5, style="B")
        doc.cell(width - left_w, LINE, MOTTO[1], align="C", new_x="LMARGIN", new_y="NEXT")
        self.underline(doc.l_margin + left_w, width - left_w, MOTTO[1], doc.y)
        doc.set_y(max(doc.y, agency_bottom) + 6)
        doc.set_font(size=13, style="B")
        doc.multi_cell(width, 6.5, report_title().upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font(size=10.5, style="B")
        doc.cell(
            width,
            LINE + 1,
            f"{_('School year')} {data.school_year}",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        doc.set_font(size=9.5, style="I")
        doc.cell(width, LINE, as_of_text(data), align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(3)
        doc.set_font(size=9.5, style="")
        for section in data.sections:
            line = self.headline(section)
            if line:
                doc.multi_cell(width, LINE, line, new_x="LMARGIN", new_y="NEXT")
        self.note(suppression_note(data.min_cell))
        doc.ln(4)

    def headline(self, section: Section) -> str:
        overall = next((row for row in section.completion if not row.level), None)
        if overall is None:
            return ""
        whole, done = overall.to_evaluate.total, overall.finalised.total
        rate = share(done, whole)
        return _(
            "%(population)s: %(to_evaluate)s people to evaluate, %(finalised)s evaluations "
            "finalised (%(rate)s)."
        ) % {
            "population": section.title,
            "to_evaluate": self.suppressed if whole is None else self.number(whole),
            "finalised": self.suppressed if done is None else self.number(done),
            "rate": self.pct(rate) if isinstance(rate, float) else (rate or self.suppressed),
        }

    def underline(self, x: float, w: float, text: str, y: float) -> None:
        """A short rule under a centred heading, as in official documents."""
        length = min(self.doc.get_string_width(text), w) * 0.6
        self.doc.set_line_width(0.3)
        self.doc.line(x + (w - length) / 2, y + 0.3, x + (w + length) / 2, y + 0.3)

    # --- tables ------------------------------------------------------------------------------

    def table(self, table: Table) -> None:
        doc = self.doc
        self.heading(table.title, size=9.5)
        if not table.rows:
            self.note(_("No figures yet."))
            doc.ln(4)
            return
        columns = table.columns
        spans = {first: (title, span) for title, first, span in table.group_spans()}
        aligns = tuple(
            "RIGHT" if c.numeric else "CENTER" if c.kind == "code" else "LEFT" for c in columns
        )
        doc.set_font(size=8, style="")
        doc.set_fill_color(255, 255, 255)  # the charts leave theirs behind
        with doc.table(
            col_widths=[c.width for c in columns],
            width=table.width,
            num_heading_rows=2 if spans else 1,
            headings_style=_HEADINGS,
            line_height=4.2,
            text_align=aligns,
            padding=(0.6, 1),
        ) as pdf_table:
            grouped_heading(pdf_table, columns, spans)
            for row in table.rows:
                out = pdf_table.row()
                if row.heading:
                    out.cell(str(row.cells[0]), colspan=len(columns), style=_LEVEL_ROW, align="L")
                    continue
                style = _BOLD if row.bold else None
                for column, value in zip(columns, row.cells, strict=True):
                    out.cell(self.text(value, column), style=style)
        doc.ln(1)
        if table.has_suppressed:
            self.note(suppression_note(self.data.min_cell))
        for text in table.notes:
            self.note(text)
        doc.ln(4)

    # --- charts ------------------------------------------------------------------------------

    def charts_for(self, sheet: Sheet) -> None:
        data = self.data
        if sheet.key == "a12":
            self.rating_chart(data.teachers)
        elif sheet.key == "criteria":
            self.criteria_chart(data.teachers)
        elif sheet.key in ("managers", "preschool", "preschool_managers"):
            section = {
                "managers": data.managers,
                "preschool": data.preschool_teachers,
                "preschool_managers": data.preschool_managers,
            }[sheet.key]
            self.rating_chart(section)
            self.criteria_chart(section)
        elif sheet.key == "children" and data.children:
            self.completion_chart(data.children)
        elif sheet.key == "years" and data.years:
            self.stacked_bars(
                _("Overall rating by school year"),
                [(f"{_('School year')} {y.school_year}", y.by_rating) for y in data.years],
            )

    def chart_title(self, title: str, height: float) -> None:
        self.charts += 1
        self.ensure_room(min(height, 70))
        self.doc.ln(2)
        self.heading(_("Chart %(n)d. %(title)s") % {"n": self.charts, "title": title}, size=9.5)

    def rating_chart(self, section: Section) -> None:
        bars = [
            (row.label, {r: (row.by_rating[r].total or 0) for r in RATINGS if r in row.by_rating})
            for row in section.ratings
        ]
        if bars:
            self.stacked_bars(f"{_('Overall rating by school level')}: {section.title}", bars)

    def criteria_chart(self, section: Section) -> None:
        bars = [(f"{row.number}. {row.name}", row.counts) for row in section.criteria]
        if bars:
            self.stacked_bars(f"{_('Level reached on each criterion')}: {section.title}", bars)

    def legend(self, items: Iterable[tuple[str, tuple[int, int, int]]]) -> None:
        doc = self.doc
        doc.set_font(size=7.5, style="")
        x, y = doc.l_margin, doc.y
        for label, colour in items:
            doc.set_fill_color(*colour)
            doc.rect(x, y + 0.8, 3, 3, style="F")
            doc.set_xy(x + 4, y)
            width = doc.get_string_width(label) + 2
            doc.cell(width, 4.6, label)
            x += width + 6
        doc.set_xy(doc.l_margin, y + 6)

    def axis(self, area_x: float, area_w: float, ticks: Iterable[int]) -> None:
        doc = self.doc
        doc.set_font(size=6.5, style="")
        doc.set_text_color(*_GREY)
        y = doc.y
        for tick in ticks:
            x = area_x + area_w * tick / 100
            doc.set_xy(x - 6, y)
            doc.cell(12, 3, f"{tick} %", align="C")
        doc.set_text_color(0, 0, 0)
        doc.set_xy(doc.l_margin, y + 3.5)

    def grid(self, area_x: float, area_w: float, ticks: Iterable[int], y: float, h: float) -> None:
        doc = self.doc
        doc.set_draw_color(*_GRID)
        doc.set_line_width(0.15)
        for tick in ticks:
            x = area_x + area_w * tick / 100
            doc.line(x, y, x, y + h)
        doc.set_draw_color(0, 0, 0)

    def label(self, text: str, x: float, y: float, width: float, height: float) -> None:
        doc = self.doc
        if doc.get_string_width(text) > width:
            while text and doc.get_string_width(text + "…") > width:
                text = text[:-1]
            text = text.rstrip() + "…"
        doc.set_xy(x, y)
        doc.cell(width, height, text, align="R")

    def stacked_bars(self, title: str, bars: list[tuple[str, dict[str, int]]]) -> None:
        """One 100 % bar per item, split by rating (lowest first), with the share in each part."""
        doc = self.doc
        bar_h, gap, label_w = 6.0, 2.4, 62.0
        self.chart_title(title, 30 + len(bars) * (bar_h + gap))
        self.legend((rating_label(r), RATING_COLOURS[r]) for r in RATINGS)
        area_x = doc.l_margin + label_w + 2
        area_w = doc.content_width - label_w - 6
        ticks = (0, 25, 50, 75, 100)
        self.axis(area_x, area_w, ticks)
        for label, counts in bars:
            if doc.y + bar_h > doc.page_break_trigger:
                doc.add_page(orientation=doc.cur_orientation.value)
                self.axis(area_x, area_w, ticks)
            y = doc.y
            self.grid(area_x, area_w, ticks, y - 1, bar_h + gap)
            doc.set_font(size=7.5, style="")
            self.label(label, doc.l_margin, y, label_w, bar_h)
            total = sum(counts.get(r) or 0 for r in RATINGS)
            x = area_x
            for rating in RATINGS if total else ():
                count = counts.get(rating) or 0
                w = area_w * count / total
                if w <= 0:
                    continue
                doc.set_fill_color(*RATING_COLOURS[rating])
                doc.rect(x, y, w, bar_h, style="F")
                text = self.pct(100 * count / total)
                doc.set_font(size=6.5, style="B")
                if doc.get_string_width(text) + 1.5 < w:
                    doc.set_text_color(255, 255, 255)
                    doc.set_xy(x, y)
                    doc.cell(w, bar_h, text, align="C")
                    doc.set_text_color(0, 0, 0)
                x += w
            doc.set_xy(area_x + area_w + 0.5, y)
            doc.set_font(size=6.5, style="")
            doc.cell(4, bar_h, "" if total else "\u2013")
            doc.set_xy(doc.l_margin, y + bar_h + gap)
        doc.ln(4)

    def completion_chart(self, children: list[ChildRow]) -> None:
        """A bar per child unit (in ranking order): the share finalised, coloured by group."""
        doc = self.doc
        row_h, bar_h, label_w, value_w = 4.4, 3.2, 70.0, 16.0
        self.chart_title(_("Completion of the evaluation by child unit"), 40 + 10 * row_h)
        legend = [
            (_("Group %(name)s") % {"name": name}, GROUP_COLOURS.get(name, _GREY))
            for name, _minimum in settings.REPORT_GROUPS
        ]
        self.legend(legend)
        self.note(group_legend())
        doc.ln(1)
        area_x = doc.l_margin + label_w + 2
        area_w = doc.content_width - label_w - value_w - 4
        ticks = (0, 20, 40, 60, 80, 100)
        thresholds = [m for _name, m in settings.REPORT_GROUPS if 0 < m < 100]
        self.axis(area_x, area_w, ticks)
        for child in children:
            if doc.y + row_h > doc.page_break_trigger:
                doc.add_page(orientation=doc.cur_orientation.value)
                self.axis(area_x, area_w, ticks)
            y = doc.y
            self.grid(area_x, area_w, ticks, y, row_h)
            doc.set_font(size=6.5, style="")
            rank = f"{child.rank}. " if child.rank is not None else ""
            self.label(f"{rank}{child.name}", doc.l_margin, y, label_w, row_h)
            top = y + (row_h - bar_h) / 2
            if child.rate is not None:
                w = area_w * min(max(child.rate, 0.0), 100.0) / 100
                doc.set_fill_color(*GROUP_COLOURS.get(child.group, _GREY))
                if w > 0:
                    doc.rect(area_x, top, w, bar_h, style="F")
                value = self.pct(child.rate)
            else:
                value = "\u2013"
            with doc.local_context(draw_color=RATING_COLOURS["ChuaDat"], line_width=0.3):
                doc.set_dash_pattern(dash=0.8, gap=0.6)
                for minimum in thresholds:
                    x = area_x + area_w * minimum / 100
                    doc.line(x, y, x, y + row_h)
            doc.set_xy(area_x + area_w + 1, y)
            doc.cell(value_w, row_h, value, align="R")
            doc.set_xy(doc.l_margin, y + row_h)
        doc.ln(4)
