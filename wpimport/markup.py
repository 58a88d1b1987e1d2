"""WordPress post markup to the HTML our editor stores.

``autop`` reproduces the behaviour of WordPress's automatic paragraphs (blank lines make
paragraphs, single line breaks make ``<br />``, block elements are never wrapped), written
from that behaviour, not from WordPress's code. ``captions_to_figures`` turns ``[caption]``
into ``<figure>``/``<figcaption>`` as WordPress's HTML5 themes render it.
"""

from __future__ import annotations

import re

from django.utils.html import escape

from blog.shortcodes import parse_attrs

_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    r"area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|"
    r"header|footer|nav|figure|figcaption|details|menu|summary|main|audio|video|iframe|object|embed)"
)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.S | re.I)
_RAW = re.compile(r"<(script|style|svg|textarea)[\s>].*?</\1>", re.S | re.I)
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.I)
_BLOCK_OPEN = re.compile(rf"(<{_BLOCKS}[\s/>])", re.I)
_BLOCK_CLOSE = re.compile(rf"(</{_BLOCKS}>)", re.I)
_HR = re.compile(r"(<hr\s*/?>)", re.I)
_TAG_WITH_NEWLINE = re.compile(r"<[a-zA-Z/!][^<>]*\n[^<>]*>")
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_P_BEFORE_CLOSE = re.compile(r"<p>([^<]+)</(div|address|form)>", re.I)
_P_AROUND_BLOCK = re.compile(rf"<p>\s*(</?{_BLOCKS}[^>]*>)\s*</p>", re.I)
_P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>", re.I | re.S)
_P_BLOCKQUOTE_OPEN = re.compile(r"<p><blockquote([^>]*)>", re.I)
_P_BLOCKQUOTE_CLOSE = re.compile(r"</blockquote></p>", re.I)
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(</?{_BLOCKS}[^>]*>)", re.I)
_P_AFTER_BLOCK = re.compile(rf"(</?{_BLOCKS}[^>]*>)\s*</p>", re.I)
_LINE_BREAK = re.compile(r"(?<!<br />)[ \t]*\n")
_BR_AFTER_BLOCK = re.compile(rf"(</?{_BLOCKS}[^>]*>)\s*<br />", re.I)
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", re.I)
_PLACEHOLDER = re.compile(r"<pre data-autop=\"(\d+)\"></pre>|\x00raw(\d+)\x00")


def autop(text: str, *, line_breaks: bool = True) -> str:
    """Wrap text separated by blank lines in ``<p>``; single newlines become ``<br />``."""
    if not (text or "").strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []

    def keep_block(match: re.Match) -> str:
        kept.append(match.group(0))
        return f'<pre data-autop="{len(kept) - 1}"></pre>'

    def keep_inline(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00raw{len(kept) - 1}\x00"

    # Preformatted text and script-like content keep their own line breaks untouched.
    text = _PRE.sub(keep_block, text)
    text = _RAW.sub(keep_inline, text)
    text = _DOUBLE_BR.sub("\n\n", text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = _HR.sub(r"\1\n\n", text)
    # A line break inside a tag's attributes is not a paragraph or <br>.
    text = _TAG_WITH_NEWLINE.sub(lambda m: m.group(0).replace("\n", " "), text)

    out = []
    for chunk in _PARAGRAPH_SPLIT.split(text.strip("\n") + "\n"):
        if chunk.strip():
            out.append(f"<p>{chunk.strip(chr(10))}</p>\n")
    text = "".join(out)

    text = _EMPTY_P.sub("", text)
    text = _P_BEFORE_CLOSE.sub(r"<p>\1</p></\2>", text)
    text = _P_AROUND_BLOCK.sub(r"\1", text)
    text = _P_AROUND_LI.sub(r"\1", text)
    text = _P_BLOCKQUOTE_OPEN.sub(r"<blockquote\1><p>", text)
    text = _P_BLOCKQUOTE_CLOSE.sub("</p></blockquote>", text)
    text = _P_BEFORE_BLOCK.sub(r"\1", text)
    text = _P_AFTER_BLOCK.sub(r"\1", text)
    if line_breaks:
        text = _LINE_BREAK.sub("<br />\n", text)
        text = _BR_AFTER_BLOCK.sub(r"\1", text)
        text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)

    def restore(match: re.Match) -> str:
        return kept[int(match.group(1) or match.group(2))]

    # Restored pieces cannot contain placeholders of their own: they were cut out first.
    return _PLACEHOLDER.sub(restore, text)


_CAPTION_BODY = r"\[(?:wp_)?caption(?P<attrs>[^\]]*)\](?P<inner>.*?)\[/(?:wp_)?caption\]"
# A caption alone in its paragraph replaces that paragraph; one inside running text stays inline.
_CAPTION = re.compile(rf"<p>\s*{_CAPTION_BODY}\s*</p>|{_CAPTION_BODY.replace('?P<', '?P<i_')}", re.S | re.I)
_MEDIA = re.compile(r"^\s*(?P<media>(?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)(?P<rest>.*)$", re.S | re.I)
_BR = re.compile(r"<br\s*/?>", re.I)


def _caption_to_figure(match: re.Match) -> str:
    attrs = match.group("attrs") if match.group("attrs") is not None else match.group("i_attrs")
    inner = match.group("inner") if match.group("inner") is not None else match.group("i_inner")
    _args, kwargs = parse_attrs(attrs)
    inner = _BR.sub(" ", inner).replace("\n", " ")
    media_match = _MEDIA.match(inner)
    media, rest = (media_match.group("media"), media_match.group("rest")) if media_match else ("", inner)
    caption = kwargs.get("caption") or rest.strip()
    classes = " ".join(filter(None, ["wp-caption", kwargs.get("align", ""), kwargs.get("class", "")]))
    figure_id = f' id="{escape(kwargs["id"])}"' if kwargs.get("id") else ""
    figcaption = f'<figcaption class="wp-caption-text">{caption}</figcaption>' if caption else ""
    return f'<figure{figure_id} class="{escape(classes)}">{media.strip()}{figcaption}</figure>'


def captions_to_figures(html: str) -> str:
    """``[caption …]<img> text[/caption]`` → ``<figure><img><figcaption>text</figcaption></figure>``."""
    if "caption" not in html:
        return html
    return _CAPTION.sub(_caption_to_figure, html)


def wordpress_to_html(text: str) -> str:
    """A WordPress post body as stored HTML: paragraphs first, then captions, as WordPress does."""
    return captions_to_figures(autop(text))
