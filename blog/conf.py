"""Tunables of the blog app, overridable in Django settings as ``BLOG_<NAME>``."""

from django.conf import settings

DEFAULTS = {
    "POSTS_PER_PAGE": 10,
    "RELATED_POSTS": 3,
    "FEED_ITEMS": 20,
    "IMAGE_MAX_BYTES": 10 * 1024 * 1024,
    "IMAGE_MAX_PIXELS": 40_000_000,
    "IMAGE_WIDTHS": (480, 800, 1200, 1600),
    "SHARE_COUNT_WINDOW": 24 * 60 * 60,
    # Sign-in attempts to the admin, counted in the shared cache.
    "LOGIN_ATTEMPTS_PER_IP": 10,
    "LOGIN_ATTEMPTS_PER_USER": 20,
    "LOGIN_WINDOW": 15 * 60,
}


class AppSettings:
    """An app's tunables: ``<PREFIX>_<NAME>`` from Django settings, else the app's default."""

    def __init__(self, prefix: str, defaults: dict):
        self._prefix = prefix
        self._defaults = defaults

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._defaults:
            raise AttributeError(name)
        return getattr(settings, f"{self._prefix}_{name}", self._defaults[name])


blog_settings = AppSettings("BLOG", DEFAULTS)
