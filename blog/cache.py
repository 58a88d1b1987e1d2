"""Version counters for cache keys: every change shown on a page bumps its version.

A cached fragment or page is stored under a key that includes the current version, so a
bump makes every old entry unreachable at once, in every process sharing the cache::

    key = f"post-comments:{post.pk}:{content_version('post', post.pk)}"
    bump_version("post", post.pk)  # after a comment is approved, a vote counted, an edit
"""

from __future__ import annotations

import time

from django.core.cache import cache

_TTL = 60 * 60 * 24 * 30


def _key(kind: str, pk) -> str:
    return f"ver:{kind}:{pk}"


def content_version(kind: str, pk) -> int:
    """The current version for ``kind``/``pk``; started from the clock so restarts never reuse one."""
    key = _key(kind, pk)
    version = cache.get(key)
    if version is None:
        version = time.time_ns() // 1000
        if not cache.add(key, version, timeout=_TTL):
            version = cache.get(key, version)
    return int(version)


def bump_version(kind: str, pk) -> None:
    """Make everything cached under the old version of ``kind``/``pk`` stale."""
    key = _key(kind, pk)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns() // 1000, timeout=_TTL)
