"""Privacy-friendly embeds ("Zwei-Klick-Lösung") for links on their own line.

On save, a paragraph that holds nothing but a YouTube, Vimeo, Mastodon, X, Instagram or
SoundCloud address (or WordPress's ``[embed]URL[/embed]``) becomes an empty marker
``<figure class="bw-embed" data-provider="…" data-url="…"></figure>`` in the stored HTML.
For readers, :func:`expand_embeds` turns each marker into a placeholder in their language:
the provider's name, a link to the original and a button that loads the frame
(``static/blog/embeds.js``). Nothing is requested from the provider before that click, and
the Content-Security-Policy allows frames only from the hosts in :func:`frame_hosts`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    pattern: re.Pattern
    frame: str  # iframe URL template, filled from the pattern's groups and ``url``
    frame_host: str | None  # None: the host of the link itself (Mastodon instances)
    ratio: str  # "video" (16:9), "audio" or "post"


PROVIDERS = [
    Provider(
        "youtube",
        "YouTube",
        re.compile(
            r"^https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:.*&)?v=|shorts/|embed/)|youtu\.be/)"
            r"(?P<id>[\w-]{11})(?:[?&#].*)?$"
        ),
        "https://www.youtube-nocookie.com/embed/{id}",
        "www.youtube-nocookie.com",
        "video",
    ),
    Provider(
        "vimeo",
        "Vimeo",
        re.compile(r"^https?://(?:www\.)?vimeo\.com/(?P<id>\d+)(?:[/?#].*)?$"),
        "https://player.vimeo.com/video/{id}?dnt=1",
        "player.vimeo.com",
        "video",
    ),
    Provider(
        "soundcloud",
        "SoundCloud",
        re.compile(r"^https?://(?:www\.)?soundcloud\.com/[\w-]+/[\w-]+(?:/[\w-]+)?/?$"),
        "https://w.soundcloud.com/player/?url={quoted}",
        "w.soundcloud.com",
        "audio",
    ),
    Provider(
        "x",
        "X",
        re.compile(r"^https?://(?:www\.)?(?:x|twitter)\.com/\w+/status/(?P<id>\d+)(?:[/?#].*)?$"),
        "https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
        "platform.twitter.com",
        "post",
    ),
    Provider(
        "instagram",
        "Instagram",
        re.compile(r"^https?://(?:www\.)?instagram\.com/(?:p|reel)/(?P<id>[\w-]+)/?(?:[?#].*)?$"),
        "https://www.instagram.com/p/{id}/embed/",
        "www.instagram.com",
        "post",
    ),
    Provider(
        "mastodon",
        "Mastodon",
        re.compile(r"^https://(?P<host>[a-z0-9.-]+\.[a-z]{2,})/@(?P<user>[\w.]+)/(?P<id>\d+)/?$", re.I),
        "https://{host}/@{user}/{id}/embed",
        None,
        "post",
    ),
]
BY_KEY = {provider.key: provider for provider in PROVIDERS}


def mastodon_hosts() -> list[str]:
    """Mastodon instances whose posts may load in a frame (``EMBED_MASTODON_HOSTS``)."""
    return list(getattr(settings, "EMBED_MASTODON_HOSTS", ["mastodon.social"]))


def frame_hosts(mastodon: list[str] | None = None) -> list[str]:
    """Every origin the Content-Security-Policy lets frames load from: embed players only."""
    fixed = [provider.frame_host for provider in PROVIDERS if provider.frame_host]
    extra = mastodon_hosts() if mastodon is None else mastodon
    return [f"https://{host}" for host in [*fixed, *extra]]


def match_provider(url: str) -> tuple[Provider, re.Match] | None:
    for provider in PROVIDERS:
        match = provider.pattern.match(url)
        if match:
            return provider, match
    return None


def frame_url(provider: Provider, match: re.Match, url: str) -> str | None:
    """The address of the provider's player, or None where the CSP would block it."""
    groups = match.groupdict()
    if provider.frame_host is None and groups.get("host", "").lower() not in mastodon_hosts():
        return None
    return provider.frame.format(quoted=quote(url, safe=""), **groups)


_LINK_LINE = re.compile(
    r"<p>\s*(?:\[embed\]\s*)?(?:<a href=\"(?P<href>[^\"]+)\"[^>]*>(?P<text>[^<]+)</a>|(?P<bare>https?://[^\s<\"\[]+))"
    r"\s*(?:\[/embed\])?\s*</p>"
)


def embed_placeholders(value: str) -> str:
    """Turn paragraphs holding only a provider link into embed markers (on save)."""
    if "http" not in value:
        return value

    def replace(match: re.Match) -> str:
        if match.group("href") is not None:
            url = html.unescape(match.group("href"))
            if html.unescape(match.group("text")).strip() != url:
                return match.group(0)  # a link with its own words is prose, not an embed
        else:
            url = html.unescape(match.group("bare"))
        found = match_provider(url)
        if not found:
            return match.group(0)
        return format_html(
            '<figure class="bw-embed" data-provider="{}" data-url="{}"></figure>', found[0].key, url
        )

    return _LINK_LINE.sub(replace, value)


_MARKER = re.compile(
    r'<figure class="bw-embed" data-provider="(?P<key>\w+)" data-url="(?P<url>[^"]+)"></figure>'
)


def expand_embeds(value: str) -> str:
    """Markers to two-click placeholders in the reader's language (at read time)."""
    if "bw-embed" not in value:
        return value

    def replace(match: re.Match) -> str:
        provider = BY_KEY.get(match.group("key"))
        url = html.unescape(match.group("url"))
        found = match_provider(url) if provider else None
        if not found:
            return format_html('<p><a href="{}" rel="nofollow noopener">{}</a></p>', url, url)
        provider, pattern_match = found
        src = frame_url(provider, pattern_match, url)
        host = urlsplit(url).hostname or provider.name
        name = provider.name
        open_link = format_html(
            '<a href="{}" rel="nofollow noopener" target="_blank">{}<span class="visually-hidden"> {}</span></a>',
            url,
            _("Open at %(provider)s") % {"provider": name},
            _("(opens in a new tab)"),
        )
        if src is None:
            return format_html(
                '<figure class="bw-embed bw-embed-{}"><div class="bw-embed-consent">'
                '<p class="bw-embed-provider">{}</p><p>{}</p></div></figure>',
                provider.ratio,
                f"{name} ({host})",
                open_link,
            )
        return format_html(
            '<figure class="bw-embed bw-embed-{}" data-embed-src="{}" data-embed-title="{}">'
            '<div class="bw-embed-consent"><p class="bw-embed-provider">{}</p>'
            '<p class="bw-embed-note">{}</p>'
            '<p><button type="button" class="btn btn-primary bw-embed-load">{}</button> {}</p>'
            "</div></figure>",
            provider.ratio,
            src,
            _("Content from %(provider)s") % {"provider": name},
            name,
            _("Loading it sends data such as your IP address to %(provider)s; see our privacy policy.")
            % {"provider": name},
            _("Load content from %(provider)s") % {"provider": name},
            open_link,
        )

    return _MARKER.sub(replace, value)
