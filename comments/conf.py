"""Tunables of the comments app, overridable in Django settings as ``COMMENTS_<NAME>``.

What moderators change day to day (approval policy, keywords, depth, closing) lives in the
``ModerationSettings`` record in the admin instead.
"""

from core.conf import AppSettings

DEFAULTS = {
    "MAX_DEPTH": 5,  # default for the settings record: levels of nesting, 1 = no threading
    "PAGE_SIZE": 50,  # top-level threads per page
    "NEWEST_FIRST": False,
    "EDIT_WINDOW_MINUTES": 15,
    "MIN_SUBMIT_SECONDS": 3,
    "FLOOD_LIMIT": 5,  # comments per IP …
    "FLOOD_WINDOW": 60,  # … in this many seconds
    "REPORT_LIMIT": 10,  # reports per IP and hour
    "MAX_NAME_LENGTH": 100,
    "MAX_BODY_LENGTH": 10_000,
    "IP_RETENTION_DAYS": 30,
    "FEED_ITEMS": 30,
    "MODERATION_MAIL_INTERVAL": 10 * 60,  # at most one "comments wait" mail per interval
    "MODERATION_LINK_MAX_AGE": 14 * 24 * 60 * 60,
    "SUBSCRIPTION_CONFIRM_MAX_AGE": 7 * 24 * 60 * 60,
    "REMEMBER_COOKIE": "comment_author",
    "REMEMBER_COOKIE_AGE": 365 * 24 * 60 * 60,
}


comments_settings = AppSettings("COMMENTS", DEFAULTS)
