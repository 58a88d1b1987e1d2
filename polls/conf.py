"""Tunables of the polls app, overridable in Django settings as ``POLLS_<NAME>``."""

from core.conf import AppSettings

DEFAULTS = {
    # Vote requests per IP address and window (seconds), counted in the shared cache.
    "VOTE_RATE_LIMIT": 30,
    "VOTE_RATE_WINDOW": 60,
    # The browser's voter token and the list of polls it voted in.
    "VOTER_COOKIE": "bw_voter",
    "VOTED_COOKIE": "bw_voted",
    "COOKIE_MAX_AGE": 2 * 365 * 24 * 60 * 60,
    "VOTED_COOKIE_MAX_POLLS": 60,
    # Networks that share one address (school, office) and skip the IP rule of every poll.
    "IP_ALLOWLIST": (),
    "POLLS_PER_PAGE": 20,
    # How often the results bars refresh themselves in the browser (seconds; 0: never).
    "LIVE_REFRESH_SECONDS": 20,
    "SIDEBAR_CACHE_SECONDS": 300,
}


polls_settings = AppSettings("POLLS", DEFAULTS)
