"""Whole-page cache for anonymous readers, made stale by content versions.

A page records what it shows while it renders (``depend_on(request, "post", 7)``, the poll
shortcode adds ``("poll", 3)``, …). The cached entry keeps the version of each dependency
as it was; a hit is served only while every one of them is unchanged, so an approval, an
edit or a vote shows at once in every process that shares the cache (``core.invalidation``
says what changed, ``core.versions`` keeps the counters).

Readers with a session (staff, the author of a pending comment, a flash message waiting)
always get a fresh page. What differs per reader on an otherwise shared page stays right:

* the CSRF token is swapped for the reader's own on every hit, and so is every other
  per-reader token an app registers with ``register_per_reader()`` (the captcha task, the
  comment form's start time): each reader of a cached page gets their own. The page is
  stored cut at those values, so a hit joins the pieces with fresh values in one pass; a
  page without any (no POST form: listings, archives, search) is served as it is;
* cookies that change what a page shows (e.g. "voted in poll 3") are registered by the
  app that sets them with ``vary_on_cookie()`` and become part of the cache key.

A hit costs one read of the shared cache: each process keeps copies of the pages it served
(a bounded LRU, ``CORE_PAGECACHE_LOCAL_BYTES``) together with the content generation they
were validated at (``core.versions.generation()``), and serves a copy only while the
generation is unchanged. Every bump moves the generation on, in the shared cache every
process reads, so a change made anywhere is seen by the next request in every process.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from core.conf import core_settings
from core.tokens import csrf_token
from core.versions import SITE, content_version, generation, recover_lost_bumps, version_key

_vary_cookie_prefixes: set[str] = set()
_stale_at_providers: list[Callable] = []
_per_reader: dict[str, tuple[re.Pattern, Callable[[], str]]] = {}
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]*)"')
_CSRF = "csrf"  # the slot name of the CSRF token
_HEADERS_KEPT = ("Content-Type", "Content-Language", "Link", "X-Robots-Tag")


def vary_on_cookie(prefix: str) -> None:
    """Cookies whose name starts with ``prefix`` change the page: cache per value."""
    _vary_cookie_prefixes.add(prefix)


def register_stale_at(provider: Callable) -> None:
    """``provider()`` names the next moment cached pages go stale by time (e.g. a scheduled
    post going live), or None. Apps register it in ``ready()``; core imports no app."""
    _stale_at_providers.append(provider)


def register_per_reader(name: str, pattern: re.Pattern, fresh: Callable[[], str]) -> None:
    """Values matching ``pattern`` (bytes) in a cached page are personal: every hit gets a new
    one from ``fresh()``, the same value wherever the stored page repeated one."""
    _per_reader[name] = (pattern, fresh)


def depend_on(request, kind: str, pk) -> None:
    """Note that the page being rendered shows ``kind``/``pk``.

    The version is read now, before the view reads the data it stands for, so a change
    that lands while the page renders makes the stored copy stale rather than wrong.
    """
    deps = getattr(request, "_pagecache_deps", None)
    if deps is not None:
        key = version_key(kind, pk)
        if key not in deps:
            deps[key] = content_version(kind, pk)


def _enabled() -> bool:
    return getattr(settings, "PAGECACHE_SECONDS", 300) > 0


def is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or not _enabled():
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _cache_key(request) -> str:
    vary = sorted(
        (name, value)
        for name, value in request.COOKIES.items()
        if any(name.startswith(prefix) for prefix in _vary_cookie_prefixes)
    )
    raw = "|".join(
        [
            request.get_host(),
            request.get_full_path(),
            getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            repr(vary),
        ]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


# Which version keys each cached page depends on, remembered per process so a look-up in the
# shared cache costs one round trip (entry and versions together). Only a hint: the versions
# themselves are always read from the shared cache.
_known_deps: dict[str, tuple[str, ...]] = {}
# Paths this process has seen served by a cached view: only those are looked up early, so
# other GETs (feeds, JSON, search) pay nothing for the page cache.
_cacheable_paths: set[str] = set()
_KNOWN_DEPS_MAX = 20_000


class LocalCopies:
    """This process's copies of cached pages, each with the generation it was validated at.

    A copy is served only while the generation is the same and the page has not expired.
    Least recently used copies go first once ``max_bytes`` (page sizes) or ``max_pages``
    would be exceeded; a page larger than an eighth of ``max_bytes`` is not kept.
    """

    def __init__(self, max_bytes: int | None = None, max_pages: int | None = None):
        self._max_bytes = max_bytes
        self._max_pages = max_pages
        self._items: OrderedDict[str, tuple[int, dict]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def limits(self) -> tuple[int, int]:
        return (
            self._max_bytes if self._max_bytes is not None else core_settings.PAGECACHE_LOCAL_BYTES,
            self._max_pages if self._max_pages is not None else core_settings.PAGECACHE_LOCAL_PAGES,
        )

    def get(self, key: str, generation: int) -> dict | None:
        item = self._items.get(key)
        if item is None or item[0] != generation or time.time() >= item[1]["expires_at"]:
            return None
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
        return item[1]

    def put(self, key: str, generation: int, entry: dict) -> None:
        max_bytes, max_pages = self.limits()
        size = entry["size"]
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]["size"]
            if size > max_bytes // 8 or max_pages <= 0:
                return
            self._items[key] = (generation, entry)
            self._bytes += size
            while self._bytes > max_bytes or len(self._items) > max_pages:
                _key, (_generation, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped["size"]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes


local_copies = LocalCopies()


def _lookup(key: str):
    """The cached entry for ``key`` if it is still fresh, else None."""
    recover_lost_bumps()
    current = generation()
    if current is not None:
        entry = local_copies.get(key, current)
        if entry is not None:
            return entry
    entry = _lookup_shared(key)
    if entry is not None and current is not None:
        # Read before the versions were: a bump since then makes this copy unused at once.
        local_copies.put(key, current, entry)
    return entry


def _lookup_shared(key: str):
    hinted = _known_deps.get(key, ())
    found = cache.get_many([key, *hinted])
    entry = found.get(key)
    if entry is None or "parts" not in entry:  # none, or stored by an older release
        return None
    if time.time() >= entry["expires_at"]:
        return None  # e.g. a scheduled post has gone live since
    if any(name != _CSRF and name not in _per_reader for name in entry["slots"]):
        return None  # stored by another release of the code: render anew
    stored = entry["versions"]
    missing = [k for k in stored if k not in found]
    if missing:
        found.update(cache.get_many(missing))
        if len(_known_deps) >= _KNOWN_DEPS_MAX:
            _known_deps.clear()
        _known_deps[key] = tuple(stored)
    if all(found.get(k) == version for k, version in stored.items()):
        return entry
    return None


def _next_stale_at():
    moments = [moment for moment in (provider() for provider in _stale_at_providers) if moment is not None]
    return min(moments, default=None)


def _cut(content: bytes) -> tuple[tuple, tuple[str, ...]]:
    """Cut a rendered page at its per-reader values: the pieces (bytes, and for each value the
    number of its slot) and the kind of each slot. A value repeated on the page is one slot,
    so the reader gets the same new value in every place. Nothing is searched for on a hit:
    text a visitor typed can never be taken for a slot."""
    # Every CSRF input gets the same token, as in one render (forms rendered apart differ).
    found: list[tuple[int, int, str, bytes]] = [
        (match.start(1), match.end(1), _CSRF, b"") for match in _CSRF_INPUT.finditer(content)
    ]
    for name, (pattern, _fresh) in _per_reader.items():
        found += [(match.start(), match.end(), name, match.group(0)) for match in pattern.finditer(content)]
    found.sort()
    parts: list = []
    slots: dict[tuple[str, bytes], int] = {}
    position = 0
    for start, end, name, value in found:
        if start < position:
            continue  # overlaps a value already cut out
        parts.append(content[position:start])
        parts.append(slots.setdefault((name, value), len(slots)))
        position = end
    parts.append(content[position:])
    return tuple(part for part in parts if part != b""), tuple(name for name, _value in slots)


def _personalize(request, parts: tuple, slots: tuple[str, ...]) -> bytes:
    if not slots:
        return parts[0] if parts else b""
    values = [(csrf_token(request) if name == _CSRF else _per_reader[name][1]()).encode() for name in slots]
    return b"".join([values[part] if part.__class__ is int else part for part in parts])


def _stored_slots_known(slots) -> bool:
    return all(name == _CSRF or name in _per_reader for name in slots)


def personal_fragment(request, key: str, render: Callable[[], str], *, timeout: int = 60 * 60) -> str:
    """HTML that is the same for every reader but for its tokens, rendered once and kept.

    ``key`` must change with everything the HTML shows (``core.invalidation.fragment_key``);
    the CSRF token and every registered per-reader value are the reader's own on every use.
    """
    entry = cache.get(key)
    if entry is None or "parts" not in entry or not _stored_slots_known(entry["slots"]):
        parts, slots = _cut(render().encode())
        entry = {"parts": parts, "slots": slots}
        cache.set(key, entry, timeout)
    return _personalize(request, entry["parts"], entry["slots"]).decode()


def _serve(request, entry) -> HttpResponse:
    response = HttpResponse(_personalize(request, entry["parts"], entry["slots"]))
    for header, value in entry["headers"].items():
        response[header] = value
    response["X-Page-Cache"] = "hit"
    response["Cache-Control"] = "private"  # what patch_cache_control(private=True) makes of none
    return response


def cache_for_anonymous(view):
    """Decorate a view function so anonymous readers get the shared, versioned copy."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_cacheable(request):
            return view(request, *args, **kwargs)
        if len(_cacheable_paths) >= _KNOWN_DEPS_MAX:
            _cacheable_paths.clear()
        _cacheable_paths.add(request.path)
        key = getattr(request, "_pagecache_key", None)
        if key is None:  # no PageCacheMiddleware in front: look up here
            key = _cache_key(request)
            entry = _lookup(key)
            if entry is not None:
                return _serve(request, entry)

        request._pagecache_deps = {}
        seen_generation = generation()  # before any version: a bump meanwhile leaves no copy
        depend_on(request, *SITE)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        if request.session.modified:  # the view started a session: this page is personal
            return response
        parts, slots = _cut(response.content)
        timeout = getattr(settings, "PAGECACHE_SECONDS", 300)
        next_due = _next_stale_at()
        if next_due is not None:
            timeout = max(1, min(timeout, int((next_due - timezone.now()).total_seconds()) + 1))
        expires_at = time.time() + timeout
        if next_due is not None:
            expires_at = min(expires_at, next_due.timestamp())
        entry = {
            "expires_at": expires_at,
            "parts": parts,
            "slots": slots,
            "size": sum(len(part) for part in parts if part.__class__ is bytes),
            "headers": {h: response[h] for h in _HEADERS_KEPT if response.has_header(h)},
            "versions": request._pagecache_deps,
        }
        cache.set(key, entry, timeout)
        if seen_generation is not None:
            local_copies.put(key, seen_generation, entry)
        response["X-Page-Cache"] = "miss"
        patch_cache_control(response, private=True)
        return response

    return wrapper


class PageCacheMiddleware:
    """Serve fresh cached pages before URL resolution and the inner middleware.

    Sits right after CsrfViewMiddleware (which sets the reader's CSRF cookie on the way out)
    and after LocaleMiddleware (the language is part of the key). Only paths a cached view
    has answered in this process are looked up here; a miss passes the key on to the
    ``cache_for_anonymous`` view, which renders and stores the page (and looks up itself
    for paths this process has not seen yet).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in _cacheable_paths and is_cacheable(request):
            key = _cache_key(request)
            entry = _lookup(key)
            if entry is not None:
                return _serve(request, entry)
            request._pagecache_key = key
        return self.get_response(request)
