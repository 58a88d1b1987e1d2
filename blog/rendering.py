"""Markdown to safe HTML for editor-written text, computed once on save."""

from __future__ import annotations

import html
import re

import markdown
import nh3

# Generous, but no script, style, forms, frames or event handlers: nh3 drops every
# attribute not listed here, and only these URL schemes survive (relative URLs too).
EDITOR_TAGS = {
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
EDITOR_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "ol": {"start", "reversed", "type"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "figure": {"id"},
}  # fmt: skip
EDITOR_URL_SCHEMES = {"http", "https", "mailto", "tel"}

_md = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


# nh3 adds rel to every <a>; without href (imported WordPress buttons) rel is invalid HTML.
_A_WITHOUT_HREF_REL = re.compile(r'<a\b((?:(?!\bhref=)[^>])*?) rel="noopener"((?:(?!\bhref=)[^>])*)>')


def sanitize_editor_html(value: str) -> str:
    """Clean HTML written by editors with the editor allow-list."""
    cleaned = nh3.clean(
        value,
        tags=EDITOR_TAGS,
        attributes=EDITOR_ATTRIBUTES,
        url_schemes=EDITOR_URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )
    return _A_WITHOUT_HREF_REL.sub(r"<a\1\2>", cleaned)


_H1 = re.compile(r"<(/?)h1\b", re.I)


def render_post_body(text: str) -> str:
    """Render Markdown (raw HTML allowed) and sanitise the result."""
    _md.reset()
    # The page title is the only <h1>; a "# Heading" in the body becomes <h2>, not bare text.
    return sanitize_editor_html(_H1.sub(r"<\1h2", _md.convert(text or "")))


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_ONLY_SHORTCODE = re.compile(r"^\s*\[[^\]]*\]\s*$")


def render_teaser(excerpt: str, body_html: str) -> str:
    """The listing teaser: the excerpt, or the first paragraph that is more than a shortcode."""
    if excerpt.strip():
        return render_post_body(excerpt)
    for match in _FIRST_PARAGRAPH.finditer(body_html):
        inner = match.group(1)
        if plain_text(inner) and not _ONLY_SHORTCODE.match(plain_text(inner)):
            return f"<p>{inner}</p>"
    return ""


def plain_text(value: str, limit: int | None = None) -> str:
    """Text without markup or shortcodes, whitespace folded, cut at a word near ``limit``."""
    text = html.unescape(nh3.clean(value or "", tags=set()))
    text = re.sub(r"\s+", " ", text).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text
