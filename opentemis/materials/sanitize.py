"""The HTML of a page, cleaned before it is saved: what an officer pastes (from Word, a web
page) keeps its structure and loses everything that could run or reach elsewhere.

Cleaned with ``nh3`` (Python bindings of the Rust ``ammonia`` sanitiser, maintained; an allow
list over an HTML5 parser, so malformed markup cannot smuggle anything through). Kept:
headings, paragraphs, emphasis, lists, quotes, tables, links (http, https, mailto and links
within the site, opened with ``rel="noopener noreferrer"``) and images. An image's ``src`` must
be one of the page's own uploaded images (a path under ``/learn/``): an image from another site
would tell that site who reads the page, and loads nothing here without a connection. A
``span`` may say its language (``lang``). No ``style``, ``class``, ``id``, scripts, forms,
frames or event attributes.
"""

from __future__ import annotations

import nh3

TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "sub",
    "sup", "small", "mark", "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img", "figure", "figcaption", "table", "caption", "thead", "tbody", "tfoot", "tr",
    "th", "td", "span", "div",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "span": {"lang"},  # a word in another language, for screen readers (<span lang="en">)
}
URL_SCHEMES = {"http", "https", "mailto"}
#: Where the page's own images are served (``materials_asset``).
OWN_PREFIX = "/learn/"
MAX_CHARS = 200_000


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.startswith(OWN_PREFIX) and not value.startswith("//") else None
    if attribute == "lang":
        return value if value.replace("-", "").isalpha() and len(value) <= 12 else None
    if attribute in {"width", "height", "colspan", "rowspan", "start"}:
        return value if value.isdigit() and len(value) <= 4 else None
    return value


def clean_html(html: str) -> str:
    """The page's HTML with only the allowed structure (see the module's docstring)."""
    return nh3.clean(
        str(html or "")[:MAX_CHARS],
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
