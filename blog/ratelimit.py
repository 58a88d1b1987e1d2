"""Fixed-window rate limits counted in the shared cache (Redis in production).

Every process behind the proxy counts into the same keys, so a limit holds for the whole
site. When the cache cannot be reached the answer is ``Decision.UNKNOWN`` and the caller
decides what is safe: hold a comment for moderation, refuse a vote with a message, ….
"""

from __future__ import annotations

import enum
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

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
