"""Tunables of the blog app, overridable in Django settings as ``BLOG_<NAME>``."""

from core.conf import AppSettings

DEFAULTS = {
    "POSTS_PER_PAGE": 10,
    "RELATED_POSTS": 3,
    "FEED_ITEMS": 20,
    "IMAGE_MAX_BYTES": 10 * 1024 * 1024,
    "IMAGE_MAX_PIXELS": 40_000_000,
    "IMAGE_WIDTHS": (480, 800, 1200, 1600),
    "SHARE_COUNT_WINDOW": 24 * 60 * 60,
    # The language posts, pages, comments and polls are written in: marked with ``lang`` on
    # that content when readers use the interface in another language.
    "CONTENT_LANGUAGE": "de",
}


blog_settings = AppSettings("BLOG", DEFAULTS)
