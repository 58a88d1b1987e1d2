"""Embeds from WordPress never reach readers as bare URL text: every provider WordPress core
embeds, in every form WordPress 6 writes it, becomes a two-click embed or a link card."""

import hashlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from blog.bodies import body_for_readers
from tests.wpimport.builder import Item
from wpimport.models import LegacyItem

pytestmark = pytest.mark.django_db

# (provider name readers know, a URL as WordPress embeds it, the block editor's provider slug);
# None: a site WordPress would only embed after discovering it, a link card with its host here.
PROVIDERS = [
    ("YouTube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
    ("YouTube", "https://www.youtube.com/playlist?list=PLabcdef123", "youtube"),
    ("Vimeo", "https://vimeo.com/76979871", "vimeo"),
    ("X", "https://twitter.com/WordPress/status/1234567890123456789", "twitter"),
    ("X", "https://x.com/WordPress/status/1234567890123456789", "twitter"),
    ("Instagram", "https://www.instagram.com/p/BXYZ123abc/", "instagram"),
    ("Facebook", "https://www.facebook.com/WordPress/posts/10154890745087915", "facebook"),
    ("WordPress.tv", "https://wordpress.tv/2023/01/01/matt-mullenweg-state-of-the-word/", "wordpress-tv"),
    ("SoundCloud", "https://soundcloud.com/forss/flickermood", "soundcloud"),
    ("Spotify", "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "spotify"),
    ("TikTok", "https://www.tiktok.com/@scout2015/video/6718335390845095173", "tiktok"),
    ("Flickr", "https://www.flickr.com/photos/bees/2341623661/", "flickr"),
    ("Reddit", "https://www.reddit.com/r/Wordpress/comments/abc123/ein_titel/", "reddit"),
    ("Mastodon", "https://mastodon.social/@Gargron/109389155316386154", "mastodon"),
    ("Mastodon", "https://chaos.social/@jemand/109389155316386154", "mastodon"),
    ("Dailymotion", "https://www.dailymotion.com/video/x7tgad0", "dailymotion"),
    ("Tumblr", "https://staff.tumblr.com/post/123456789/titel", "tumblr"),
    ("TED", "https://www.ted.com/talks/ken_robinson_do_schools_kill_creativity", "ted"),
    ("Pinterest", "https://www.pinterest.com/pin/123456789/", "pinterest"),
    ("Bluesky", "https://bsky.app/profile/wordpress.org/post/3kabc", "bluesky"),
    ("Pocket Casts", "https://pca.st/episode/abc", "pocket-casts"),
    ("Crowdsignal", "https://poll.fm/1234567", "crowdsignal"),
    ("Imgur", "https://imgur.com/gallery/abc123", "imgur"),
    ("Issuu", "https://issuu.com/iscience/docs/issue23", "issuu"),
    ("Scribd", "https://www.scribd.com/document/123/Titel", "scribd"),
    ("Kickstarter", "https://www.kickstarter.com/projects/abc/def", "kickstarter"),
    ("Mixcloud", "https://www.mixcloud.com/spartacus/party-time/", "mixcloud"),
    ("Speaker Deck", "https://speakerdeck.com/jpdesigns/the-wordpress-way", "speaker-deck"),
    ("SlideShare", "https://www.slideshare.net/haraldf/business-quotes", "slideshare"),
    ("Amazon", "https://read.amazon.com/kp/embed?asin=B00ABC", "amazon-kindle"),
    ("Animoto", "https://animoto.com/play/abc", "animoto"),
    ("Cloudup", "https://cloudup.com/abc", "cloudup"),
    ("SmugMug", "https://www.smugmug.com/gallery/n-abc", "smugmug"),
    ("VideoPress", "https://videopress.com/v/kUJmAcSf", "videopress"),
    ("Wolfram Cloud", "https://www.wolframcloud.com/obj/abc", "wolfram-cloud"),
    ("ReverbNation", "https://www.reverbnation.com/band/song", "reverbnation"),
    ("Anghami", "https://play.anghami.com/song/123", "anghami"),
    ("Screencast", "https://www.screencast.com/t/abc", "screencast"),
    (None, "https://www.canva.com/design/abc/view", "canva"),
    (None, "https://www.loom.com/share/abc", "loom"),
    (None, "https://blog.example.net/2023/05/ein-artikel/", "wordpress"),  # a WordPress site
]


def forms(url: str, slug: str) -> dict[str, str]:
    """The ways a WordPress 6 export carries an embed."""
    block = (
        f'<!-- wp:embed {{"url":"{url}","type":"rich","providerNameSlug":"{slug}","responsive":true}} -->\n'
        f'<figure class="wp-block-embed is-type-rich is-provider-{slug} wp-block-embed-{slug}">'
        f'<div class="wp-block-embed__wrapper">\n{url}\n</div></figure>\n<!-- /wp:embed -->'
    )
    return {
        "block": block,
        "block with caption": block.replace(
            "</div></figure>", '</div><figcaption class="wp-element-caption">Sehenswert</figcaption></figure>'
        ),
        "embed shortcode": f"Davor.\n\n[embed]{url}[/embed]\n\nDanach.",
        "own paragraph": f"Davor.\n\n{url}\n\nDanach.",
        "own line in a paragraph": f"Davor steht Text.\n{url}\nDanach auch.",
        "paragraph block": f"<!-- wp:paragraph -->\n<p>{url}</p>\n<!-- /wp:paragraph -->",
    }


class _TextOutsideLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.loose: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "a"

    def handle_endtag(self, tag):
        self.depth -= tag == "a"

    def handle_data(self, data):
        if not self.depth and ("http" in data or "www." in data):
            self.loose.append(data.strip())


def reader_body(wp_id: int) -> str:
    """The body as the post page shows it (two-click embeds expanded), without the page around."""
    post = LegacyItem.objects.get(kind="post", wp_id=wp_id).post
    return str(body_for_readers(post.body_html))


def post_body(client, wp_id: int) -> str:
    post = LegacyItem.objects.get(kind="post", wp_id=wp_id).post
    html = client.get(post.get_absolute_url()).content.decode()
    return html.split('<div class="post-body')[1].split("</article>")[0]


@pytest.fixture
def imported_embeds(run_import):
    items, expected = [], {}
    wp_id = 100
    for name, url, slug in PROVIDERS:
        for form, content in forms(url, slug).items():
            wp_id += 1
            items.append(Item(wp_id, title=f"{name} {form}", content=content))
            expected[wp_id] = (name, url, form)
    run_import(items=items)
    return expected


def test_no_embed_url_is_left_as_bare_text(client, imported_embeds):
    problems = []
    for wp_id, (name, url, form) in imported_embeds.items():
        body = reader_body(wp_id)
        parser = _TextOutsideLinks()
        parser.feed(body)
        two_click = "bw-embed" in body
        host = urlsplit(url).hostname.removeprefix("www.")
        card = 'class="wp-embed__link"' in body and f'<span class="wp-embed__provider">{name or host}' in body
        link = name is None and not form.startswith("block") and f'href="{url}"' in body
        if parser.loose or not (two_click or card or link):
            problems.append(f"{form} of {url}: loose text {parser.loose!r}, embed {two_click or card}")
    assert not problems, "\n".join(problems)


def cache_key(url: str, width: int) -> str:
    """WordPress's key for its oEmbed cache: md5 of the URL and the serialised default size."""
    height = min(-(-width * 3 // 2), 1000)
    return hashlib.md5(
        f'{url}a:2:{{s:5:"width";i:{width};s:6:"height";i:{height};}}'.encode(), usedforsecurity=False
    ).hexdigest()


def test_link_cards_carry_the_title_from_the_oembed_cache(client, run_import):
    url = "https://wordpress.tv/2023/01/01/matt-mullenweg-state-of-the-word/"
    cached = (
        '<iframe title="VideoPress Video Player" aria-label="State of the Word 2022" width="640" '
        'src="https://video.wordpress.com/embed/abc"></iframe>'
    )
    tweet = (
        '<blockquote class="twitter-tweet" data-width="550"><p lang="de" dir="ltr">Hallo &amp; Tschüss</p>'
        "&mdash; WordPress (@WordPress) "
        '<a href="https://twitter.com/WordPress/status/99?ref_src=twsrc%5Etfw">May 1, 2023</a></blockquote>'
    )
    wp_site = (
        '<blockquote class="wp-embedded-content" data-secret="x"><a href="https://blog.example.net/a/">'
        "Ein Artikel &#8211; mit Titel</a></blockquote>"
    )
    content = (
        f"Davor.\n\n{url}\n\nhttps://twitter.com/WordPress/likes\n\n"
        "https://blog.example.net/a/\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    meta = {
        f"_oembed_{cache_key(url, 640)}": cached,  # the theme's content width: 640
        f"_oembed_time_{cache_key(url, 640)}": "1700000000",
        f"_oembed_{cache_key('https://twitter.com/WordPress/likes', 640)}": tweet,
        "_oembed_9a2b3c4d5e6f708192a3b4c5d6e7f809": wp_site,  # found by the link inside
        "_oembed_8a2b3c4d5e6f708192a3b4c5d6e7f809": "{{unknown}}",
    }
    run_import(items=[Item(1, content=content, meta=meta)])
    body = post_body(client, 1)
    assert '<span class="wp-embed__title">State of the Word 2022</span>' in body
    assert '<span class="wp-embed__title">Ein Artikel – mit Titel</span>' in body
    assert "{{unknown}}" not in body and "<iframe" not in body and "<blockquote" not in body
