"""Tunables: one ``AppSettings`` class for every app, and the ones ``core`` itself reads."""

from django.conf import settings


class AppSettings:
    """An app's tunables: ``<PREFIX>_<NAME>`` from Django settings, else the app's default."""

    def __init__(self, prefix: str, defaults: dict):
        self._prefix = prefix
        self._defaults = defaults

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._defaults:
            raise AttributeError(name)
        return getattr(settings, f"{self._prefix}_{name}", self._defaults[name])


core_settings = AppSettings(
    "CORE",
    {
        # Sign-in attempts to the admin, counted in the shared cache.
        "LOGIN_ATTEMPTS_PER_IP": 10,
        "LOGIN_ATTEMPTS_PER_USER": 20,
        "LOGIN_WINDOW": 15 * 60,
        # Captcha: how long a task stays valid, and how many new tasks and texts, and how many
        # pictures (one per page view: readers behind one NAT address share it) one address
        # may fetch per window.
        "CAPTCHA_MAX_AGE": 2 * 60 * 60,
        "CAPTCHA_FETCHES_PER_IP": 120,
        "CAPTCHA_IMAGES_PER_IP": 1200,
        "CAPTCHA_FETCH_WINDOW": 10 * 60,
        # Page cache: copies of cached pages each process keeps (served while nothing has
        # changed anywhere, see core.pagecache), at most this many bytes and pages per process.
        "PAGECACHE_LOCAL_BYTES": 32 * 1024 * 1024,
        "PAGECACHE_LOCAL_PAGES": 2000,
    },
)
