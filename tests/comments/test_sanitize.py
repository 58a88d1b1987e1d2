import pytest

from comments.sanitize import clean_header_value, clean_name, is_safe_absolute_url, render_comment_body


def test_render_comment_body_keeps_line_breaks_and_paragraphs():
    html = render_comment_body("Erste Zeile\nzweite Zeile\n\nNeuer Absatz")
    assert html == "<p>Erste Zeile<br>\nzweite Zeile</p><p>Neuer Absatz</p>"


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="https://example.org/" title="t">x</a>',
        '<abbr title="Public Relations">PR</abbr>',
        '<acronym title="t">x</acronym>',
        "<b>x</b>",
        '<blockquote cite="https://example.org/q">x</blockquote>',
        "<cite>x</cite>",
        "<code>x</code>",
        '<del datetime="2011-05-24">x</del>',
        "<em>x</em>",
        "<i>x</i>",
        '<q cite="https://example.org/q">x</q>',
        "<strike>x</strike>",
        "<strong>x</strong>",
    ],
)
def test_render_comment_body_keeps_the_allow_list(markup):
    tag = markup[1:].split(" ")[0].split(">")[0]
    html = render_comment_body(markup)
    assert f"<{tag}" in html
    for attribute in ("title=", "cite=", "datetime=", "href="):
        if attribute in markup:
            assert attribute in html


def test_render_comment_body_marks_links_nofollow_ugc():
    html = render_comment_body('<a href="https://example.org/" rel="follow" target="_blank">x</a>')
    assert 'rel="nofollow ugc"' in html
    assert "target" not in html
    assert 'follow"' not in html.replace('nofollow ugc"', "")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative/path",
        "relative",
        "//evil.example/",
        "https:/missing-slash",
        "ftp://example.org/",
        "http://",
    ],
)
def test_render_comment_body_drops_unsafe_urls_in_href_and_cite(url):
    for markup in (
        f'<a href="{url}">x</a>',
        f'<q cite="{url}">x</q>',
        f'<blockquote cite="{url}">x</blockquote>',
    ):
        html = render_comment_body(markup)
        assert "href=" not in html
        assert "cite=" not in html


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1", "http://example.org", "mailto:erika@example.org"]
)
def test_render_comment_body_keeps_absolute_http_https_mailto(url):
    assert "href=" in render_comment_body(f'<a href="{url}">x</a>')
    assert "cite=" in render_comment_body(f'<q cite="{url}">x</q>')


def test_render_comment_body_strips_scripts_and_escapes_text():
    html = render_comment_body("<script>alert(1)</script>a < b & c <img src=x onerror=alert(1)>")
    assert "script" not in html
    assert "alert" not in html
    assert "<img" not in html
    assert "a &lt; b &amp; c" in html


def test_render_comment_body_repairs_broken_markup():
    html = render_comment_body("<b>bold <i>both</b> rest <blockquote>unclosed")
    assert html.count("<b>") == html.count("</b>")
    assert html.count("<blockquote>") == html.count("</blockquote>")


def test_render_comment_body_removes_nul_and_control_characters():
    assert render_comment_body("a\x00b\x07c") == "<p>abc</p>"


def test_clean_name_removes_control_characters_breaks_and_direction_overrides():
    assert (
        clean_name("Eri\x00ka\r\nBcc: x@example.org\u202egnp.exe\u2066")
        == "Eri ka Bcc: x@example.org gnp.exe"
    )


def test_clean_header_value_never_contains_line_breaks():
    value = clean_header_value("Titel\nX-Injected: yes\r\nBcc: evil@example.org")
    assert "\n" not in value and "\r" not in value


@pytest.mark.parametrize(
    ("url", "ok"),
    [("https://example.org", True), ("http://x.de/p", True), ("https://", False), ("javascript:x", False)],
)
def test_is_safe_absolute_url(url, ok):
    assert is_safe_absolute_url(url) is ok
