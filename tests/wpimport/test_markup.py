import pytest

from blog.rendering import render_post_body
from wpimport.markup import autop, captions_to_figures, wordpress_to_html


def test_autop_makes_paragraphs_from_blank_lines_and_br_from_single_breaks():
    assert autop("Eins\nzwei\n\nDrei") == "<p>Eins<br />\nzwei</p>\n<p>Drei</p>\n"


def test_autop_leaves_block_elements_unwrapped():
    html = autop("<ul>\n<li>a</li>\n<li>b</li>\n</ul>\nDanach")
    assert "<p><ul>" not in html
    assert "<li>a</li>" in html
    assert "<p>Danach</p>" in html


def test_autop_keeps_preformatted_text_untouched():
    html = autop("Vorher\n\n<pre>x = 1\n\n    y = 2</pre>\n\nNachher")
    assert "<pre>x = 1\n\n    y = 2</pre>" in html
    assert "<br />" not in html


def test_autop_moves_paragraphs_inside_blockquotes():
    html = autop("<blockquote>Eins\n\nZwei</blockquote>")
    assert html.startswith("<blockquote><p>Eins</p>")
    assert html.strip().endswith("<p>Zwei</p></blockquote>")


def test_autop_handles_windows_line_ends_and_empty_text():
    assert autop("A\r\n\r\nB") == "<p>A</p>\n<p>B</p>\n"
    assert autop("  \n ") == ""


def test_captions_become_figures_with_figcaption():
    html = wordpress_to_html(
        'Text\n\n[caption id="attachment_5" align="aligncenter" width="300"]'
        '<a href="http://x.org/a.jpg"><img src="http://x.org/a.jpg" alt="A" /></a> Die <em>Unterschrift</em>[/caption]'
    )
    assert '<figure id="attachment_5" class="wp-caption aligncenter"><a href="http://x.org/a.jpg">' in html
    assert '<figcaption class="wp-caption-text">Die <em>Unterschrift</em></figcaption></figure>' in html
    assert "[caption" not in html
    assert "<p><figure" not in html


def test_captions_accept_the_caption_attribute():
    html = captions_to_figures('[caption caption="Oben"]<img src="/a.jpg" />[/caption]')
    assert (
        html
        == '<figure class="wp-caption"><img src="/a.jpg" /><figcaption class="wp-caption-text">Oben</figcaption></figure>'
    )


@pytest.mark.parametrize(
    "source",
    [
        "Zeile\n    vier Leerzeichen eingerückt\n\n        acht Leerzeichen",
        "\tTab am Anfang\n\n    Absatz mit Einzug",
    ],
)
def test_imported_html_never_becomes_a_code_block(source):
    rendered = render_post_body(wordpress_to_html(source))
    assert "<code>" not in rendered
    assert "<pre>" not in rendered
    assert "eingerückt" in rendered or "Einzug" in rendered


def test_imported_html_keeps_markdown_characters_literal():
    rendered = render_post_body(
        wordpress_to_html("# Kein Titel\n\n*kein Fett* und 1. keine Liste\n\n> kein Zitat")
    )
    assert "<h1>" not in rendered
    assert "<em>" not in rendered
    assert "<blockquote>" not in rendered
    assert "<p># Kein Titel</p>" in rendered


def test_imported_html_is_sanitised_and_shortcodes_stay():
    rendered = render_post_body(
        wordpress_to_html(
            'Hallo <script>alert(1)</script><a href="javascript:x" onclick="y">Link</a>\n\n[polldaddy poll=42]'
        )
    )
    assert "<script" not in rendered
    assert "onclick" not in rendered
    assert "javascript:" not in rendered
    assert "<p>[polldaddy poll=42]</p>" in rendered
