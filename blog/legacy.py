"""Bodies written before the editor: Markdown with raw HTML, converted to editor HTML once.

Used by the data migration ``0006`` (every existing post and page body) and by the demo
content, which is kept as readable Markdown in ``blog/demo.py``.
"""

from __future__ import annotations

import re

import markdown

_BR_TWICE = re.compile(r"(<br\s*/?>)(\s*)<br\s*/?>", re.I)


def markdown_to_editor_html(text: str) -> str:
    """Markdown (raw HTML allowed) to HTML; single line breaks become ``<br>``.

    The old renderer joined the lines of an address into one; an editor who typed them
    meant them as lines. HTML blocks (imported WordPress bodies) pass through unchanged,
    so they keep rendering the same.
    """
    if not (text or "").strip():
        return ""
    converter = markdown.Markdown(extensions=["extra", "sane_lists", "nl2br"], output_format="html")
    html = converter.convert(text.replace("\r\n", "\n"))
    # A line that already ended in <br> must not get a second one.
    return _BR_TWICE.sub(r"\1\2", html)
