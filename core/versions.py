"""Version counters in the shared cache: what a cached page or fragment was built from.

Private to ``core``: code outside says *what* changed through ``core.invalidation``, and the
page cache (``core.pagecache``) and versioned fragment keys read the versions. Each version
starts from the clock, so a restarted or flushed cache never hands out an old one again.

Every bump also moves one site-wide *generation* on. A process that validated a cached page
against its versions may keep a copy and serve it without asking for the versions again as
long as the generation has not moved: one read per request instead of one per version (a
memory-mapped file with the shared disk cache, one GET with Redis).
"""

from __future__ import annotations

import threading
import time

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.signals import setting_changed
from django.dispatch import receiver

_TTL = 60 * 60 * 24 * 30


def version_key(kind: str, pk) -> str:
    return f"ver:{kind}:{pk}"


def _fresh() -> int:
    return time.time_ns() // 1000


def read_versions(keys) -> dict[str, int]:
    """Current versions for several version keys in one cache round trip; starts missing ones."""
    keys = list(keys)
    found = cache.get_many(keys)
    for key in keys:
        if found.get(key) is None:
            version = _fresh()
            if not cache.add(key, version, timeout=_TTL):
                version = cache.get(key, version)
            found[key] = version
    return {key: int(found[key]) for key in keys}


def content_version(kind: str, pk) -> int:
    """The current version of ``kind``/``pk``."""
    key = version_key(kind, pk)
    return read_versions([key])[key]


# A bump that could not reach the cache (Redis down) would leave copies cached before the
# outage looking fresh once it is back; this process then makes every page stale instead.
_lost_bump = False
_retrying = threading.Lock()
RETRY_SECONDS = 2.0
SITE = ("site", 0)


GENERATION_KEY = "ver:generation"


def generation() -> int | None:
    """The site-wide generation, which every bump moves on; None when the cache is unreachable."""
    read = _generation_reader()
    if read is not None:
        try:
            return read()
        except OSError:  # e.g. CACHE_DIR not writable: serve no copy, check the versions
            return None
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:  # first use, or evicted: start from the clock, never an old value
            cache.add(GENERATION_KEY, _fresh(), timeout=_TTL)
            value = cache.get(GENERATION_KEY)
    except Exception:  # noqa: BLE001 - an unreachable cache: nothing local may be trusted
        return None
    return None if value is None else int(value)


# The shared disk cache keeps the generation in a memory-mapped file (core.cache): its reader
# is looked up once per process, not through the per-thread cache handles on every request.
_UNRESOLVED = object()
_reader = _UNRESOLVED


def _generation_reader():
    global _reader
    if _reader is _UNRESOLVED:
        _reader = getattr(caches[DEFAULT_CACHE_ALIAS], "generation", None)
    return _reader


@receiver(setting_changed)
def _forget_reader(*, setting, **kwargs):
    global _reader
    if setting == "CACHES":
        _reader = _UNRESOLVED


def _try_bump_generation() -> bool:
    move = getattr(caches[DEFAULT_CACHE_ALIAS], "bump_generation", None)
    if move is None:
        return _try_bump(GENERATION_KEY)
    try:
        move()
    except OSError:
        return False
    return True


def _try_bump(key: str) -> bool:
    try:
        # django-redis answers None instead of raising while the server is unreachable.
        return cache.incr(key) is not None
    except ValueError:  # no version yet: start one
        return bool(cache.add(key, _fresh(), timeout=_TTL)) or cache.get(key) is not None
    except Exception:  # noqa: BLE001 - any cache failure counts as a lost bump
        return False


def bump(*keys: str) -> None:
    """Make everything cached under the old versions of ``keys`` stale."""
    global _lost_bump
    for key in keys:
        if not _try_bump(key):
            _lost_bump = True
    # After the versions: a process that sees the new generation finds the new versions.
    if keys and not _try_bump_generation():
        _lost_bump = True
    if _lost_bump and _retrying.acquire(blocking=False):
        # Other processes cannot know of the loss: retry from here until the cache is back,
        # rather than waiting for this process's next request.
        threading.Thread(target=_retry_until_recovered, daemon=True, name="cache-version-retry").start()


def _retry_until_recovered() -> None:
    try:
        while _lost_bump:
            time.sleep(RETRY_SECONDS)
            recover_lost_bumps()
    finally:
        _retrying.release()


def recover_lost_bumps() -> None:
    """After a lost bump, bump the site version (every cached page depends on it) once the
    cache answers again."""
    global _lost_bump
    if _lost_bump and _try_bump(version_key(*SITE)) and _try_bump_generation():
        _lost_bump = False
