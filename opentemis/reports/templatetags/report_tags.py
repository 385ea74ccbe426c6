"""Figures and small charts of the report pages, drawn as inline SVG on the server.

No chart library and no script: a report page must stay light on a cheap phone over a slow
link. Every chart repeats figures shown in a table next to it, so the SVG is decoration with an
``aria-label`` summary; the tables are what screen readers and printouts rely on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from opentemis.reports.data import RATINGS, percent
from opentemis.standards.rules import Level

register = template.Library()

RATING_COLOURS = {"ChuaDat": "#b3261e", "Dat": "#d99a00", "Kha": "#4a8fd9", "Tot": "#137333"}
GROUP_COLOURS = {"A": "#137333", "B": "#d99a00", "C": "#b3261e"}


def _f(value: float) -> str:
    """An SVG coordinate (format_html escapes its arguments to text before formatting)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _number(value: float, digits: int = 1) -> str:
    return formats.number_format(value, digits)


@register.filter
def number(value: int | str | None) -> str:
    """A count as the reader writes it: "1.519" in Vietnamese, "1,519" in English ("—" for
    none, e.g. ``get`` finding no such key)."""
    if value is None or value == "":
        return "—"
    return formats.number_format(value, force_grouping=True)


@register.filter
def cell(value: int | None, k: int) -> str | SafeString:
    """A count, or "<k" with an explanation when small-cell protection suppressed it."""
    if value is None:
        title = _("Fewer than %(k)s people: hidden to protect personal data.") % {"k": k}
        return format_html('<abbr class="supp" title="{}">&lt;{}</abbr>', title, k)
    return number(value)


@register.filter
def pct(part: int | None, whole: int | None) -> str:
    """``part`` of ``whole`` as "84,9 %", "—" when unknown (suppressed or nothing to count)."""
    value = percent(part, whole)
    return "—" if value is None else f"{_number(value)}%"


@register.filter
def rate(value: float | None) -> str:
    return "—" if value is None else f"{_number(value)}%"


@register.filter
def shares(part: Any, whole: Any) -> list[tuple[int | None, str]]:
    """The five sub-columns of Breakdown ``part`` with each one's percent of ``whole``'s."""
    return [(p, pct(p, w)) for p, w in zip(part.values(), whole.values(), strict=True)]


@register.filter
def rating_label(code: str) -> str:
    try:
        return Level.from_code(code).label
    except KeyError:
        return code


@register.filter
def get(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    return (mapping or {}).get(key, "")


@register.simple_tag
def stacked_bar(counts: Mapping[str, int]) -> SafeString:
    """One horizontal bar split by rating (Chưa đạt … Tốt), each part as wide as its share."""
    total = sum(counts.get(code, 0) for code in RATINGS)
    if not total:
        return mark_safe('<span class="muted">—</span>')
    parts, x = [], 0.0
    for code in RATINGS:
        n = counts.get(code, 0)
        if not n:
            continue
        width = 100.0 * n / total
        parts.append(
            (_f(x), _f(width), RATING_COLOURS[code], f"{Level.from_code(code).label}: {number(n)}")
        )
        x += width
    label = ", ".join(p[3] for p in parts)
    rects = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="10" fill="{}"><title>{}</title></rect>',
        parts,
    )
    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        'aria-label="{}">{}</svg>',
        label,
        rects,
    )


@register.simple_tag
def rate_bar(value: float | None, group: str = "") -> SafeString:
    """A completion bar from 0 to 100 %, coloured by group (A/B/C)."""
    if value is None:
        return mark_safe('<span class="muted">—</span>')
    width = max(0.0, min(100.0, value))
    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        'aria-label="{}"><rect x="0" y="0" width="100" height="10" fill="#e8eef6"></rect>'
        '<rect x="0" y="0" width="{}" height="10" fill="{}"></rect></svg>',
        rate(value),
        _f(width),
        GROUP_COLOURS.get(group, "#0b5cad"),
    )


@register.simple_tag
def share_bar(value: int, biggest: int) -> SafeString:
    """A bar as long as ``value`` relative to the biggest value of its table."""
    width = 100.0 * value / biggest if biggest else 0.0
    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
        '<rect x="0" y="0" width="{}" height="10" fill="#0b5cad"></rect></svg>',
        _f(width),
    )


@register.filter
def biggest(rows: Iterable[Any]) -> int:
    return max((getattr(r, "count", 0) for r in rows), default=0)


@register.simple_tag
def years_chart(years: Iterable[Any]) -> SafeString:
    """Completion rate of each school year as a column, the year under it."""
    years = list(years)
    if not years:
        return mark_safe("")
    step, height = 70, 100
    columns = []
    for i, y in enumerate(years):
        h = height * (y.rate or 0.0) / 100.0
        x, middle = 10 + i * step, 30 + i * step
        columns.append((x, _f(10 + height - h), _f(h), middle, rate(y.rate), middle, y.school_year))
    drawn = format_html_join(
        "",
        '<rect x="{}" y="{}" width="40" height="{}" fill="#0b5cad"></rect>'
        '<text x="{}" y="8" text-anchor="middle">{}</text>'
        '<text x="{}" y="124" text-anchor="middle">{}</text>',
        columns,
    )
    summary = "; ".join(f"{y.school_year}: {rate(y.rate)}" for y in years)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} 130" width="{}" height="130" role="img" '
        'aria-label="{}"><line x1="0" y1="110" x2="{}" y2="110" stroke="#d8dee6"></line>{}</svg>',
        20 + step * len(years),
        20 + step * len(years),
        summary,
        20 + step * len(years),
        drawn,
    )


@register.simple_tag
def history_chart(snapshots: Iterable[Any]) -> SafeString:
    """Weekly completion rate as a line (0 to 100 %), one dot per week with its figures."""
    points = list(snapshots)
    if not points:
        return mark_safe("")
    width, height, left, top = 320, 100, 30, 10
    step = (width - left - 10) / max(1, len(points) - 1)
    coords = [
        (left + i * step, top + height - height * (s.rate or 0.0) / 100.0, s)
        for i, s in enumerate(points)
    ]
    line = " ".join(f"{_f(x)},{_f(y)}" for x, y, _s in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="#0b5cad"><title>{}</title></circle>',
        [
            (
                _f(x),
                _f(y),
                f"{formats.date_format(s.week, 'd/m')}: {rate(s.rate)}, #{s.rank or '—'}",
            )
            for x, y, s in coords
        ],
    )
    first, last = points[0], points[-1]
    summary = _("From %(first)s to %(last)s: %(start)s → %(end)s") % {
        "first": formats.date_format(first.week, "d/m/Y"),
        "last": formats.date_format(last.week, "d/m/Y"),
        "start": rate(first.rate),
        "end": rate(last.rate),
    }
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{summary}">'
        '<line x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="#eef2f7"></line>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#d8dee6"></line>'
        '<text x="0" y="{ty}">100%</text><text x="0" y="{by}">0%</text>'
        '<polyline points="{line}" fill="none" stroke="#0b5cad" stroke-width="2"></polyline>'
        "{dots}</svg>",
        w=width,
        h=height + top + 10,
        summary=summary,
        left=left,
        right=width - 10,
        top=top,
        base=top + height,
        ty=top + 4,
        by=top + height,
        line=line,
        dots=dots,
    )
