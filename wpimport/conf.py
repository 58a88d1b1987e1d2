"""Tunables of the WordPress importer, overridable in Django settings as ``WPIMPORT_<NAME>``."""

from django.conf import settings

DEFAULTS = {
    # Comments are written in bulk once this many have been read (bounds memory and queries).
    "COMMENT_BATCH_SIZE": 2000,
    # How many notes (password-protected posts, renamed slugs, …) the report lists in full.
    "REPORT_MAX_NOTES": 50,
}


class WpimportSettings:
    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, f"WPIMPORT_{name}", DEFAULTS[name])


wpimport_settings = WpimportSettings()
