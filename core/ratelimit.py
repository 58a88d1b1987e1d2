"""Fixed-window rate limits counted in the shared cache (Redis in production).

Every process behind the proxy counts into the same keys, so a limit holds for the whole
site. When the cache cannot be reached the answer is ``Decision.UNKNOWN`` and the caller
decides what is safe: hold a comment for moderation, refuse a vote with a message, ….
"""

from __future__ import annotations

import enum
import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.clients import client_ip, ip_hash
from core.conf import core_settings

logger = logging.getLogger(__name__)


class Decision(enum.Enum):
    ALLOWED = "allowed"
    LIMITED = "limited"
    UNKNOWN = "unknown"  # the cache did not answer


def hit(scope: str, key: str, *, limit: int, window: int) -> Decision:
    """Count one event for ``key`` in ``scope``; LIMITED once more than ``limit`` fall in ``window`` s."""
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return Decision.ALLOWED
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    try:
        added = cache.add(cache_key, 1, timeout=window + 5)
        if added is None:  # django-redis swallowed a connection error
            return Decision.UNKNOWN
        if added:
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.add(cache_key, 1, timeout=window + 5)
                count = 1
        if count is None:
            return Decision.UNKNOWN
    except Exception:
        logger.warning("rate limit cache unavailable for %s", scope, exc_info=True)
        return Decision.UNKNOWN
    return Decision.LIMITED if count > limit else Decision.ALLOWED


def too_many_requests(request, *, retry_after: int = 60, message: str = ""):
    """The friendly 429 page."""
    response = render(request, "429.html", {"message": message, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limit_login_attempts(view):
    """Refuse sign-in attempts past a limit per address and per user name (429).

    Counted on every POST, successful or not; a cache outage lets sign-ins through, since
    locking every editor out is worse than slower brute force against hashed passwords.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            window = core_settings.LOGIN_WINDOW
            username = (request.POST.get("username") or "").strip().lower()[:150]
            decisions = {
                hit(
                    "login-ip",
                    ip_hash(client_ip(request))[:32],
                    limit=core_settings.LOGIN_ATTEMPTS_PER_IP,
                    window=window,
                ),
                hit(
                    "login-user",
                    hashlib.sha256(username.encode()).hexdigest()[:32],
                    limit=core_settings.LOGIN_ATTEMPTS_PER_USER,
                    window=window,
                ),
            }
            if Decision.LIMITED in decisions:
                logger.warning("admin sign-in limited for %s", client_ip(request))
                return too_many_requests(
                    request,
                    retry_after=window,
                    message=_("Too many sign-in attempts. Please wait a quarter of an hour and try again."),
                )
        return view(request, *args, **kwargs)

    return wrapper
