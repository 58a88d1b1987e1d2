"""WordPress post content (block editor and classic) as the HTML this site stores.

WordPress saves most blocks as finished HTML between ``<!-- wp:name {attrs} -->`` comments
and renders a few (embeds, footnotes, social links, shortcodes) only when a page is shown.
``convert_content`` does once, on import, what WordPress does on every view: it walks the
block tree, keeps the saved HTML of static blocks, renders the dynamic ones into our own
markup, expands the media shortcodes (``[gallery]``, ``[audio]``, ``[video]``,
``[playlist]``, ``[embed]``, ``[caption]``) and turns third-party embeds into plain link
cards, so no reader's browser talks to YouTube & Co. before they choose to follow the link.
Written from WordPress's documented output, not from its code.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from django.utils.html import escape

from blog.embeds import match_provider
from blog.shortcodes import parse_attrs
from wpimport.markup import autop, captions_to_figures

# --- Attachments, as the converter sees them ----------------------------------------------


@dataclass
class Attachment:
    """An attachment of the export: its address, texts, parent post and local image if any."""

    wp_id: int
    url: str
    title: str = ""
    alt: str = ""
    caption: str = ""
    parent: int = 0
    image: object = None  # blog.models.Image when --media-dir found the file

    @property
    def kind(self) -> str:
        suffix = urlsplit(self.url).path.rpartition(".")[2].lower()
        if suffix in AUDIO_TYPES:
            return "audio"
        if suffix in VIDEO_TYPES:
            return "video"
        if suffix in {"jpg", "jpeg", "png", "gif", "webp", "avif", "svg"}:
            return "image"
        return "file"


AUDIO_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "oga": "audio/ogg",
               "wav": "audio/wav", "flac": "audio/flac", "wma": "audio/x-ms-wma"}  # fmt: skip
VIDEO_TYPES = {"mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "ogv": "video/ogg",
               "mov": "video/quicktime", "wmv": "video/x-ms-wmv", "flv": "video/x-flv"}  # fmt: skip


@dataclass
class Library:
    """The attachments known so far; ``missing`` records ids a body asked for but did not find."""

    by_id: dict[int, Attachment] = field(default_factory=dict)
    missing: set[int] = field(default_factory=set)

    def get(self, wp_id: int) -> Attachment | None:
        found = self.by_id.get(wp_id)
        if found is None:
            self.missing.add(wp_id)
        return found

    def children(self, parent: int, kind: str) -> list[Attachment]:
        return sorted(
            (a for a in self.by_id.values() if a.parent == parent and a.kind == kind), key=lambda a: a.wp_id
        )


@dataclass
class Conversion:
    """The result: HTML, notes for the import report, and whether the body used attachments or
    reusable blocks, which may come later in the file (then it is converted again at the end)."""

    html: str
    needs_whole_file: bool = False
    notes: list[str] = field(default_factory=list)


# --- Small HTML helpers -------------------------------------------------------------------

_ATTR = re.compile(r"""([a-zA-Z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_EMPTY_P = re.compile(r"<p(?:\s[^>]*)?>(?:\s|&nbsp;|&#160;|\xa0|<br\s*/?>)*</p>\s*", re.I)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.S | re.I)


def tag_attrs(tag: str) -> dict[str, str]:
    """Attributes of one start tag, entities decoded."""
    return {
        m.group(1).lower(): unescape(next(g for g in m.groups()[1:] if g is not None))
        for m in _ATTR.finditer(tag)
    }


def _attr(name: str, value) -> str:
    return f' {name}="{escape(value)}"' if value not in (None, "") else ""


def _int_list(value: str) -> list[int]:
    return [int(v) for v in re.split(r"[\s,]+", value or "") if v.isdigit()]


def _wp_image_id(attrs: dict[str, str]) -> int | None:
    if attrs.get("data-id", "").isdigit():
        return int(attrs["data-id"])
    match = re.search(r"\bwp-image-(\d+)\b", attrs.get("class", ""))
    return int(match.group(1)) if match else None


def _add_class(tag_html: str, tag: str, extra: str, *, when: str) -> str:
    """Add classes to every ``<tag class="… when …">`` start tag."""

    def add(match: re.Match) -> str:
        start = match.group(0)
        return re.sub(r'class="([^"]*)"', lambda m: f'class="{m.group(1)} {extra}"', start, count=1)

    return re.sub(rf'<{tag}\b[^>]*class="[^"]*\b{re.escape(when)}\b[^"]*"[^>]*>', add, tag_html)


# --- Media markup ---------------------------------------------------------------------------


def picture_img(*, src: str, alt: str, image=None, sizes: str = "(min-width: 768px) 33vw, 50vw") -> str:
    """An ``<img>``: the local copy with ``srcset`` when there is one, else the given address."""
    if image is not None and getattr(image, "renditions", None):
        srcset = image.srcset_fallback
        return (
            f'<img src="{escape(image.fallback_url)}"{_attr("srcset", srcset)}'
            f'{_attr("sizes", sizes if srcset else "")} alt="{escape(alt)}"'
            f'{_attr("width", image.width or "")}{_attr("height", image.height or "")} loading="lazy">'
        )
    return f'<img src="{escape(src)}" alt="{escape(alt)}" loading="lazy">'


@dataclass
class GalleryImage:
    src: str
    alt: str = ""
    caption: str = ""  # HTML
    link: str = ""
    image: object = None


def render_gallery(images: list[GalleryImage], *, columns: int = 3, caption: str = "") -> str:
    """A responsive grid of figures (see static/css/wp-blocks.css), or "" with no images."""
    if not images:
        return ""
    columns = min(max(columns, 1), 9)
    items = []
    for picture in images:
        img = picture_img(src=picture.src, alt=picture.alt, image=picture.image)
        if picture.link:
            img = f'<a href="{escape(picture.link)}">{img}</a>'
        figcaption = f"<figcaption>{picture.caption}</figcaption>" if picture.caption else ""
        items.append(f'<li class="wp-gallery__item"><figure>{img}{figcaption}</figure></li>')
    # A <div>, not a <figure>: each image's own figure is what the site makes responsive.
    figcaption = f'<p class="wp-gallery__caption">{caption}</p>' if caption else ""
    return (
        f'<div class="wp-gallery wp-gallery--columns-{columns}">'
        f'<ul class="wp-gallery__grid">{"".join(items)}</ul>{figcaption}</div>'
    )


def render_media(
    kind: str, sources: list[str], *, caption: str = "", poster: str = "", title: str = ""
) -> str:
    """``<audio>``/``<video>`` with controls, a ``<source>`` per file and a download link."""
    sources = [s for s in sources if s]
    if not sources:
        return ""
    types = AUDIO_TYPES if kind == "audio" else VIDEO_TYPES
    source_tags = "".join(
        f'<source src="{escape(src)}"{_attr("type", types.get(urlsplit(src).path.rpartition(".")[2].lower()))}>'
        for src in sources
    )
    poster_attr = _attr("poster", poster) if kind == "video" else ""
    name = title or unescape(urlsplit(sources[0]).path.rpartition("/")[2]) or sources[0]
    link = f'<a href="{escape(sources[0])}">{escape(name)}</a>'
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure class="wp-{kind}"><{kind} controls preload="metadata"{poster_attr}>{source_tags}{link}</{kind}>'
        f"{figcaption}</figure>"
    )


# Hosts WordPress embeds through oEmbed, with the provider name readers know.
EMBED_PROVIDERS = {
    "youtube.com": "YouTube", "youtu.be": "YouTube", "youtube-nocookie.com": "YouTube",
    "vimeo.com": "Vimeo", "twitter.com": "X (Twitter)", "x.com": "X (Twitter)",
    "instagram.com": "Instagram", "facebook.com": "Facebook", "fb.watch": "Facebook",
    "wordpress.tv": "WordPress.tv", "videopress.com": "VideoPress", "soundcloud.com": "SoundCloud",
    "spotify.com": "Spotify", "mixcloud.com": "Mixcloud", "flickr.com": "Flickr", "flic.kr": "Flickr",
    "dailymotion.com": "Dailymotion", "slideshare.net": "SlideShare", "speakerdeck.com": "Speaker Deck",
    "tiktok.com": "TikTok", "ted.com": "TED", "reddit.com": "Reddit", "tumblr.com": "Tumblr",
    "imgur.com": "Imgur", "issuu.com": "Issuu", "scribd.com": "Scribd", "kickstarter.com": "Kickstarter",
    "pinterest.com": "Pinterest", "pocketcasts.com": "Pocket Casts", "amazon.com": "Amazon",
    "crowdsignal.com": "Crowdsignal", "polldaddy.com": "Crowdsignal", "animoto.com": "Animoto",
    "cloudup.com": "Cloudup", "screencast.com": "Screencast", "smugmug.com": "SmugMug",
    "wolframcloud.com": "Wolfram Cloud", "bsky.app": "Bluesky", "pca.st": "Pocket Casts",
    "poll.fm": "Crowdsignal", "survey.fm": "Crowdsignal", "reverbnation.com": "ReverbNation",
    "anghami.com": "Anghami", "amzn.to": "Amazon", "a.co": "Amazon", "someecards.com": "someecards",
    "video.wordpress.com": "VideoPress", "threads.net": "Threads",
}  # fmt: skip

# Titles WordPress cached for the embeds of the post being converted (``_oembed_*`` meta).
_EMBED_TITLES: contextvars.ContextVar[EmbedTitles | None] = contextvars.ContextVar(
    "embed_titles", default=None
)

_GENERIC_TITLE = re.compile(r"player|embed|iframe|^video$|^audio$", re.I)
_IFRAME = re.compile(r"<iframe\b[^>]*>", re.I)
_IFRAME_TITLE = re.compile(r"\b(?:aria-label|title)=\"([^\"]+)\"", re.I)
_WP_EMBED_LINK = re.compile(
    r'<blockquote class="wp-embedded-content"[^>]*>\s*<a href="([^"]+)"[^>]*>(.*?)</a>', re.I | re.S
)


class EmbedTitles:
    """The titles in WordPress's oEmbed cache, found by the cache key WordPress computes.

    WordPress stores each embed's HTML as ``_oembed_<md5(url + serialize(attrs))>`` with the
    theme's content width in the attributes; the width is not in the export, so the usual
    range is tried (only for posts that have such meta)."""

    def __init__(self, meta: dict[str, str]):
        self.cached: dict[str, str] = {}
        self.by_url: dict[str, str] = {}
        for key, value in meta.items():
            if not key.startswith("_oembed_") or key.startswith("_oembed_time_"):
                continue
            title = self._title(value or "")
            if title:
                self.cached[key[len("_oembed_") :]] = title
            for url, text in _WP_EMBED_LINK.findall(value or ""):
                self.by_url[unescape(url)] = plain_title(text)

    @staticmethod
    def _title(html: str) -> str:
        for iframe in _IFRAME.findall(html):
            for candidate in _IFRAME_TITLE.findall(iframe):
                # "VideoPress Video Player" says nothing; the aria-label beside it may.
                text = plain_title(candidate)
                if text and not _GENERIC_TITLE.search(text):
                    return text[:200]
        found = _WP_EMBED_LINK.search(html)
        return plain_title(found.group(2))[:200] if found else ""

    def title_for(self, url: str) -> str:
        if url in self.by_url:
            return self.by_url[url]
        if not self.cached:
            return ""
        for width in range(100, 2001):
            attrs = f'a:2:{{s:5:"width";i:{width};s:6:"height";i:{min(-(-width * 3 // 2), 1000)};}}'
            key = hashlib.md5((url + attrs).encode(), usedforsecurity=False).hexdigest()
            if key in self.cached:
                return self.cached[key]
        return ""


def embed_provider(url: str) -> str | None:
    """The provider's name for an embeddable URL, or ``None``."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    while host:
        if host in EMBED_PROVIDERS:
            return EMBED_PROVIDERS[host]
        host = host.partition(".")[2]
    return None


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def render_embed(url: str, *, caption: str = "", provider: str | None = None) -> str:
    """Third-party content without loading it: a link alone in its paragraph, which the site's
    two-click embeds (``blog/embeds.py``) take over for the providers they know, else a link card
    with the provider's name (the host for sites WordPress discovered) and the title WordPress
    cached, when the export has it."""
    url = unescape(url.strip())
    if not _is_web_url(url):
        return f"<p>{escape(url)}</p>" if url else ""
    if match_provider(url):
        figcaption = f'<p class="wp-embed-caption">{caption}</p>' if caption else ""
        return f"<p>{escape(url)}</p>{figcaption}"
    provider = provider or embed_provider(url) or (urlsplit(url).hostname or "").removeprefix("www.")
    slug = re.sub(r"[^a-z0-9]+", "-", provider.lower()).strip("-")
    shown = re.sub(r"^https?://(www\.)?", "", url)
    if len(shown) > 70:
        shown = shown[:69] + "…"
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    titles = _EMBED_TITLES.get()
    title = titles.title_for(url) if titles else ""
    title_html = f'<span class="wp-embed__title">{escape(title)}</span> ' if title else ""
    return (
        f'<figure class="wp-embed wp-embed--{slug}"><a class="wp-embed__link" href="{escape(url)}">'
        f'<span class="wp-embed__provider">{escape(provider)}</span> {title_html}'
        f'<span class="wp-embed__url">{escape(shown)}</span></a>{figcaption}</figure>'
    )


# --- Shortcodes ---------------------------------------------------------------------------

_MEDIA_SHORTCODE = re.compile(
    r"(?:<p>\s*)?\[(?P<name>gallery|audio|video|playlist|embed)\b(?P<attrs>[^\]]*)\]"
    r"(?:(?P<inner>(?:(?!\[(?P=name)\b).)*?)\[/(?P=name)\])?(?:\s*</p>)?",
    re.S | re.I,
)


class _Shortcodes:
    def __init__(self, library: Library, post_wp_id: int | None, conversion: Conversion):
        self.library = library
        self.post_wp_id = post_wp_id
        self.conversion = conversion

    def __call__(self, match: re.Match) -> str:
        name = match.group("name").lower()
        _args, kwargs = parse_attrs(match.group("attrs") or "")
        inner = match.group("inner") or ""
        out = getattr(self, name)(kwargs, inner)
        # A shortcode inside running text (not alone in its paragraph) keeps the paragraph open.
        text = match.group(0)
        if text.startswith("<p") and not text.rstrip().endswith("</p>"):
            out = f"{out}<p>"
        elif not text.startswith("<p") and text.rstrip().endswith("</p>"):
            out = f"</p>{out}"
        return out

    def attachments(self, kwargs: dict[str, str], kind: str) -> list[Attachment]:
        self.conversion.needs_whole_file = True
        ids = _int_list(kwargs.get("ids") or kwargs.get("include", ""))
        if ids:
            found = [a for a in (self.library.get(i) for i in ids) if a is not None]
        else:
            parent = int(kwargs["id"]) if kwargs.get("id", "").isdigit() else self.post_wp_id
            found = self.library.children(parent or 0, kind) if parent else []
        exclude = set(_int_list(kwargs.get("exclude", "")))
        return [a for a in found if a.wp_id not in exclude]

    def gallery(self, kwargs, inner):
        columns = int(kwargs["columns"]) if kwargs.get("columns", "").isdigit() else 3
        link = kwargs.get("link", "")
        images = []
        for attachment in self.attachments(kwargs, "image"):
            if attachment.kind != "image":
                continue
            target = ""
            if link == "file":
                target = attachment.image.fallback_url if attachment.image is not None else attachment.url
            images.append(
                GalleryImage(
                    src=attachment.url,
                    alt=attachment.alt or attachment.title,
                    caption=escape(attachment.caption),
                    link=target,
                    image=attachment.image,
                )
            )
        if not images:
            self.conversion.notes.append("a [gallery] found none of its images in the export")
        return render_gallery(images, columns=columns)

    def _media(self, kind, kwargs, inner):
        types = AUDIO_TYPES if kind == "audio" else VIDEO_TYPES
        sources = [kwargs["src"]] if kwargs.get("src") else []
        sources += [kwargs[ext] for ext in types if kwargs.get(ext)]
        if not sources and inner.strip() and _is_web_url(inner.strip()):
            sources = [inner.strip()]
        if not sources:
            self.conversion.notes.append(f"a [{kind}] without a file was left out")
        if sources and embed_provider(sources[0]):  # [video src="https://youtu.be/…"]
            return render_embed(sources[0])
        return render_media(kind, list(dict.fromkeys(sources)), poster=kwargs.get("poster", ""))

    def audio(self, kwargs, inner):
        return self._media("audio", kwargs, inner)

    def video(self, kwargs, inner):
        return self._media("video", kwargs, inner)

    def playlist(self, kwargs, inner):
        kind = "video" if kwargs.get("type") == "video" else "audio"
        tracks = [a for a in self.attachments(kwargs, kind) if a.kind == kind]
        if not tracks:
            self.conversion.notes.append("a [playlist] found none of its files in the export")
            return ""
        items = "".join(
            f"<li>{render_media(kind, [a.url], caption=escape(a.title or a.caption), title=a.title)}</li>"
            for a in tracks
        )
        return f'<div class="wp-playlist wp-playlist--{kind}"><ol>{items}</ol></div>'

    def embed(self, kwargs, inner):
        url = inner.strip() or kwargs.get("src", "") or kwargs.get("url", "")
        return render_embed(re.sub(r"<[^>]+>", "", url))


def expand_shortcodes(html: str, *, library: Library, post_wp_id: int | None, conversion: Conversion) -> str:
    """Media shortcodes to markup; ``[caption]`` to figures."""
    if "[" not in html:
        return html
    html = _MEDIA_SHORTCODE.sub(_Shortcodes(library, post_wp_id, conversion), html)
    return captions_to_figures(html)


# Players pasted as HTML (iframes, old Flash objects): sanitising would drop them without a trace.
_PLAYER = re.compile(
    r"(?:<p>\s*)?(?:<object\b[^>]*>.*?</object>|<iframe\b[^>]*>.*?</iframe>|<iframe\b[^>]*/>|<embed\b[^>]*>)(?:\s*</p>)?",
    re.S | re.I,
)
_PLAYER_SRC = re.compile(r"""\b(?:src|data|value)\s*=\s*["']([^"']+)["']""", re.I)
_YOUTUBE_ID = re.compile(r"youtube(?:-nocookie)?\.com/(?:embed|v)/([\w-]{6,20})")
_VIMEO_ID = re.compile(r"player\.vimeo\.com/video/(\d+)")


def player_url(src: str) -> str:
    """The page a pasted player shows: ``youtube.com/embed/ID`` → its watch page, and so on."""
    src = unescape(src.strip())
    if src.startswith("//"):
        src = "https:" + src
    if match := _YOUTUBE_ID.search(src):
        return f"https://www.youtube.com/watch?v={match.group(1)}"
    if match := _VIMEO_ID.search(src):
        return f"https://vimeo.com/{match.group(1)}"
    return src


def _player(match: re.Match) -> str:
    sources = [player_url(m.group(1)) for m in _PLAYER_SRC.finditer(match.group(0))]
    url = next((u for u in sources if _is_web_url(u)), "")
    text = match.group(0)
    out = render_embed(url) if url else ""
    if text.startswith("<p") and not text.rstrip().endswith("</p>"):
        out = f"{out}<p>"
    elif not text.startswith("<p") and text.rstrip().endswith("</p>"):
        out = f"</p>{out}"
    return out


# A paragraph holding nothing but a URL: WordPress's auto-embed, or a link at least.
_URL_PARAGRAPH = re.compile(r"<p>\s*(https?://[^\s<>\"]+)\s*</p>", re.I)
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"\[\]]+)[ \t]*$", re.M)


def _url_line(match: re.Match) -> str:
    """A URL on its own line of classic text: WordPress embeds it (its own paragraph then) or,
    for sites it cannot embed, at least links it."""
    url = unescape(match.group(1))
    if embed_provider(url) or match_provider(url) or _embedded_by_wordpress(url):
        return f"\n\n{match.group(1)}\n\n"
    return f'<a href="{escape(url)}">{escape(url)}</a>'


def _embedded_by_wordpress(url: str) -> bool:
    """WordPress cached an oEmbed answer for this URL (a site it discovered): a card, too."""
    titles = _EMBED_TITLES.get()
    return bool(titles and titles.title_for(url))


def _url_paragraph(match: re.Match) -> str:
    url = unescape(match.group(1))
    if embed_provider(url) or _embedded_by_wordpress(url):
        return render_embed(url)
    return f'<p><a href="{escape(url)}">{escape(url)}</a></p>'


# --- Blocks -------------------------------------------------------------------------------

_DELIMITER = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+"
    r"(?P<attrs>\{.*?\}\s+)?(?P<void>/)?-->",
    re.S,
)


@dataclass
class Block:
    name: str
    attrs: dict
    parts: list = field(default_factory=list)  # str (saved HTML) and Block


def parse_blocks(text: str) -> list:
    """The block tree: a list of ``Block`` and, between them, freeform (classic) strings."""
    root = Block("root", {})
    stack = [root]
    last = 0
    for match in _DELIMITER.finditer(text):
        if match.start() > last:
            stack[-1].parts.append(text[last : match.start()])
        last = match.end()
        name = match.group("name")
        if "/" not in name:
            name = f"core/{name}"
        if match.group("closer"):
            # Close up to the matching opener; a stray closer is ignored, as WordPress does.
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].name == name:
                    del stack[depth:]
                    break
            continue
        try:
            attrs = json.loads(match.group("attrs")) if match.group("attrs") else {}
        except ValueError:
            attrs = {}
        block = Block(name, attrs if isinstance(attrs, dict) else {})
        stack[-1].parts.append(block)
        if not match.group("void"):
            stack.append(block)
    if last < len(text):
        stack[-1].parts.append(text[last:])
    return root.parts


# Blocks WordPress renders from the database on every view: nothing of them is in the export.
DYNAMIC_BLOCKS = {
    "core/archives", "core/calendar", "core/categories", "core/latest-comments", "core/latest-posts",
    "core/rss", "core/search", "core/tag-cloud", "core/page-list", "core/navigation", "core/query",
    "core/post-title", "core/post-content", "core/post-date", "core/post-excerpt", "core/loginout",
    "core/site-title", "core/site-logo", "core/site-tagline", "core/avatar", "core/comments",
    "core/home-link", "core/post-featured-image", "core/template-part", "core/pattern",
}  # fmt: skip


class _BlockRenderer:
    def __init__(self, converter: _Converter):
        self.c = converter

    def render_parts(self, parts: list, *, top: bool = False) -> str:
        """Blocks rendered; text between them is saved HTML, or classic text at the top level."""
        out = []
        for part in parts:
            if isinstance(part, Block):
                out.append(self.render(part))
            elif part.strip():
                out.append(self.c.classic(part) if top else part)
        return ("\n\n" if top else "").join(o.strip() if top else o for o in out if o and o.strip())

    def render(self, block: Block) -> str:
        handler = getattr(
            self, "block_" + block.name.replace("core/", "").replace("/", "_").replace("-", "_"), None
        )
        if block.name.startswith("core-embed/"):
            handler = self.block_embed
        if handler is None and block.name in DYNAMIC_BLOCKS:
            self.c.conversion.notes.append(f"the dynamic block {block.name} has no saved content; left out")
            return ""
        inner = self.render_parts(block.parts) if handler is not self.block_html else ""
        if handler is not None:
            return handler(block, inner)
        if not inner.strip() and block.name.split("/")[0] != "core":
            self.c.conversion.notes.append(f"the block {block.name} has no saved content; left out")
        return inner

    # Saved HTML is used as it is, only a few blocks need help.

    def block_html(self, block, inner):
        return "".join(p for p in block.parts if isinstance(p, str))

    def block_freeform(self, block, inner):
        return autop(inner)

    def block_paragraph(self, block, inner):
        return inner

    def block_shortcode(self, block, inner):
        text = "".join(p for p in block.parts if isinstance(p, str)).strip()
        return self.c.shortcodes(autop(text))

    def block_more(self, block, inner):
        return ""

    block_nextpage = block_more

    def block_button(self, block, inner):
        style = (
            "btn-outline-primary" if "is-style-outline" in block.attrs.get("className", "") else "btn-primary"
        )
        return _add_class(inner, "a", f"btn {style}", when="wp-block-button__link")

    def block_file(self, block, inner):
        inner = re.sub(r"<object\b.*?</object>", "", inner, flags=re.S | re.I)
        return _add_class(inner, "a", "btn btn-outline-secondary btn-sm", when="wp-block-file__button")

    def block_cover(self, block, inner):
        url = block.attrs.get("url", "")
        if url and "wp-block-cover__image-background" not in inner and "<video" not in inner:
            # Old covers keep their picture in a style attribute, which sanitising removes.
            img = f'<img class="wp-block-cover__image-background" src="{escape(url)}" alt="">'
            inner = re.sub(r"(<div\b[^>]*>)", rf"\1{img}", inner, count=1)
        return inner

    def block_embed(self, block, inner):
        url = block.attrs.get("url", "")
        if not url:
            wrapper = re.search(r"wp-block-embed__wrapper[^>]*>(.*?)</div>", inner, re.S)
            url = re.sub(r"<[^>]+>", "", wrapper.group(1)).strip() if wrapper else ""
        caption = _FIGCAPTION.search(inner)
        # The block's providerNameSlug names WordPress sites by their own slug: the host says more.
        provider = embed_provider(unescape(url))
        return render_embed(url, caption=caption.group(1).strip() if caption else "", provider=provider)

    def block_gallery(self, block, inner):
        images = []
        for figure in re.finditer(r"<img\b[^>]*>", inner, re.I):
            attrs = tag_attrs(figure.group(0))
            wp_id = _wp_image_id(attrs)
            # The figure around this image may carry a caption of its own.
            after = inner[figure.end() :]
            own = re.match(r"\s*(?:</a>)?\s*<figcaption\b[^>]*>(.*?)</figcaption>", after, re.S | re.I)
            link = re.search(r'<a\b[^>]*href="([^"]*)"[^>]*>\s*$', inner[: figure.start()], re.I)
            attachment = self.c.library.by_id.get(wp_id) if wp_id else None
            if wp_id and attachment is None:
                self.c.conversion.needs_whole_file = True  # it may come later in the file
            images.append(
                GalleryImage(
                    src=attrs.get("src", ""),
                    alt=attrs.get("alt", "") or (attachment.alt if attachment else ""),
                    caption=own.group(1).strip() if own else "",
                    link=unescape(link.group(1)) if link else "",
                    image=attachment.image if attachment else None,
                )
            )
        if not images and block.attrs.get("ids"):
            return self.c.shortcodes(f'<p>[gallery ids="{",".join(map(str, block.attrs["ids"]))}"]</p>')
        caption = re.search(
            r'<figcaption class="[^"]*blocks-gallery-caption[^"]*"[^>]*>(.*?)</figcaption>', inner, re.S
        )
        columns = block.attrs.get("columns") or min(len(images), 3) or 3
        return render_gallery(
            images,
            columns=int(columns) if str(columns).isdigit() else 3,
            caption=caption.group(1) if caption else "",
        )

    def block_footnotes(self, block, inner):
        self.c.footnotes_placed = True
        return self.c.footnote_list()

    def block_social_link(self, block, inner):
        url = block.attrs.get("url", "")
        if not _is_web_url(url) and not url.startswith("mailto:"):
            return ""
        label = block.attrs.get("label") or block.attrs.get("service", "").replace("-", " ").title() or url
        return f'<li class="wp-social-link"><a href="{escape(url)}">{escape(label)}</a></li>'

    def block_social_links(self, block, inner):
        links = "".join(re.findall(r'<li class="wp-social-link">.*?</li>', inner, re.S))
        return f'<ul class="wp-block-social-links">{links}</ul>' if links else ""

    def block_block(self, block, inner):
        ref = block.attrs.get("ref")
        reusable = self.c.reusable.get(ref) if isinstance(ref, int) else None
        self.c.conversion.needs_whole_file = True
        if reusable is None:
            self.c.conversion.notes.append(f"the reusable block {ref} is not in the export; left out")
            return ""
        return self.render_parts(parse_blocks(reusable), top=True)


# --- Footnotes ----------------------------------------------------------------------------

_FOOTNOTE_REF = re.compile(
    r'<sup\b[^>]*data-fn="(?P<id>[^"]+)"[^>]*>\s*<a\b[^>]*>(?P<label>.*?)</a>\s*</sup>', re.S | re.I
)


def _fn_id(value: str) -> str:
    return "fn-" + re.sub(r"[^A-Za-z0-9_-]", "", value)[:64]


class _Converter:
    def __init__(self, library, post_wp_id, footnotes, reusable):
        self.library = library
        self.post_wp_id = post_wp_id
        self.conversion = Conversion("")
        self.footnotes = footnotes
        self.footnotes_placed = False
        self.reusable = reusable

    def classic(self, text: str) -> str:
        return autop(text)

    def shortcodes(self, html: str) -> str:
        return expand_shortcodes(
            html, library=self.library, post_wp_id=self.post_wp_id, conversion=self.conversion
        )

    def footnote_list(self) -> str:
        if not self.footnotes:
            return ""
        items = "".join(
            f'<li id="{_fn_id(note["id"])}">{note.get("content", "")} '
            f'<a href="#{_fn_id(note["id"])}-ref" title="↑">↩︎</a></li>'
            for note in self.footnotes
        )
        return f'<ol class="wp-block-footnotes">{items}</ol>'

    def link_footnotes(self, html: str) -> str:
        def ref(match: re.Match) -> str:
            anchor = _fn_id(unescape(match.group("id")))
            return f'<sup class="fn" id="{anchor}-ref"><a href="#{anchor}">{match.group("label")}</a></sup>'

        return _FOOTNOTE_REF.sub(ref, html)


def parse_footnotes(value: str) -> list[dict]:
    """The ``footnotes`` post meta WordPress 6.3+ writes: ``[{"id": …, "content": …}]``."""
    try:
        notes = json.loads(value or "[]")
    except ValueError:
        return []
    if not isinstance(notes, list):
        return []
    return [n for n in notes if isinstance(n, dict) and isinstance(n.get("id"), str) and n["id"]]


def convert_content(
    text: str,
    *,
    library: Library | None = None,
    post_wp_id: int | None = None,
    footnotes: str = "",
    reusable: dict[int, str] | None = None,
    meta: dict[str, str] | None = None,
) -> Conversion:
    """A post body from the export as our HTML: blocks rendered, shortcodes expanded, no debris.

    ``meta`` is the item's post meta; WordPress's oEmbed cache in it gives link cards titles."""
    oembed = {k: v for k, v in (meta or {}).items() if k.startswith("_oembed_")}
    token = _EMBED_TITLES.set(EmbedTitles(oembed) if oembed else None)
    try:
        return _convert(text, library, post_wp_id, footnotes, reusable)
    finally:
        _EMBED_TITLES.reset(token)


def _convert(text, library, post_wp_id, footnotes, reusable) -> Conversion:
    converter = _Converter(library or Library(), post_wp_id, parse_footnotes(footnotes), reusable or {})
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<!-- wp:" in text:
        html = _BlockRenderer(converter).render_parts(parse_blocks(text), top=True)
        html = converter.shortcodes(html)
    else:
        if "http" in text:
            text = _URL_LINE.sub(_url_line, text)
        html = converter.shortcodes(autop(text))
    html = _COMMENT.sub("", html)
    if "<iframe" in html or "<object" in html or "<embed" in html:
        html = _PLAYER.sub(_player, html)
    html = _URL_PARAGRAPH.sub(_url_paragraph, html)
    html = converter.link_footnotes(html)
    if converter.footnotes and not converter.footnotes_placed:
        html = f"{html}\n\n{converter.footnote_list()}"
    html = _EMPTY_P.sub("", html)
    converter.conversion.html = html.strip() + "\n" if html.strip() else ""
    return converter.conversion


def plain_title(value: str) -> str:
    """A title as plain text: WordPress allows markup in titles, our templates escape it."""
    text = re.sub(r"<[^>]*>", "", value or "")
    return re.sub(r"\s+", " ", unescape(text)).strip()
