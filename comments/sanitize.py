"""Visitor text to stored safe HTML, and names and URLs without tricks.

Comment bodies are plain text with line breaks plus a small HTML allow-list (the one
WordPress has always offered). The result is computed once on save and stored.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "b", "blockquote", "cite", "code", "del", "em", "i", "q",
    "strike", "strong",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "acronym": {"title"},
    "blockquote": {"cite"},
    "del": {"datetime"},
    "q": {"cite"},
}
# Shown under the form so visitors know what they may use.
ALLOWED_TAGS_HINT = (
    '<a href="" title=""> <abbr title=""> <acronym title=""> <b> <blockquote cite=""> <cite> '
    '<code> <del datetime=""> <em> <i> <q cite=""> <strike> <strong>'
)
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc"

_URL_ATTRIBUTES = {"href", "cite"}
_BLANK_LINES = re.compile(r"\n[ \t]*\n[ \t\n]*")
# Quotes are blocks: paragraphs form inside them, never around them. Quoted attribute
# values may contain ">", hence the careful pattern (it runs on nh3's own output).
_BLOCKQUOTE_TAG = re.compile(r'(<blockquote(?:\s+[a-z]+="[^"]*")*\s*>|</blockquote>)')
# Control characters (C0, DEL, C1), line and paragraph separators, and the bidi controls
# that can make a name read backwards ("U+202E").
_NAME_JUNK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_BODY_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def is_safe_absolute_url(value: str, schemes=frozenset(URL_SCHEMES)) -> bool:
    """True for an absolute URL with an allowed scheme (and a host, for http and https)."""
    value = (value or "").strip()
    if not value or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return False
    if scheme in {"http", "https"}:
        return bool(parts.hostname) and value.lower().startswith(f"{scheme}://")
    return bool(parts.path)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES:
        return value.strip() if is_safe_absolute_url(value) else None
    return value


def _clean(html: str, *, extra_tags=frozenset()) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | set(extra_tags),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_comment_body(text: str) -> str:
    """Plain text with line breaks and the allow-listed tags → stored safe HTML.

    Blank lines start paragraphs, single line breaks become ``<br>``; links get
    ``rel="nofollow ugc"``; only absolute http, https and mailto URLs survive.
    """
    text = clean_body_text(text)
    if not text.strip():
        return ""
    parts = []
    for segment in _BLOCKQUOTE_TAG.split(_clean(text)):
        if _BLOCKQUOTE_TAG.fullmatch(segment):
            parts.append(segment)
        else:
            parts.extend(_paragraphs(segment))
    html = "".join(parts)
    # A tag that spanned a blank line now crosses paragraphs; one more pass lets the
    # HTML parser repair the nesting, and re-checks everything.
    return _clean(html, extra_tags={"p", "br"})


def _paragraphs(text: str) -> list[str]:
    out = []
    for paragraph in _BLANK_LINES.split(text.strip("\n")):
        paragraph = paragraph.strip("\n")
        if paragraph.strip():
            out.append("<p>" + paragraph.replace("\n", "<br>\n") + "</p>")
    return out


def clean_body_text(text: str) -> str:
    """The body as typed, minus NUL and other control characters, with Unix line ends."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _BODY_JUNK.sub("", text)


def clean_name(value: str) -> str:
    """A display name on one line: no control characters, line breaks or direction overrides."""
    value = unicodedata.normalize("NFC", value or "")
    value = _NAME_JUNK.sub(" ", value)
    return " ".join(value.split())


def clean_header_value(value: str) -> str:
    """Text safe to put into an e-mail header (the name of a commenter, a post title)."""
    return clean_name(value)[:200]
