"""Post bodies: Markdown with raw HTML, sanitised once on save; teasers; the shortcode registry."""

import re
from html.parser import HTMLParser

import pytest

from blog.rendering import plain_text, reading_stats, render_markdown, render_post_body, render_teaser
from blog.shortcodes import parse_attrs, registry
from tests.factories import PostFactory

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "svg", "math", "object", "embed", "form", "input",
    "button", "textarea", "select", "meta", "base", "link", "template", "noscript", "xmp",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "cite",
    "srcset",
    "xlink:href",
    "background",
    "poster",
}


class ElementCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_harmless(html: str) -> None:
    """What a browser would build from ``html`` runs no script and loads nothing foreign."""
    collector = ElementCollector()
    collector.feed(html)
    collector.close()
    for tag, attrs in collector.elements:
        assert tag not in FORBIDDEN_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name not in {"style", "srcdoc", "formaction", "xmlns", "http-equiv"}, (name, html)
            if name in URL_ATTRIBUTES and value:
                # As the URL parser does: trim controls and spaces, drop tabs and newlines.
                squeezed = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(33))))).lower()
                assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), (value, html)


# (hostile body, text that must appear nowhere in the output, case-insensitively)
HOSTILE = {
    "script tag": ("<script>alert(1)</script>Text", ["<script", "alert(1)"]),
    "script uppercase": ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", ["<script", "evil.example"]),
    "img onerror": ('<img src="x.png" onerror="alert(1)">', ["onerror", "alert"]),
    "event handler on allowed tag": (
        '<p onclick="alert(1)" onmouseover=alert(2)>Hi</p>',
        ["onclick", "onmouseover"],
    ),
    "javascript link": ('<a href="javascript:alert(1)">klick</a>', ["javascript:"]),
    "javascript mixed case and spaces": ('<a href=" JaVaScRiPt:alert(1)">x</a>', ["javascript"]),
    "javascript entity encoded": ('<a href="&#106;&#97;vascript:alert(1)">x</a>', ["vascript", "&#106;"]),
    "javascript tab entity": ('<a href="java&#9;script:alert(1)">x</a>', ["script:"]),
    "javascript raw tab": ('<a href="java\tscript:alert(1)">x</a>', []),
    "data url link": (
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        ["data:"],
    ),
    "data url image": ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', ["data:"]),
    "vbscript link": ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript"]),
    "markdown image breaking out": ('![x](x.png"onerror="alert(1))', []),
    "style tag": ("<style>body{background:url(javascript:alert(1))}</style>Text", ["<style", "background"]),
    "style attribute": ('<p style="background:url(javascript:alert(1))">x</p>', ["style=", "javascript"]),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', ["<iframe", "evil.example"]),
    "iframe srcdoc": ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', ["<iframe", "<script"]),
    "svg onload": ("<svg onload=alert(1)><circle r=1 /></svg>", ["<svg", "onload"]),
    "math xlink": ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ["<math", "javascript"]),
    "object embed": (
        '<object data="evil.swf"></object><embed src="evil.swf">',
        ["<object", "<embed", "evil.swf"],
    ),
    "form": (
        '<form action="https://evil.example/"><input name="pw"><button>Go</button></form>',
        ["<form", "<input", "<button"],
    ),
    "meta refresh": (
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        ["<meta", "evil.example"],
    ),
    "base href": ('<base href="https://evil.example/">', ["<base", "evil.example"]),
    "link stylesheet": (
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        ["<link", "evil.example"],
    ),
    "broken markup": ("<img src=x onerror=alert(1)//<p>unclosed <b>bold", []),
    "unclosed attribute": ('<a href="https://ok.example/ onclick="alert(1)">x</a>', []),
    "nested script trick": ("<scr<script>x</script>ipt>alert(1)</scr</script>ipt>", ["<script"]),
    "comment trick": (
        "<!--<script>alert(1)</script>-->Text<!-- --><script>alert(2)</script>",
        ["<script", "<!--"],
    ),
    "cdata trick": ("<![CDATA[<script>alert(1)</script>]]>", ["<script"]),
    "noscript mutation": ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', ["onerror=alert"]),
    "template tag": ("<template><script>alert(1)</script></template>", ["<template", "<script"]),
    "formaction button": (
        '<button formaction="javascript:alert(1)">x</button>',
        ["formaction", "javascript"],
    ),
    "attribute without quotes": ("<a href=javascript:alert(1)>x</a>", ["javascript:"]),
}


@pytest.mark.parametrize("body,forbidden", HOSTILE.values(), ids=HOSTILE.keys())
def test_render_post_body_neutralises_hostile_html(body, forbidden):
    html = render_post_body(body)
    assert_harmless(html)
    for needle in forbidden:
        assert needle.lower() not in html.lower(), html


def test_render_post_body_keeps_generous_editor_markup():
    html = render_post_body(
        '<figure id="abb1"><img src="https://example.org/a.jpg" alt="Bild" width="600" height="400" loading="lazy">'
        "<figcaption>Quelle: flickr</figcaption></figure>\n\n"
        '<table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table>\n\n'
        '<blockquote cite="https://example.org/">Zitat</blockquote>\n\n'
        '<details><summary>Mehr</summary><p><mark>Hinweis</mark> <abbr title="Social Media">SoMe</abbr></p></details>\n\n'
        '<p class="lead" lang="en">Hello <a href="mailto:a@example.org">mail</a> <a href="tel:+49301234">tel</a></p>'
    )
    for kept in (
        '<figure id="abb1">',
        'alt="Bild"',
        'loading="lazy"',
        "<figcaption>Quelle: flickr</figcaption>",
        '<th scope="col">',
        'colspan="2"',
        '<blockquote cite="https://example.org/">',
        "<details><summary>Mehr</summary>",
        "<mark>Hinweis</mark>",
        '<abbr title="Social Media">',
        'class="lead"',
        'href="mailto:a@example.org"',
        'href="tel:+49301234"',
    ):
        assert kept in html, kept


def test_render_markdown_for_excerpts():
    html = render_markdown('Ein **fetter** und _kursiver_ Satz mit [Link](https://example.org/ "Titel").')
    assert "<strong>fetter</strong>" in html and "<em>kursiver</em>" in html
    assert '<a href="https://example.org/" title="Titel" rel="noopener">Link</a>' in html


def test_render_post_body_wraps_loose_text_and_keeps_single_line_breaks():
    html = render_post_body("Blogwerk Demo GmbH\nMusterstraße 1\n\nZweiter Absatz")
    assert html == "<p>Blogwerk Demo GmbH<br>\nMusterstraße 1</p>\n<p>Zweiter Absatz</p>"


def test_render_post_body_demotes_h1_to_h2():
    assert render_post_body("<h1>Titel</h1><p>Text</p>") == "<h2>Titel</h2><p>Text</p>"


def test_render_post_body_allows_self_hosted_audio_and_video():
    html = render_post_body(
        '<video controls src="/media/film.mp4" onplay="x()"></video><audio controls src="javascript:x"></audio>'
    )
    assert '<video controls="" src="/media/film.mp4">' in html or 'src="/media/film.mp4"' in html
    assert "onplay" not in html and "javascript" not in html


def test_render_post_body_external_links_get_noopener():
    html = render_post_body('<a href="https://example.org/" target="_blank">x</a>')
    assert 'rel="noopener"' in html


def test_render_post_body_empty():
    assert render_post_body("") == ""
    assert render_post_body(None) == ""


def test_render_teaser_prefers_excerpt_and_sanitises_it():
    teaser = render_teaser("Kurz **gesagt** <script>x</script>", "<p>Erster</p>")
    assert "<strong>gesagt</strong>" in teaser and "<script" not in teaser


def test_render_teaser_skips_a_leading_shortcode_paragraph():
    body = render_post_body("<p>[poll umfrage]</p><p>Der echte Anfang.</p><p>Mehr.</p>")
    assert render_teaser("", body) == "<p>Der echte Anfang.</p>"


def test_render_teaser_empty_body():
    assert render_teaser("", "") == ""


def test_plain_text_strips_tags_and_cuts_at_a_word():
    assert plain_text("<p>Ein &amp; <b>zwei</b></p>\n\n<p>drei</p>") == "Ein & zwei drei"
    cut = plain_text("Wort " * 100, limit=20)
    assert len(cut) <= 20 and cut.endswith("…") and "Wor…" not in cut


# --- shortcodes --------------------------------------------------------------------------


@pytest.fixture
def handler_calls():
    calls = []

    def render_box(shortcodes, request):
        calls.append([(sc.name, sc.args, sc.kwargs) for sc in shortcodes])
        return [None if sc.first == "fehlt" else f'<div class="box">{sc.first}</div>' for sc in shortcodes]

    registry.register("testbox", render_box)
    yield calls
    registry.unregister("testbox")


def test_shortcode_handler_called_once_per_name_with_all_occurrences(handler_calls):
    html = render_post_body(
        '[testbox eins]\n\nText [testbox zwei farbe="rot blau"] mitten.\n\n[testbox drei]'
    )
    out = registry.expand(html)
    assert len(handler_calls) == 1
    assert handler_calls[0] == [
        ("testbox", ("eins",), {}),
        ("testbox", ("zwei",), {"farbe": "rot blau"}),
        ("testbox", ("drei",), {}),
    ]
    assert out.count('<div class="box">') == 3
    assert "<p><div" not in out  # a shortcode alone in a paragraph replaces the paragraph


def test_shortcode_handler_returning_none_renders_nothing_for_readers(handler_calls):
    html = render_post_body("Davor\n\n[testbox fehlt]\n\nDanach")
    assert "testbox" not in registry.expand(html)
    assert "[testbox fehlt]" in registry.expand(html, show_unknown=True)


def test_unknown_shortcodes_hidden_for_readers_shown_to_staff():
    html = render_post_body('Davor\n\n[gallery ids="1,2,3"]\n\n[unbekannt id=7] und [/caption] danach')
    reader = registry.expand(html)
    assert "gallery" not in reader and "unbekannt" not in reader and "caption" not in reader
    assert "Davor" in reader and "danach" in reader
    staff = registry.expand(html, show_unknown=True)
    assert '<code class="shortcode-unknown">[gallery ids=&quot;1,2,3&quot;]</code>' in staff
    assert "[unbekannt id=7]" in staff


def test_unknown_shortcode_text_is_escaped_for_staff():
    html = registry.expand('[gallery title="<b>x</b>"]', show_unknown=True)
    assert "<b>" not in html


def test_prose_in_brackets_stays_untouched():
    html = render_post_body("Er schrieb [sic] und [1] sowie [siehe oben]. Links: [a](https://x.org)")
    out = registry.expand(html)
    assert "[sic]" in out and "[1]" in out and "[siehe oben]" in out


def test_escaped_shortcode_is_shown_literally(handler_calls):
    html = render_post_body("So bettet man ein: [[poll x]] und [[testbox y]]")
    out = registry.expand(html)
    assert "[poll x]" in out and "[testbox y]" in out
    assert "[[" not in out
    assert handler_calls == []


def test_shortcode_registry_never_runs_without_brackets(handler_calls):
    assert registry.expand("<p>Nur Text</p>") == "<p>Nur Text</p>"
    assert handler_calls == []


def test_parse_attrs_handles_quotes_and_typographic_quotes():
    assert parse_attrs('umfrage poll=12 title="Zwei Worte"') == (
        ("umfrage",),
        {"poll": "12", "title": "Zwei Worte"},
    )
    assert parse_attrs("poll=\u201e12\u201c") == ((), {"poll": "12"})
    assert parse_attrs('kaputt "offen') == (("kaputt", '"offen'), {})


@pytest.mark.django_db
def test_unknown_shortcode_on_post_page_for_reader_and_staff(client, editor):
    post = PostFactory(body="Vorher\n\n[slideshare id=99]\n\nNachher [unbekannt x=1]")
    reader = client.get(post.get_absolute_url()).content.decode()
    assert "slideshare" not in reader and "unbekannt" not in reader and "Nachher" in reader
    client.force_login(editor)
    staff = client.get(post.get_absolute_url()).content.decode()
    assert "[slideshare id=99]" in staff and "[unbekannt x=1]" in staff


@pytest.mark.django_db
def test_registered_shortcode_renders_on_post_page(client, handler_calls):
    post = PostFactory(body="[testbox a]\n\nText\n\n[testbox b]")
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<div class="box">a</div>' in html and '<div class="box">b</div>' in html
    assert len(handler_calls) == 1


def test_reading_stats_counts_words_across_blocks():
    assert reading_stats("<p>eins zwei</p><p>drei</p>") == {"words": 3, "minutes": 1}
    assert reading_stats("") == {"words": 0, "minutes": 0}
