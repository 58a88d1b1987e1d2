"""Block and classic content become our own markup; media survive sanitising, nothing hostile does."""

import re
from pathlib import Path

import pytest

from blog.rendering import render_post_body, sanitize_editor_html
from wpimport.content import (
    Attachment,
    Library,
    convert_content,
    embed_provider,
    parse_blocks,
    plain_title,
    render_embed,
)

FIXTURES = Path(__file__).parent / "fixtures"
UPLOADS = "http://alt.example.org/wp-content/uploads/2023/01"
FOOTNOTES = '[{"content":"Die <em>Fußnote</em>.","id":"5f1a2b3c-0000-4d5e-8f90-aabbccddeeff"}]'


@pytest.fixture
def library():
    return Library(
        {
            31: Attachment(31, f"{UPLOADS}/bild.jpg", "Bild", "Ein grünes Bild", "Bild 31", parent=10),
            32: Attachment(32, f"{UPLOADS}/titel.jpg", "Titelbild", "Ein Titelbild", parent=10),
            34: Attachment(34, f"{UPLOADS}/podcast.mp3", "Folge 1", parent=11),
            35: Attachment(35, f"{UPLOADS}/film.mp4", "Der Film", parent=11),
            36: Attachment(36, f"{UPLOADS}/podcast-2.mp3", "Folge 2", parent=11),
            37: Attachment(37, f"{UPLOADS}/kind-1.jpg", "Kind 1", "Erstes Kind", parent=11),
            38: Attachment(38, f"{UPLOADS}/kind-2.jpg", "Kind 2", "Zweites Kind", parent=11),
        }
    )


@pytest.fixture
def blocks(library):
    conversion = convert_content(
        (FIXTURES / "blocks.html").read_text(), library=library, post_wp_id=10, footnotes=FOOTNOTES
    )
    return render_post_body(conversion.html), conversion


@pytest.fixture
def classic(library):
    conversion = convert_content((FIXTURES / "classic.txt").read_text(), library=library, post_wp_id=11)
    return render_post_body(conversion.html), conversion


def _no_debris(html: str):
    assert "<!--" not in html
    assert "wp:" not in html
    assert not re.search(r"<p[^>]*>\s*</p>", html)
    assert not re.search(r"\[/?(gallery|audio|video|playlist|embed|caption)\b", html)
    assert "<script" not in html and "<iframe" not in html


def test_blocks_leave_no_comments_empty_paragraphs_or_shortcodes(blocks):
    html, _conversion = blocks
    _no_debris(html)


def test_blocks_keep_text_blocks_as_saved(blocks):
    html, _ = blocks
    assert '<h3 class="wp-block-heading" id="zwischentitel">Zwischentitel</h3>' in html
    assert "<li>Erster Punkt</li>" in html and "<li>Zweiter Punkt</li>" in html
    assert '<blockquote class="wp-block-quote">' in html and "<cite>Jemand</cite>" in html
    assert '<figure class="wp-block-pullquote">' in html
    assert 'return "&lt;welt&gt;"' in html
    assert "Vorformatiert\n   eingerückt" in html
    assert "Rosen sind rot,\nVeilchen sind blau." in html
    assert "<th>Jahr</th>" in html and '<figcaption class="wp-element-caption">Eine Tabelle' in html
    assert '<hr class="wp-block-separator' in html
    assert '<div class="wp-block-spacer"></div>' in html
    assert '<details class="wp-block-details"><summary>Mehr erfahren</summary>' in html


def test_layout_blocks_keep_their_structure(blocks):
    html, _ = blocks
    columns = html.split('<div class="wp-block-columns">')[1].split('<div class="wp-block-group">')[0]
    assert columns.count('<div class="wp-block-column">') == 2
    assert "Linke Spalte." in columns and "Rechte Spalte." in columns
    assert '<div class="wp-block-group">' in html
    assert '<div class="wp-block-media-text is-stacked-on-mobile">' in html
    assert 'class="wp-block-media-text__content"' in html
    assert 'class="wp-block-cover__image-background wp-image-32"' in html
    assert '<div class="wp-block-cover__inner-container">' in html


def test_buttons_and_file_links_look_like_buttons(blocks):
    html, _ = blocks
    assert re.search(r'<a class="[^"]*btn btn-primary"[^>]*href="https://example.org/mitmachen"', html)
    assert re.search(r'<a class="[^"]*btn btn-outline-primary"[^>]*href="https://example.org/mehr"', html)
    assert re.search(r'href="[^"]*programm.pdf" class="[^"]*btn[^"]*"', html)
    assert "<object" not in html


def test_footnote_links_and_backlinks_point_at_existing_anchors(blocks):
    html, _ = blocks
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    targets = re.findall(r'href="#([^"]+)"', html)
    assert len(targets) == 2
    assert all(target in ids for target in targets)
    assert '<ol class="wp-block-footnotes"><li id="fn-' in html
    assert "Die <em>Fußnote</em>." in html


def test_footnotes_without_their_block_are_appended():
    text = '<!-- wp:paragraph --><p>A<sup data-fn="x1" class="fn"><a href="#x1" id="x1-link">1</a></sup></p><!-- /wp:paragraph -->'
    html = render_post_body(convert_content(text, footnotes='[{"id":"x1","content":"Eins"}]').html)
    assert '<a href="#fn-x1"' in html and '<li id="fn-x1">Eins' in html


def test_gallery_block_becomes_a_grid_with_captions(blocks):
    html, _ = blocks
    grid = re.search(
        r'<div class="wp-gallery wp-gallery--columns-2">.*?</figure></li></ul>(.*?)</div>', html, re.S
    )
    assert grid is not None
    assert grid.group(0).count('<li class="wp-gallery__item">') == 2
    assert "<figcaption>Mit Unterschrift</figcaption>" in grid.group(0)
    assert "Eine Galerie" in grid.group(1)
    assert 'alt="Erstes"' in grid.group(0) and 'loading="lazy"' in grid.group(0)


def test_audio_video_and_embed_blocks(blocks):
    html, _ = blocks
    assert f'<audio controls="" src="{UPLOADS}/podcast.mp3"></audio>' in html
    assert f'poster="{UPLOADS}/titel.jpg" src="{UPLOADS}/film.mp4"' in html
    # YouTube and X: the site's two-click embed markers (nothing loads before the click).
    assert (
        'class="bw-embed" data-provider="youtube" data-url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"'
        in html
    )
    assert '<p class="wp-embed-caption">Ein Video</p>' in html
    assert 'data-provider="x" data-url="https://twitter.com/WordPress/status/1"' in html


def test_dynamic_blocks_are_left_out_with_a_note(blocks):
    html, conversion = blocks
    assert any("core/latest-posts" in note for note in conversion.notes)
    assert (
        '<ul class="wp-block-social-links"><li class="wp-social-link"><a href="https://wordpress.org"' in html
    )


def test_classic_shortcodes_become_media_markup(classic):
    html, conversion = classic
    _no_debris(html)
    assert conversion.needs_whole_file
    galleries = re.findall(r'<div class="wp-gallery wp-gallery--columns-(\d)">(.*?)</ul>', html, re.S)
    assert [g[0] for g in galleries] == ["2", "3"]
    assert f'<a href="{UPLOADS}/bild.jpg"' in galleries[0][1] and "Ein grünes Bild" in galleries[0][1]
    assert "kind-1.jpg" in galleries[1][1] and "kind-2.jpg" in galleries[1][1]  # attached to the post
    assert f'<source src="{UPLOADS}/podcast.mp3" type="audio/mpeg">' in html
    assert (
        f'<video controls="" preload="metadata" poster="{UPLOADS}/titel.jpg"><source src="{UPLOADS}/film.mp4" type="video/mp4">'
        in html
    )
    assert 'data-provider="vimeo" data-url="https://vimeo.com/22439234"' in html
    assert 'data-provider="youtube" data-url="https://www.youtube.com/watch?v=nwe-H6l4beM"' in html
    assert (
        '<p><a href="https://example.org/eine-seite" rel="noopener">https://example.org/eine-seite</a></p>'
        in html
    )
    playlist = re.search(r'<div class="wp-playlist wp-playlist--audio">(.*?)</div>', html, re.S).group(1)
    assert playlist.count("<audio") == 2 and "Folge 2" in playlist
    assert '<div class="wp-playlist wp-playlist--video">' in html
    assert '<figure id="attachment_31" class="wp-caption alignnone">' in html
    assert "<p>Schluss.</p>" in html


def test_missing_attachments_are_noted_not_rendered_as_text():
    conversion = convert_content('[gallery ids="1,2"]\n\n[playlist ids="3"]\n\n[audio]')
    _no_debris(render_post_body(conversion.html))
    assert len(conversion.notes) == 3


def test_block_parser_nests_and_survives_stray_delimiters():
    parts = parse_blocks(
        '<!-- wp:group --><div><!-- wp:paragraph {"a":{"b":"}"}} --><p>x</p><!-- /wp:paragraph --></div><!-- /wp:group --><!-- /wp:foo --><!-- wp:spacer /-->'
    )
    group, spacer = (p for p in parts if not isinstance(p, str))
    assert group.name == "core/group" and spacer.name == "core/spacer"
    assert group.parts[1].attrs == {"a": {"b": "}"}}


def test_reusable_blocks_are_expanded():
    html = convert_content(
        '<!-- wp:block {"ref":5} /-->',
        reusable={5: "<!-- wp:paragraph --><p>Muster</p><!-- /wp:paragraph -->"},
    ).html
    assert html.strip() == "<p>Muster</p>"


def test_embed_providers_and_cards():
    assert embed_provider("https://youtu.be/x") == "YouTube"
    assert embed_provider("https://www.instagram.com/p/x/") == "Instagram"
    assert embed_provider("https://wordpress.tv/2020/x/") == "WordPress.tv"
    assert embed_provider("https://evil-youtube.com.example/") is None
    assert render_embed("javascript:alert(1)") == "<p>javascript:alert(1)</p>"


def test_titles_lose_their_tags_but_keep_their_text():
    assert (
        plain_title("Markup: Title <em>With</em> <b>Markup</b> &amp; more")
        == "Markup: Title With Markup & more"
    )
    assert plain_title("<script>alert(1)</script>Hallo") == "alert(1)Hallo"


# --- The sanitiser's wider allow-list, against hostile input ---------------------------------

HOSTILE = [
    '<video src="javascript:alert(1)" poster="javascript:alert(2)" onerror="alert(3)" autoplay controls></video>',
    '<audio controls onplay="alert(1)"><source src="javascript:alert(2)" onerror="alert(3)"></audio>',
    '<video><source src="data:video/mp4;base64,AAAA" type="video/mp4"></video>',
    '<audio src="vbscript:msgbox(1)"></audio><sup id="x" onclick="alert(1)">1</sup>',
    '<video controls><script>alert(1)</script><iframe src="https://evil.example/"></iframe></video>',
    '<li id="y" style="background:url(javascript:alert(1))">z</li><a href="javascript:alert(1)">a</a>',
    '<svg><animate onbegin="alert(1)"/></svg><object data="x.swf"></object><embed src="x.swf">',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_sanitiser_keeps_media_but_nothing_that_runs(value):
    html = sanitize_editor_html(value)
    lowered = html.lower()
    for bad in ("javascript:", "vbscript:", "data:", "onerror", "onclick", "onplay", "onbegin", "autoplay",
                "<script", "<iframe", "<object", "<embed", "<svg", "style="):  # fmt: skip
        assert bad not in lowered, (bad, html)


def test_sanitiser_keeps_safe_media_attributes():
    html = sanitize_editor_html(
        '<video controls preload="metadata" poster="/media/p.jpg" width="640" height="360" playsinline>'
        '<source src="https://alt.example.org/f.mp4" type="video/mp4"></video>'
        '<audio controls loop src="/media/a.mp3"></audio><sup id="fn-1-ref">1</sup><li id="fn-1">x</li>'
    )
    for kept in ('poster="/media/p.jpg"', 'src="https://alt.example.org/f.mp4"', 'type="video/mp4"',
                 'src="/media/a.mp3"', 'id="fn-1-ref"', 'id="fn-1"', "controls", "playsinline"):  # fmt: skip
        assert kept in html


def test_hostile_attachment_texts_are_escaped():
    library = Library(
        {
            1: Attachment(
                1,
                "https://x.example/a.jpg",
                alt='"><script>alert(1)</script>',
                caption="<img src=x onerror=alert(1)>",
                parent=5,
            )
        }
    )
    html = render_post_body(convert_content("[gallery]", library=library, post_wp_id=5).html)
    assert "<script" not in html and "onerror" not in html.replace("&lt;img src=x onerror", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_unclosed_media_shortcode_does_not_swallow_the_next_one():
    html = convert_content(
        '[audio mp3="https://x.org/a.mp3"]\n\nMitte\n\n[audio mp3="https://x.org/b.mp3"][/audio]'
    ).html
    assert html.count("<audio") == 2 and "<p>Mitte</p>" in html


def test_pasted_players_become_link_cards_not_nothing():
    text = (
        'Vorher\n\n<iframe width="560" height="315" src="https://www.youtube.com/embed/nwe-H6l4beM" '
        'frameborder="0" allowfullscreen></iframe>\n\n'
        '<object width="425" height="344"><param name="movie" value="http://www.youtube.com/v/abcdefgh"></param>'
        '<embed src="http://www.youtube.com/v/abcdefgh" type="application/x-shockwave-flash"></embed></object>\n\n'
        '<iframe src="https://player.vimeo.com/video/22439234"></iframe>\n\n'
        '<iframe src="javascript:alert(1)"></iframe>\n\n[video src="https://youtu.be/nwe-H6l4beM"]'
    )
    html = render_post_body(convert_content(text).html)
    _no_debris(html)
    assert html.count('data-url="https://www.youtube.com/watch?v=nwe-H6l4beM"') == 1
    assert 'data-url="https://youtu.be/nwe-H6l4beM"' in html
    assert 'class="wp-embed__link" href="https://www.youtube.com/watch?v=abcdefgh"' in html  # no valid id
    assert 'data-url="https://vimeo.com/22439234"' in html
    assert "javascript" not in html and "<object" not in html and "<embed" not in html
