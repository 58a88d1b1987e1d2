"""Editor HTML to safe HTML for readers, computed once on save.

Post and page bodies are HTML written by the editor (ProseMirror, see ``blog/editor.py``).
On save they are sanitised with the editor allow-list, body images become responsive
``<picture>`` elements (``blog/images.py``), and links to videos and posts on their own line
become privacy-friendly embed placeholders (``blog/embeds.py``). Excerpts stay short Markdown.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

# Generous, but no script, style, forms, frames or event handlers: nh3 drops every
# attribute not listed here, and only these URL schemes survive (relative URLs too).
EDITOR_TAGS = {
    "a", "abbr", "acronym", "audio", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "picture", "pre", "q", "s", "small", "source", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "track", "u",
    "ul", "video",
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
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes", "data-file"},
    "ol": {"start", "reversed", "type"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "figure": {"id"},
    # Self-hosted media only: src is limited to our URL schemes like every other URL.
    "audio": {"src", "controls", "preload", "loop"},
    "video": {"src", "controls", "preload", "loop", "width", "height", "poster", "playsinline", "muted"},
    "source": {"src", "type", "srcset", "sizes", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
}  # fmt: skip
# Footnotes imported from WordPress link both ways: an id on the reference and on the note.
for _tag in ("sup", "li"):
    EDITOR_ATTRIBUTES[_tag] = EDITOR_ATTRIBUTES.get(_tag, set()) | {"id"}
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
_BLOCK_START = re.compile(
    r"^\s*<(?:p|h[1-6]|ul|ol|li|dl|table|thead|tbody|tr|blockquote|pre|figure|div|hr|details"
    r"|audio|video|picture|section|article|aside|address)[\s/>]",
    re.I,
)
_PARAGRAPH_SPLIT = re.compile(r"\n[ \t]*\n")


def paragraphs(value: str) -> str:
    """Wrap loose text in ``<p>``: a blank line starts a paragraph, a single line break stays.

    Editor output is all blocks already and passes unchanged; this serves text that arrives
    without markup (scripts, fixtures, a pasted plain address).
    """
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    chunks = []
    for chunk in _PARAGRAPH_SPLIT.split(value):
        if not chunk.strip():
            continue
        if _BLOCK_START.match(chunk):
            chunks.append(chunk.strip("\n"))
        else:
            chunks.append("<p>" + chunk.strip("\n").replace("\n", "<br>\n") + "</p>")
    return "\n".join(chunks)


def render_post_body(text: str | None) -> str:
    """Sanitise editor HTML, make body images responsive and links on their own line embeds."""
    from blog.embeds import embed_placeholders
    from blog.images import responsive_body_images

    # The page title is the only <h1>; a heading 1 in the body becomes <h2>.
    clean = sanitize_editor_html(_H1.sub(r"<\1h2", paragraphs(text or "")))
    return embed_placeholders(responsive_body_images(clean))


def render_markdown(text: str | None) -> str:
    """Short Markdown (excerpts): rendered and sanitised like a body."""
    _md.reset()
    return sanitize_editor_html(_H1.sub(r"<\1h2", _md.convert(text or "")))


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_ONLY_SHORTCODE = re.compile(r"^\s*\[[^\]]*\]\s*$")


def render_teaser(excerpt: str, body_html: str) -> str:
    """The listing teaser: the excerpt, or the first paragraph that is more than a shortcode."""
    if excerpt.strip():
        return render_markdown(excerpt)
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


_SHORTCODE = re.compile(r"\[/?[a-zA-Z][^\[\]]*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


def first_sentences(body_html: str, limit: int = 300) -> str:
    """The body's first sentences as plain text, shortcodes left out, within ``limit``."""
    text = re.sub(r"\s+", " ", _SHORTCODE.sub(" ", plain_text(body_html))).strip()
    if len(text) <= limit:
        return text
    cut = [m.start() for m in _SENTENCE_END.finditer(text, 0, limit)]
    return text[: cut[-1]] if cut else plain_text(text, limit=limit)


WORDS_PER_MINUTE = 200


def reading_stats(body_html: str) -> dict:
    """Word count and reading time (at least one minute) of rendered body HTML."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", body_html or ""))
    words = len(re.findall(r"\w+", text))
    return {"words": words, "minutes": max(1, round(words / WORDS_PER_MINUTE)) if words else 0}
