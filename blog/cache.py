"""Version counters for cache keys: every change shown on a page bumps its version.

A cached fragment or page is stored under a key that includes the current version, so a
bump makes every old entry unreachable at once, in every process sharing the cache::

    key = f"post-comments:{post.pk}:{content_version('post', post.pk)}"
    bump_version("post", post.pk)  # after a comment is approved, a vote counted, an edit
"""

from __future__ import annotations

import threading
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


# A bump that could not reach the cache (Redis down) would leave copies cached before the
# outage looking fresh once it is back; this process then makes every page stale instead.
_lost_bump = False


def _try_bump(key: str) -> bool:
    try:
        # django-redis answers None instead of raising while the server is unreachable.
        return cache.incr(key) is not None
    except ValueError:  # no version yet: start one
        return bool(cache.add(key, time.time_ns() // 1000, timeout=_TTL)) or cache.get(key) is not None
    except Exception:  # noqa: BLE001 - any cache failure counts as a lost bump
        return False


_retrying = threading.Lock()
RETRY_SECONDS = 2.0


def bump_version(kind: str, pk) -> None:
    """Make everything cached under the old version of ``kind``/``pk`` stale."""
    global _lost_bump
    if not _try_bump(_key(kind, pk)):
        _lost_bump = True
        # Other processes cannot know of the loss: retry from here until the cache is back,
        # rather than waiting for this process's next request.
        if _retrying.acquire(blocking=False):
            threading.Thread(target=_retry_until_recovered, daemon=True, name="cache-version-retry").start()


def _retry_until_recovered() -> None:
    try:
        while _lost_bump:
            time.sleep(RETRY_SECONDS)
            recover_lost_bumps()
    finally:
        _retrying.release()


def recover_lost_bumps(site_kind: str = "site", site_pk=0) -> None:
    """After a lost bump, bump the site version (every cached page depends on it) once the
    cache answers again."""
    global _lost_bump
    if _lost_bump and _try_bump(_key(site_kind, site_pk)):
        _lost_bump = False
